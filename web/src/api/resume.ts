// Reading an SSE answer that survives a dropped connection, for both of the
// page's protocols. The caller parses; this module owns the bodies, the
// decoder, the abort and the policy: when the connection fails or closes
// before a frame ends the answer, it asks the gateway for the events after
// the last one handled (docs/api.md "Resuming a stream"), after each wait of
// delaysMs, and feeds them to the same parser, so no text is shown twice or
// skipped.

import { ChatbotError, NetworkError, TruncatedError } from "./errors";
import { describe } from "./request";
import { httpError } from "./responseErrors";

/** What some text decided: the answer ended, it failed, or nothing yet. */
export type Verdict = "done" | ChatbotError | undefined;

export interface ResumableRead {
  /** The answer's first body. */
  body: ReadableStream<Uint8Array>;
  /** Aborting stops reading and waiting; the outcome is then "aborted". */
  signal?: AbortSignal;
  /** Waits before each attempt to resume (one attempt per entry); empty never resumes. */
  delaysMs?: readonly number[];
  /** Starts a new body: a partial event of the dropped connection is sent again. */
  restart(): void;
  /** Handles the next decoded text; returns the verdict once a frame decides it. */
  feed(text: string): Verdict;
  /** The last handled event's id, or undefined while nothing says where to resume. */
  position(): string | undefined;
  /** Asks for the events after the event `after`. */
  reopen(after: string, signal: AbortSignal | undefined): Promise<Response>;
}

/** Waits before each attempt to resume a cut stream. */
export const RESUME_DELAYS_MS: readonly number[] = [250, 1000, 2500];

/**
 * Reads body and the resumed bodies until a frame ends the answer ("done"),
 * fails it (that error, never resumed), the caller aborts ("aborted"), or a
 * cut cannot be mended: then the cut's error, or a TruncatedError saying
 * the gateway refused the resume (an unknown or expired answer). Never rejects.
 */
export async function readResumable(r: ResumableRead): Promise<"done" | "aborted" | ChatbotError> {
  const delays = r.delaysMs ?? RESUME_DELAYS_MS;
  let body = r.body;
  let attempt = 0;
  for (;;) {
    const seen = r.position();
    const outcome = await readBody(body, r);
    if (outcome === "done" || outcome === "aborted" || outcome instanceof ChatbotError) {
      return outcome;
    }
    const after = r.position();
    if (after !== seen) {
      attempt = 0; // the last connection made progress: a new cut gets every attempt again
    }
    if (after === undefined) {
      return outcome.cut; // nothing identifies the answer to resume
    }
    let next: Response | "aborted" | ChatbotError | undefined;
    while (next === undefined && attempt < delays.length) {
      next = await reopen(r, after, delays[attempt++]!);
    }
    if (next === "aborted") {
      return "aborted";
    }
    if (next === undefined) {
      return outcome.cut;
    }
    if (next instanceof ChatbotError) {
      return next;
    }
    body = next.body!;
  }
}

/**
 * Reads one body to its end; { cut } when the connection failed or closed
 * before a frame ended the answer, which a resume may mend.
 */
async function readBody(body: ReadableStream<Uint8Array>, r: ResumableRead): Promise<"done" | ChatbotError | "aborted" | { cut: ChatbotError }> {
  const { signal } = r;
  const reader = body.getReader();
  const decoder = new TextDecoder("utf-8");
  r.restart();
  const onAbort = () => void reader.cancel().catch(() => undefined);
  signal?.addEventListener("abort", onAbort, { once: true });
  try {
    for (;;) {
      let read: ReadableStreamReadResult<Uint8Array>;
      try {
        read = await reader.read();
      } catch (err) {
        if (signal?.aborted) return "aborted";
        return { cut: new NetworkError(describe(err, "The connection failed while reading the answer."), err) };
      }
      if (signal?.aborted) return "aborted";
      const verdict = r.feed(read.done ? decoder.decode() : decoder.decode(read.value, { stream: true }));
      if (verdict) {
        reader.cancel().catch(() => undefined);
        return verdict;
      }
      if (read.done) return { cut: new TruncatedError() };
    }
  } finally {
    signal?.removeEventListener("abort", onAbort);
  }
}

/**
 * One attempt to resume after waiting delay ms: the response to read, or
 * undefined when asking again may help (the network, a 5xx, 408, 429), or
 * the error that ends the answer when the gateway will not give the rest.
 */
async function reopen(r: ResumableRead, after: string, delay: number): Promise<Response | "aborted" | ChatbotError | undefined> {
  const { signal } = r;
  if (!(await sleep(delay, signal))) return "aborted";
  let res: Response;
  try {
    res = await r.reopen(after, signal);
  } catch {
    return signal?.aborted ? "aborted" : undefined;
  }
  if (res.ok && res.body) return res;
  if (res.status >= 400 && res.status < 500 && res.status !== 408 && res.status !== 429) {
    const refused = await httpError(res);
    return new TruncatedError(`The connection dropped and the rest of the answer could not be fetched: ${refused.message}`);
  }
  res.body?.cancel().catch(() => undefined);
  return undefined;
}

/** Resolves true after ms, or false as soon as signal aborts. */
function sleep(ms: number, signal: AbortSignal | undefined): Promise<boolean> {
  if (signal?.aborted) return Promise.resolve(false);
  if (ms <= 0) return Promise.resolve(true);
  return new Promise((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve(true);
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
