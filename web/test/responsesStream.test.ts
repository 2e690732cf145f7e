// The Responses stream reader, fed the gateway's event sequence whole and
// split at every boundary, and the client that sends a message into a
// stored conversation.

import { describe, expect, it } from "vitest";
import { AuthError, HttpError, StreamError, TruncatedError } from "../src/api/errors";
import { createResponsesReader, streamResponse, type ResponsesUpdate } from "../src/api/responsesStream";
import {
  answerStream,
  argsDelta,
  callAdded,
  callDone,
  completed,
  created,
  event,
  failed,
  incomplete,
  messageAdded,
  reasoningDelta,
  textDelta,
} from "./responsesHelpers";
import { byteStream, fakeFetch, sse } from "./streamHelpers";

/** What a sequence of updates adds up to, whatever the chunking. */
function summarize(updates: ResponsesUpdate[]) {
  let text = "";
  let reasoning = "";
  let calls: unknown;
  let end: string | undefined;
  for (const u of updates) {
    if (u.kind === "text") text += u.delta;
    else if (u.kind === "reasoning") reasoning += u.delta;
    else if (u.kind === "toolCalls") calls = u.toolCalls;
    else if (u.kind === "end") end = "end";
    else end = `${u.error.kind}:${u.error.message}`;
  }
  return { text, reasoning, calls, end };
}

function readChunks(chunks: string[], close = true) {
  const reader = createResponsesReader();
  const updates = chunks.flatMap((c) => reader.feed(c));
  if (close) updates.push(...reader.close());
  return { reader, updates };
}

const full =
  created() +
  reasoningDelta("The user ") +
  reasoningDelta("greets me.") +
  messageAdded() +
  textDelta("Héllo ") +
  textDelta("wörld 🙂") +
  callAdded("fc_1", "call_1", "get_weather") +
  argsDelta("fc_1", '{"city":') +
  argsDelta("fc_1", '"Paris"}') +
  callDone("fc_1", "call_1", "get_weather", '{"city":"Paris"}') +
  event("response.output_text.done", { item_id: "msg_1", text: "ignored" }) +
  completed();

const wantFull = {
  text: "Héllo wörld 🙂",
  reasoning: "The user greets me.",
  calls: [{ index: 0, id: "call_1", type: "function", name: "get_weather", arguments: '{"city":"Paris"}' }],
  end: "end",
};

describe("createResponsesReader", () => {
  const cases: Array<{ name: string; stream: string; want: ReturnType<typeof summarize>; finish?: string | null }> = [
    { name: "text, reasoning and a function call, completed", stream: full, want: wantFull, finish: "tool_calls" },
    { name: "plain answer", stream: answerStream("Hi", " there"), want: { text: "Hi there", reasoning: "", calls: undefined, end: "end" }, finish: "stop" },
    {
      name: "incomplete: the token cap",
      stream: created() + textDelta("Part") + incomplete("max_output_tokens"),
      want: { text: "Part", reasoning: "", calls: undefined, end: "end" },
      finish: "length",
    },
    {
      name: "failed after the start: the error, nothing after it",
      stream: created() + textDelta("about to ") + failed("model_error", "Bedrock failed") + textDelta("never"),
      want: { text: "about to ", reasoning: "", calls: undefined, end: "stream:Bedrock failed" },
    },
    {
      name: "cut: no terminal event",
      stream: created() + textDelta("half"),
      want: { text: "half", reasoning: "", calls: undefined, end: "truncated:The answer was cut off before it finished." },
    },
    {
      name: "in-band OpenAI error object",
      stream: created() + `data: {"error":{"message":"overloaded","type":"server_error","code":"busy"}}\n\n`,
      want: { text: "", reasoning: "", calls: undefined, end: "stream:overloaded" },
    },
    {
      name: "error event",
      stream: created() + `event: error\ndata: {"type":"error","code":"x","message":"bad","param":null}\n\n`,
      want: { text: "", reasoning: "", calls: undefined, end: "stream:bad" },
    },
    {
      name: "malformed frame",
      stream: created() + "data: {nope\n\n" + completed(),
      want: { text: "", reasoning: "", calls: undefined, end: "stream:The server sent a malformed frame." },
    },
    { name: "heartbeats and comments", stream: ": ping\n\n" + answerStream("ok") + ": bye\n\n", want: { text: "ok", reasoning: "", calls: undefined, end: "end" } },
  ];

  for (const tc of cases) {
    it(`${tc.name}: whole`, () => {
      const { reader, updates } = readChunks([tc.stream]);
      expect(summarize(updates)).toEqual(tc.want);
      if (tc.finish !== undefined) expect(reader.result.finishReason).toBe(tc.finish);
    });

    it(`${tc.name}: split in two at every boundary`, () => {
      for (let i = 0; i <= tc.stream.length; i++) {
        const { updates } = readChunks([tc.stream.slice(0, i), tc.stream.slice(i)]);
        expect(summarize(updates), `split at ${i}`).toEqual(tc.want);
      }
    });
  }

  it("one character at a time: every boundary at once", () => {
    for (const tc of cases) {
      expect(summarize(readChunks([...tc.stream]).updates), tc.name).toEqual(tc.want);
    }
  });

  it("keeps the model, id and usage of the response", () => {
    const { reader } = readChunks([answerStream("x")]);
    expect(reader.result.model).toBe("eliza");
    expect(reader.result.id).toBe("resp_1");
    expect(reader.result.usage).toEqual({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
  });

  it("reads nothing after the terminal event, and close adds nothing then", () => {
    const reader = createResponsesReader();
    expect(summarize(reader.feed(answerStream("x")))).toMatchObject({ end: "end" });
    expect(reader.feed(textDelta("late"))).toEqual([]);
    expect(reader.close()).toEqual([]);
    expect(reader.result.text).toBe("x");
  });
});

describe("streamResponse", () => {
  const request = { input: "Hello", conversation: "conv_1", model: "eliza" };

  it("posts only the new message with the conversation, hashed and authorized", async () => {
    const { calls, fetchImpl } = fakeFetch(() => sse(answerStream("Hi")));
    const result = await streamResponse(request, {}, { endpoint: "http://gw.test/", fetch: fetchImpl, getToken: async () => "tok" });
    expect(calls).toHaveLength(1);
    const c = calls[0]!;
    expect(c.url).toBe("http://gw.test/v1/responses");
    expect(c.init.method).toBe("POST");
    const body = String(c.init.body);
    expect(JSON.parse(body)).toEqual({ input: "Hello", conversation: "conv_1", model: "eliza", stream: true });
    expect(c.headers.get("x-authorization")).toBe("Bearer tok");
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(body));
    expect(c.headers.get("x-amz-content-sha256")).toBe(Buffer.from(digest).toString("hex"));
    expect(result).toMatchObject({ status: "complete", text: "Hi", model: "eliza", finishReason: "stop" });
  });

  it("reports the same answer whatever the byte split (multi-byte characters across chunks)", async () => {
    const bytes = new TextEncoder().encode(full);
    for (let i = 1; i < bytes.length; i += 7) {
      const { fetchImpl } = fakeFetch(() => sse(full, {}, (b) => [b.slice(0, i), b.slice(i)]));
      const seen = { text: "", reasoning: "" };
      const result = await streamResponse(
        request,
        { onData: (d) => (seen.text += d), onReasoning: (d) => (seen.reasoning += d) },
        { fetch: fetchImpl },
      );
      expect(result, `split at byte ${i}`).toMatchObject({ status: "complete", text: wantFull.text, toolCalls: wantFull.calls });
      expect(seen).toEqual({ text: wantFull.text, reasoning: wantFull.reasoning });
    }
  });

  it("a response.failed is one onError with the gateway's code", async () => {
    const { fetchImpl } = fakeFetch(() => sse(created() + textDelta("so far") + failed("upstream_error", "The model failed.")));
    const errors: unknown[] = [];
    let completes = 0;
    const out = await streamResponse(request, { onError: (e) => errors.push(e), onComplete: () => completes++ }, { fetch: fetchImpl });
    expect(out).toBeInstanceOf(StreamError);
    expect((out as StreamError).code).toBe("upstream_error");
    expect(errors).toEqual([out]);
    expect(completes).toBe(0);
  });

  it("a stream that ends without a terminal event is cut (when not resumed)", async () => {
    const { fetchImpl } = fakeFetch(() => sse(created() + textDelta("half")));
    expect(await streamResponse(request, {}, { fetch: fetchImpl, resumeDelaysMs: [] })).toBeInstanceOf(TruncatedError);
  });

  it("an error before the stream is the HTTP error, read as for chat completions", async () => {
    const { fetchImpl } = fakeFetch(
      () => new Response(JSON.stringify({ error: { message: "bad key", type: "invalid_request_error", code: "invalid_api_key" } }), { status: 401 }),
    );
    const out = await streamResponse(request, {}, { fetch: fetchImpl });
    expect(out).toBeInstanceOf(AuthError);
    expect((out as AuthError).message).toBe("bad key");
    const { fetchImpl: f404 } = fakeFetch(() => new Response(JSON.stringify({ error: { message: "no such conversation", code: "not_found" } }), { status: 404 }));
    const missing = await streamResponse(request, {}, { fetch: f404 });
    expect(missing).toBeInstanceOf(HttpError);
    expect((missing as HttpError).status).toBe(404);
  });

  it("an abort completes as aborted with what arrived", async () => {
    const controller = new AbortController();
    const { fetchImpl } = fakeFetch(
      () => new Response(byteStream([new TextEncoder().encode(created() + textDelta("Tell me"))], { keepOpen: true }), { headers: { "Content-Type": "text/event-stream" } }),
    );
    const out = streamResponse(request, { onData: () => controller.abort() }, { fetch: fetchImpl, signal: controller.signal });
    expect(await out).toMatchObject({ status: "aborted", text: "Tell me" });
  });
});
