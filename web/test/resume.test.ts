// Resuming a cut stream: the client asks GET /v1/chat/completions/{id}/stream
// with Last-Event-ID and feeds the rest to the same handlers.

import { describe, expect, it } from "vitest";
import { StreamError, TruncatedError, streamChatbotResponse, type StreamOptions } from "../src/api/chatbotApi";
import { cutStream, cuttingGateway, enc, expectResumedOnce, recorder, stoppedWhileWaiting, type Resume } from "./resumeHelpers";

const ID = "chatcmpl-res1";
const pieces = ["Héllo", " wörld", " 🙂", " how", " are", " you?"];

/** The events of one answer, each with its id, as the gateway numbers them. */
function events(): string[] {
  const frame = (delta: Record<string, unknown>, finish: string | null = null) =>
    `data: ${JSON.stringify({ id: ID, object: "chat.completion.chunk", created: 1, model: "eliza", choices: [{ index: 0, delta, finish_reason: finish }] })}`;
  const datas = [frame({ role: "assistant", content: "" }), ...pieces.map((p) => frame({ content: p })), frame({}, "stop"), "data: [DONE]"];
  return datas.map((d, i) => `id: ${i}\n${d}\n\n`);
}
const full = events().join("");
/**
 * A gateway whose POST answer is cut after cutAt bytes; each GET answers the
 * events after its Last-Event-ID, or what resumes[i] says for the i-th GET.
 */
const gateway = (cutAt: number, end: "close" | "error", resumes: Resume[] = ["ok"]) =>
  cuttingGateway({ body: full, cutAt, end, resumes, notFound: "no such stream", rest: (_, headers) => events().slice(Number(headers.get("last-event-id")) + 1).join("") });

async function run(options: StreamOptions) {
  const r = recorder();
  const returned = await streamChatbotResponse({ messages: [{ role: "user", content: "hi" }] }, r.callbacks, { resumeDelaysMs: [0, 0, 0], ...options });
  return { ...r, returned };
}

// Byte offsets: a cut may split a multi-byte character.
const byteAt = (i: number) => enc(full.slice(0, i)).length;
const firstEventEnd = byteAt(full.indexOf("\n\n") + 2);
const doneStart = byteAt(full.indexOf("id: 8"));

describe("resuming a cut stream", () => {
  it.each(["close", "error"] as const)("completes with every piece once wherever the connection is cut (%s)", async (end) => {
    // Every byte offset after the first event (which names the answer) and before [DONE] is complete.
    for (let cut = firstEventEnd; cut < doneStart + 6; cut++) {
      const { calls, fetchImpl } = gateway(cut, end);
      const got = await run({ fetch: fetchImpl, getToken: async () => "tok" });
      const { resume, lastWhole } = expectResumedOnce(got, calls, full, cut, pieces.join(""));
      expect(resume.url).toBe(`/v1/chat/completions/${ID}/stream`);
      expect(resume.headers.get("x-authorization")).toBe("Bearer tok");
      expect(resume.headers.get("last-event-id"), `cut at ${cut}`).toBe(String(lastWhole));
    }
  }, 60_000); // every cut offset: thousands of streams, slow on a busy machine

  it("resumes again when the resumed stream is cut too", async () => {
    const { calls, fetchImpl } = gateway(firstEventEnd + 30, "error", [40, 120, "ok"]);
    const got = await run({ fetch: fetchImpl });
    expect(got.errors).toEqual([]);
    expect(got.deltas.join("")).toBe(pieces.join(""));
    expect(calls.length).toBeGreaterThanOrEqual(3);
  });

  it("retries a failed resume, then completes", async () => {
    const { calls, fetchImpl } = gateway(firstEventEnd + 10, "error", ["throw", "503", "ok"]);
    const got = await run({ fetch: fetchImpl });
    expect(got.errors).toEqual([]);
    expect(got.deltas.join("")).toBe(pieces.join(""));
    expect(calls).toHaveLength(4);
  });

  it("marks the answer cut when every resume fails", async () => {
    const { calls, fetchImpl } = gateway(firstEventEnd + 10, "close", ["throw"]);
    const got = await run({ fetch: fetchImpl });
    expect(got.completes).toEqual([]);
    expect(got.errors).toHaveLength(1);
    expect(got.errors[0]).toBeInstanceOf(TruncatedError);
    expect(got.deltas.join("")).toBe("");
    expect(calls).toHaveLength(4); // the POST and three attempts
  });

  it("stops at once when the stream is gone (404), saying so", async () => {
    const { calls, fetchImpl } = gateway(byteAt(full.indexOf("id: 6")) - 5, "error", ["404"]);
    const got = await run({ fetch: fetchImpl });
    expect(got.errors[0]).toBeInstanceOf(TruncatedError);
    expect(got.errors[0]?.message).toBe("The connection dropped and the rest of the answer could not be fetched: no such stream");
    expect(got.deltas.join("")).toBe(pieces.slice(0, -2).join("")); // cut inside the event of " are"
    expect(calls).toHaveLength(2);
  });

  it("does not resume without an event id", async () => {
    const { calls, fetchImpl } = gateway(firstEventEnd - 3, "close");
    const got = await run({ fetch: fetchImpl });
    expect(got.errors[0]).toBeInstanceOf(TruncatedError);
    expect(calls).toHaveLength(1);
  });

  it("does not resume after an in-band error frame", async () => {
    const body = events().slice(0, 3).join("") + `id: 3\ndata: ${JSON.stringify({ error: { message: "model failed", type: "server_error", code: "model_error" } })}\n\n`;
    const calls: string[] = [];
    const fetchImpl = (async (input: RequestInfo | URL) => {
      calls.push(String(input));
      return cutStream(enc(body), "close");
    }) as typeof fetch;
    const got = await run({ fetch: fetchImpl });
    expect(got.errors[0]).toBeInstanceOf(StreamError);
    expect(calls).toHaveLength(1);
  });

  it("does not resume after Stop, even while waiting to resume", async () => {
    const { calls, fetchImpl } = gateway(firstEventEnd + 10, "error", ["throw"]);
    const got = await stoppedWhileWaiting((options) => run({ fetch: fetchImpl, ...options }));
    expect(got.errors).toEqual([]);
    expect(got.completes[0]?.status).toBe("aborted");
    expect(calls).toHaveLength(1);
  });
});
