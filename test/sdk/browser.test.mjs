// The official OpenAI SDK, unmodified, in headless Chromium on another origin
// than the gateway: the browser's CORS preflight asks for the SDK's own
// headers (x-stainless-*), and the gateway must allow exactly those for an
// origin in ALLOWED_ORIGINS and refuse every other origin.

import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { createServer } from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { buildGateway, startGateway } from "../../web/e2e/gateway.mjs";
import { launchOptions, runCleanups, withTimeout } from "../../web/e2e/harness.mjs";

const sdkDir = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = path.resolve(sdkDir, "..", "..");
const openaiDir = path.join(sdkDir, "node_modules", "openai");

// The page loads the SDK's ESM build as is (index.mjs imports only relative
// paths) and exposes one function the test calls with the gateway's URL and
// a minted token. No retries, so a refusal surfaces at once.
const PAGE = `<!doctype html>
<meta charset="utf-8">
<title>openai SDK in the browser</title>
<script type="module">
import OpenAI, { APIConnectionError } from "/openai/index.mjs";

window.chat = async (baseURL, apiKey) => {
  const openai = new OpenAI({ baseURL, apiKey, dangerouslyAllowBrowser: true, maxRetries: 0, timeout: 20000 });
  try {
    const stream = await openai.chat.completions.create({
      model: "eliza",
      stream: true,
      messages: [{ role: "user", content: "Hello, I am feeling anxious about my exams" }],
    });
    let text = "";
    let chunks = 0;
    for await (const chunk of stream) {
      chunks++;
      text += chunk.choices[0]?.delta?.content ?? "";
    }
    return { ok: true, text, chunks };
  } catch (err) {
    return {
      ok: false,
      name: err?.constructor?.name,
      connectionError: err instanceof APIConnectionError,
      message: String(err?.message),
      cause: String(err?.cause ?? ""),
    };
  }
};
</script>
`;

const apiKey = `sk-${randomBytes(32).toString("base64url")}`;
let gw;
let token;
let allowedPage;
let otherPage;
let browser;
const cleanups = [];

before(async () => {
  // Both page servers first: the gateway must know the allowed origin.
  allowedPage = await startPageServer();
  cleanups.push(allowedPage.stop);
  otherPage = await startPageServer();
  cleanups.push(otherPage.stop);

  const build = await buildGateway(repoRoot);
  cleanups.push(build.cleanup);
  gw = await startGateway(build.bin, {
    AUTH_MODE: "apikey",
    API_KEY_SHA256S: `browser-test:${createHash("sha256").update(apiKey).digest("hex")}`,
    TOKEN_SIGNING_KEY: randomBytes(32).toString("hex"),
    ALLOWED_ORIGINS: allowedPage.origin,
    LOG_LEVEL: "info", // request lines, the evidence of the preflight, are INFO
  });
  cleanups.push(gw.stop);

  // A browser token, minted from node with the API key, as a backend would.
  const res = await fetch(`${gw.url}/v1/tokens`, {
    method: "POST",
    headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
    body: JSON.stringify({ ttl_seconds: 300 }),
  });
  assert.equal(res.status, 200, await res.clone().text());
  ({ token } = await res.json());
  assert.ok(token, "no token minted");

  // launch() gives the browser a fresh temporary profile (user-data-dir)
  // and removes it on close.
  browser = await chromium.launch(launchOptions());
  cleanups.push(() => withTimeout(browser.close(), 10_000));
});

after(() => runCleanups(cleanups));

describe("the openai SDK in Chromium, from another origin", () => {
  test("an allowed origin passes the preflight and streams an answer", async () => {
    const mark = gw.logs().length;
    const { result, requests, console: messages } = await runInPage(allowedPage.origin);
    assert.ok(result.ok, `the SDK failed: ${JSON.stringify(result)}\nconsole: ${messages.join("\n")}`);
    assert.ok(result.text.trim().length > 0, `empty answer after ${result.chunks} chunks`);

    // The browser really sent the SDK's own headers, so the preflight had to allow them.
    const post = requests.find((r) => r.method === "POST" && r.url === `${gw.url}/v1/chat/completions`);
    assert.ok(post, `no POST seen by the page: ${JSON.stringify(requests)}`);
    const stainless = Object.keys(post.headers).filter((h) => h.startsWith("x-stainless-"));
    assert.ok(stainless.length > 0, `the SDK sent no x-stainless-* header: ${Object.keys(post.headers)}`);

    const lines = requestLines(gw.logs().slice(mark));
    const i = lines.findIndex((l) => l.method === "OPTIONS" && l.path === "/v1/chat/completions");
    assert.ok(i >= 0, `no preflight in the gateway log:\n${JSON.stringify(lines, null, 1)}`);
    assert.equal(lines[i].status, 204, JSON.stringify(lines[i]));
    const j = lines.findIndex((l) => l.method === "POST" && l.path === "/v1/chat/completions");
    assert.ok(j > i, `the POST was not logged after the preflight:\n${JSON.stringify(lines, null, 1)}`);
    assert.equal(lines[j].status, 200, JSON.stringify(lines[j]));
  });

  test("an origin not in ALLOWED_ORIGINS is refused at the preflight", async () => {
    const mark = gw.logs().length;
    const { result, console: messages } = await runInPage(otherPage.origin);
    assert.equal(result.ok, false, `a foreign origin got an answer: ${JSON.stringify(result)}`);
    assert.ok(result.connectionError, `want APIConnectionError, got ${JSON.stringify(result)}`);
    assert.ok(
      messages.some((m) => /CORS/i.test(m)),
      `the browser reported no CORS refusal:\n${messages.join("\n")}`,
    );

    const lines = requestLines(gw.logs().slice(mark));
    const refused = lines.find((l) => l.method === "OPTIONS" && l.path === "/v1/chat/completions");
    assert.ok(refused, `no preflight in the gateway log:\n${JSON.stringify(lines, null, 1)}`);
    assert.equal(refused.status, 403, JSON.stringify(refused));
    assert.equal(refused.error_code, "cors_origin_not_allowed", JSON.stringify(refused));
    assert.ok(
      !lines.some((l) => l.method === "POST"),
      `the browser sent the request despite the refused preflight:\n${JSON.stringify(lines, null, 1)}`,
    );
  });
});

/**
 * Opens the page at origin in a new browser context, runs the SDK in it
 * against the gateway, and returns its result with the requests the page
 * made and its console messages.
 */
async function runInPage(origin) {
  const context = await browser.newContext();
  try {
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const requests = [];
    const messages = [];
    page.on("request", async (req) => {
      const entry = { method: req.method(), url: req.url(), headers: {} };
      requests.push(entry);
      entry.headers = await req.allHeaders().catch(() => req.headers());
    });
    page.on("console", (msg) => messages.push(`${msg.type()}: ${msg.text()}`));
    page.on("pageerror", (err) => messages.push(`pageerror: ${err.message}`));
    await page.goto(`${origin}/`);
    await page.waitForFunction(() => typeof window.chat === "function");
    const result = await page.evaluate(([baseURL, key]) => window.chat(baseURL, key), [`${gw.url}/v1`, token]);
    return { result, requests, console: messages };
  } finally {
    await withTimeout(context.close(), 5_000);
  }
}

/** The gateway's per-request JSON log lines in output. */
function requestLines(output) {
  const lines = [];
  for (const line of output.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      const v = JSON.parse(line);
      if (v.msg === "request") lines.push(v);
    } catch {
      // a line cut at the mark, or not JSON: not a request line
    }
  }
  return lines;
}

/**
 * Serves the test page at / and the openai package's files under /openai/,
 * on 127.0.0.1 with a free port: each server is an origin of its own.
 */
async function startPageServer() {
  const types = { ".mjs": "text/javascript", ".js": "text/javascript", ".map": "application/json" };
  const server = createServer(async (req, res) => {
    const { pathname } = new URL(req.url, "http://page");
    if (req.method !== "GET") {
      res.writeHead(405).end();
      return;
    }
    if (pathname === "/") {
      res.writeHead(200, { "Content-Type": "text/html; charset=utf-8", "Cache-Control": "no-store" });
      res.end(PAGE);
      return;
    }
    const file = path.join(openaiDir, path.normalize(decodeURIComponent(pathname.slice("/openai".length))));
    const type = types[path.extname(file)];
    if (!pathname.startsWith("/openai/") || !file.startsWith(openaiDir + path.sep) || !type) {
      res.writeHead(404).end();
      return;
    }
    try {
      const body = await readFile(file);
      res.writeHead(200, { "Content-Type": type });
      res.end(body);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `http://127.0.0.1:${server.address().port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
