// Resuming a cut Responses stream: the client asks
// GET /v1/responses/{id}?stream=true&starting_after=n with the sequence
// number of the last whole event and feeds the rest to the same reader.

import { describe, expect, it } from "vitest";
import { NetworkError, StreamError, TruncatedError } from "../src/api/errors";
import { streamResponse, type ResponsesOptions } from "../src/api/responsesStream";
import { describeError, errorView } from "../src/chat/errorText";
import { cuttingGateway, enc, expectResumedOnce, recorder, stoppedWhileWaiting, type Call, type Resume } from "./resumeHelpers";

const ID = "resp_res1";
const pieces = ["Héllo", " wörld", " 🙂", " how", " are", " you?"];
const envelope = (status: string) => ({ id: ID, object: "response", created_at: 1, status, model: "eliza", output: [] });

/** The answer's events as the gateway writes them: id (= sequence_number), event, data. */
function events(ending: "completed" | "failed" = "completed"): string[] {
  const bodies: Array<Record<string, unknown>> = [
    { type: "response.created", response: envelope("in_progress") },
    { type: "response.in_progress", response: envelope("in_progress") },
    { type: "response.output_item.added", output_index: 0, item: { type: "message", id: "msg_1", role: "assistant", status: "in_progress", content: [] } },
    ...pieces.map((delta) => ({ type: "response.output_text.delta", item_id: "msg_1", output_index: 0, content_index: 0, delta })),
    { type: "response.output_text.done", item_id: "msg_1", output_index: 0, content_index: 0, text: pieces.join("") },
    ending === "completed"
      ? { type: "response.completed", response: envelope("completed") }
      : { type: "response.failed", response: { ...envelope("failed"), error: { code: "model_error", message: "the model failed" } } },
  ];
  return bodies.map((b, n) => `id: ${n}\nevent: ${String(b.type)}\ndata: ${JSON.stringify({ ...b, sequence_number: n })}\n\n`);
}
const full = events().join("");

/**
 * A gateway whose POST answer (body) is cut after cutAt bytes; each GET
 * answers the events after its starting_after, or what resumes[i] says.
 */
const gateway = (cutAt: number, end: "close" | "error", resumes: Resume[] = ["ok"], body = full) =>
  cuttingGateway({
    body,
    cutAt,
    end,
    resumes,
    notFound: `no response "${ID}": it does not exist, has expired, or is not yours`,
    rest: (url) => events().slice(Number(url.searchParams.get("starting_after")) + 1).join(""),
  });

async function run(options: ResponsesOptions) {
  const r = recorder();
  const returned = await streamResponse({ input: "hi", conversation: "conv_1" }, r.callbacks, { resumeDelaysMs: [0, 0, 0], ...options });
  return { ...r, returned };
}

// Byte offsets: a cut may split a multi-byte character.
const byteAt = (i: number) => enc(full.slice(0, i)).length;
const eventEnd = (n: number) => byteAt(events().slice(0, n + 1).join("").length);
const resumedAfter = (call: Call | undefined) => new URL(call?.url ?? "", "http://gw.test").searchParams.get("starting_after");

describe("resuming a cut Responses stream", () => {
  it.each(["close", "error"] as const)("completes with every piece once wherever the connection is cut (%s)", async (end) => {
    // Every byte offset after response.created (which names the answer) and before response.completed ends.
    for (let cut = eventEnd(0); cut < enc(full).length; cut++) {
      const { calls, fetchImpl } = gateway(cut, end);
      const got = await run({ fetch: fetchImpl, getToken: async () => "tok" });
      const { resume, lastWhole } = expectResumedOnce(got, calls, full, cut, pieces.join(""));
      expect(resume.url, `cut at ${cut}`).toBe(`/v1/responses/${ID}?stream=true&starting_after=${lastWhole}`);
      expect(resume.headers.get("x-authorization")).toBe("Bearer tok");
      // A GET has no body: nothing to hash, nothing to type.
      expect(resume.headers.get("x-amz-content-sha256")).toBeNull();
      expect(resume.headers.get("content-type")).toBeNull();
    }
  }, 60_000); // every cut offset: thousands of streams, slow on a busy machine

  it.each([2, 3, 5, 8])("cut right after event %i resumes from it", async (n) => {
    const { calls, fetchImpl } = gateway(eventEnd(n), "error");
    const got = await run({ fetch: fetchImpl });
    expect(got.errors).toEqual([]);
    expect(got.deltas.join("")).toBe(pieces.join(""));
    expect(resumedAfter(calls[1])).toBe(String(n));
  });

  it("resumes again when the resumed stream is cut too, from where that one stopped", async () => {
    const { calls, fetchImpl } = gateway(eventEnd(3) + 20, "error", [enc(events()[4]!).length + 3, 40, "ok"]);
    const got = await run({ fetch: fetchImpl });
    expect(got.errors).toEqual([]);
    expect(got.deltas.join("")).toBe(pieces.join(""));
    expect(calls.slice(1).map(resumedAfter)).toEqual(["3", "4", "4"]);
  });

  it("retries a failed resume with the same policy as chat completions, then completes", async () => {
    const { calls, fetchImpl } = gateway(eventEnd(4) + 10, "error", ["throw", "503", "ok"]);
    const got = await run({ fetch: fetchImpl });
    expect(got.errors).toEqual([]);
    expect(got.deltas.join("")).toBe(pieces.join(""));
    expect(calls.map((c) => c.method)).toEqual(["POST", "GET", "GET", "GET"]);
  });

  it("a 404 on resume ends the answer cut at once, with a clear message", async () => {
    const { calls, fetchImpl } = gateway(eventEnd(5) + 10, "error", ["404"]);
    const got = await run({ fetch: fetchImpl });
    expect(got.completes).toEqual([]);
    expect(got.errors).toHaveLength(1);
    const err = got.errors[0]!;
    expect(err).toBeInstanceOf(TruncatedError);
    expect(err.message).toBe(`The connection dropped and the rest of the answer could not be fetched: no response "${ID}": it does not exist, has expired, or is not yours`);
    expect(describeError(errorView(err))).toBe("The answer was cut off before it finished.");
    expect(got.deltas.join("")).toBe(pieces.slice(0, 3).join("")); // events 3, 4, 5 arrived whole
    expect(calls).toHaveLength(2);
  });

  it("when every resume fails, the answer ends with the cut's own error", async () => {
    const { calls, fetchImpl } = gateway(eventEnd(4) + 10, "error", ["throw"]);
    const got = await run({ fetch: fetchImpl });
    expect(got.errors).toHaveLength(1);
    expect(got.errors[0]).toBeInstanceOf(NetworkError);
    expect(calls).toHaveLength(4); // the POST and three attempts
  });

  it("an in-band response.failed is not resumed", async () => {
    const failedBody = events("failed").join("");
    // The connection closes right after response.failed, as the gateway ends a failed stream.
    const { calls, fetchImpl } = gateway(enc(failedBody).length, "close", ["ok"], failedBody);
    const got = await run({ fetch: fetchImpl });
    expect(got.errors).toHaveLength(1);
    expect(got.errors[0]).toBeInstanceOf(StreamError);
    expect(got.errors[0]?.message).toBe("the model failed");
    expect(got.deltas.join("")).toBe(pieces.join(""));
    expect(calls).toHaveLength(1);
  });

  it("an error event is not resumed either", async () => {
    const body = events().slice(0, 5).join("") + `id: 5\nevent: error\ndata: ${JSON.stringify({ type: "error", code: "stream_lost", message: "the answer stopped", sequence_number: 5 })}\n\n`;
    const { calls, fetchImpl } = gateway(enc(body).length, "close", ["ok"], body);
    const got = await run({ fetch: fetchImpl });
    expect(got.errors[0]).toBeInstanceOf(StreamError);
    expect(calls).toHaveLength(1);
  });

  it("does not resume before response.created names the answer", async () => {
    const { calls, fetchImpl } = gateway(eventEnd(0) - 3, "close");
    const got = await run({ fetch: fetchImpl });
    expect(got.errors[0]).toBeInstanceOf(TruncatedError);
    expect(calls).toHaveLength(1);
  });

  it("does not resume after Stop, even while waiting to resume", async () => {
    const { calls, fetchImpl } = gateway(eventEnd(4) + 10, "error", ["throw"]);
    const got = await stoppedWhileWaiting((options) => run({ fetch: fetchImpl, ...options }));
    expect(got.errors).toEqual([]);
    expect(got.completes[0]?.status).toBe("aborted");
    expect(calls).toHaveLength(1);
  });
});
