import type { NextConfig } from "next";
import { PHASE_DEVELOPMENT_SERVER } from "next/constants";

// The production build is a static export that the gateway serves at "/".
// `next dev` instead proxies /v1/* to a running gateway (CHATBOT_DEV_PROXY,
// default http://127.0.0.1:8080), so the page and the API share an origin and
// no CORS setup is needed during development.
export default function config(phase: string): NextConfig {
  if (phase === PHASE_DEVELOPMENT_SERVER) {
    const target = (process.env.CHATBOT_DEV_PROXY ?? "http://127.0.0.1:8080").replace(/\/+$/, "");
    return {
      reactStrictMode: true,
      // gzip would hold back proxied SSE frames until the stream ends.
      compress: false,
      async rewrites() {
        return [{ source: "/v1/:path*", destination: `${target}/v1/:path*` }];
      },
    };
  }
  return {
    reactStrictMode: true,
    output: "export",
    trailingSlash: false,
    images: { unoptimized: true },
  };
}
