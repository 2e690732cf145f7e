// A gateway that cuts a streamed answer and answers the requests that
// resume it, for the resume tests of both protocols: only how a resume
// names its position and which events follow differ.

import { expect } from "vitest";
import type { StreamResult } from "../src/api/chatbotApi";
import type { ChatbotError } from "../src/api/errors";
import { byteStream } from "./streamHelpers";

export const enc = (s: string) => new TextEncoder().encode(s);

/** An SSE response of bytes that closes, fails as a dropped connection does ("error"), or ends ("ok"). */
export const cutStream = (bytes: Uint8Array, end: "close" | "error" | "ok") =>
  new Response(byteStream(bytes.length ? [bytes] : [], end === "error" ? { errorAtEnd: new TypeError("network error") } : {}), {
    status: 200,
    headers: { "Content-Type": "text/event-stream" },
  });

export interface Call {
  url: string;
  method: string;
  headers: Headers;
}

/** How the i-th resume is answered: the rest, 404, a network failure, 503, or the rest cut after that many bytes. */
export type Resume = "ok" | "404" | "throw" | "503" | number;

export interface CuttingGateway {
  /** The whole answer the POST would send. */
  body: string;
  /** Where the POST's answer is cut, in bytes. */
  cutAt: number;
  end: "close" | "error";
  resumes?: Resume[];
  /** The 404's message. */
  notFound: string;
  /** The answer to a resume request: the events after the one it names. */
  rest(url: URL, headers: Headers): string;
}

/** A fetch for g, recording every request in calls. */
export function cuttingGateway(g: CuttingGateway) {
  const calls: Call[] = [];
  const resumes = g.resumes ?? ["ok"];
  let gets = 0;
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    calls.push({ url: String(input), method: init?.method ?? "GET", headers });
    if (init?.method === "POST") return cutStream(enc(g.body).slice(0, g.cutAt), g.end);
    const how = resumes[Math.min(gets++, resumes.length - 1)]!;
    if (how === "throw") throw new TypeError("Failed to fetch");
    if (how === "404") return new Response(JSON.stringify({ error: { message: g.notFound, type: "invalid_request_error", code: "not_found" } }), { status: 404 });
    if (how === "503") return new Response("busy", { status: 503 });
    const rest = enc(g.rest(new URL(String(input), "http://gw.test"), headers));
    // A number cuts this resumed stream too, after that many bytes.
    return typeof how === "number" ? cutStream(rest.slice(0, how), "error") : cutStream(rest, "ok");
  }) as typeof fetch;
  return { calls, fetchImpl };
}

/** Callbacks that record what a stream client reports. */
export function recorder() {
  const deltas: string[] = [];
  const errors: ChatbotError[] = [];
  const completes: StreamResult[] = [];
  const callbacks = { onData: (d: string) => void deltas.push(d), onError: (e: ChatbotError) => void errors.push(e), onComplete: (r: StreamResult) => void completes.push(r) };
  return { deltas, errors, completes, callbacks };
}

/**
 * Checks that the answer cut at cut bytes of full completed with text and
 * one GET resume; returns that request and the id of the last event that
 * arrived whole before the cut (where the resume should start).
 */
export function expectResumedOnce(got: ReturnType<typeof recorder>, calls: Call[], full: string, cut: number, text: string) {
  const at = `cut at ${cut}`;
  expect(got.errors, at).toEqual([]);
  expect(got.deltas.join(""), at).toBe(text);
  expect(got.completes[0]?.text, at).toBe(text);
  expect(got.completes[0]?.status, at).toBe("complete");
  expect(got.completes[0]?.finishReason, at).toBe("stop");
  expect(calls, at).toHaveLength(2);
  const resume = calls[1]!;
  expect(resume.method, at).toBe("GET");
  const delivered = new TextDecoder().decode(enc(full).slice(0, cut));
  const lastWhole = (delivered.slice(0, delivered.lastIndexOf("\n\n") + 2).match(/^id: \d+$/gm) ?? []).length - 1;
  return { resume, lastWhole };
}

/**
 * Runs a stream whose cut the client waits a minute to resume, and aborts
 * it while it waits (Stop); returns what the run reported.
 */
export async function stoppedWhileWaiting<T>(start: (options: { signal: AbortSignal; resumeDelaysMs: number[] }) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const pending = start({ signal: controller.signal, resumeDelaysMs: [60_000] });
  await new Promise((r) => setTimeout(r, 0));
  await new Promise((r) => setTimeout(r, 0));
  controller.abort();
  return pending;
}
