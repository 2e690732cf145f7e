import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  AuthError,
  ChatbotError,
  HttpError,
  NetworkError,
  StreamError,
  TruncatedError,
  chatCompletionsURL,
  listModels,
  streamChatbotResponse,
  type ChatRequest,
  type StreamOptions,
  type StreamResult,
} from "../src/api/chatbotApi";
import { byteStream, chunk, fakeFetch, sse } from "./streamHelpers";

const request: ChatRequest = { messages: [{ role: "user", content: "Héllo, ELIZA 🙂" }] };

const okStream =
  chunk({ role: "assistant", content: "" }) +
  ": ping\n\n" +
  chunk({ content: "Héllo " }) +
  chunk({ content: "世界 🙂" }) +
  chunk({}, "stop") +
  `data: ${JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model: "eliza",
    choices: [],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  })}\n\n` +
  "data: [DONE]\n\n";

interface Run {
  deltas: string[];
  errors: ChatbotError[];
  completes: StreamResult[];
  returned: StreamResult | ChatbotError;
}

async function run(options: StreamOptions, req: ChatRequest = request): Promise<Run> {
  const deltas: string[] = [];
  const errors: ChatbotError[] = [];
  const completes: StreamResult[] = [];
  const returned = await streamChatbotResponse(
    req,
    {
      onData: (d) => deltas.push(d),
      onError: (e) => errors.push(e),
      onComplete: (r) => completes.push(r),
    },
    options,
  );
  return { deltas, errors, completes, returned };
}

describe("streamChatbotResponse", () => {
  it("posts the request with stream:true, JSON content type and the body's SHA-256", async () => {
    const { calls, fetchImpl } = fakeFetch(() => sse(okStream));
    await run({ fetch: fetchImpl, endpoint: "https://chat.example.com/" });
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.url).toBe("https://chat.example.com/v1/chat/completions");
    expect(call.init.method).toBe("POST");
    expect(call.headers.get("content-type")).toBe("application/json");
    const body = call.init.body as string;
    expect(JSON.parse(body)).toEqual({ ...request, stream: true });
    const want = createHash("sha256").update(body, "utf8").digest("hex");
    expect(call.headers.get("x-amz-content-sha256")).toBe(want);
  });

  it("sends the token as X-Authorization when getToken returns one", async () => {
    const { calls, fetchImpl } = fakeFetch(() => sse(okStream));
    await run({ fetch: fetchImpl, getToken: async () => "tok.en.jwt" });
    expect(calls[0]!.headers.get("x-authorization")).toBe("Bearer tok.en.jwt");
    expect(calls[0]!.headers.has("authorization")).toBe(false);
  });

  it("omits the token header when getToken returns nothing or is absent", async () => {
    for (const getToken of [undefined, async () => undefined, async () => ""]) {
      const { calls, fetchImpl } = fakeFetch(() => sse(okStream));
      await run({ fetch: fetchImpl, getToken });
      expect(calls[0]!.headers.has("x-authorization")).toBe(false);
    }
  });

  it("uses the page's origin when the endpoint is empty", () => {
    expect(chatCompletionsURL(undefined)).toBe("/v1/chat/completions");
    expect(chatCompletionsURL("")).toBe("/v1/chat/completions");
    expect(chatCompletionsURL("http://127.0.0.1:8080")).toBe("http://127.0.0.1:8080/v1/chat/completions");
  });

  it("assembles deltas until [DONE] and reports model, finish reason and usage", async () => {
    const { fetchImpl } = fakeFetch(() => sse(okStream));
    const got = await run({ fetch: fetchImpl });
    expect(got.errors).toEqual([]);
    expect(got.deltas).toEqual(["Héllo ", "世界 🙂"]);
    expect(got.completes).toHaveLength(1);
    const result = got.completes[0]!;
    expect(result).toEqual({
      status: "complete",
      text: "Héllo 世界 🙂",
      reasoning: "",
      toolCalls: [],
      finishReason: "stop",
      model: "eliza",
      id: "chatcmpl-1",
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    });
    expect(got.returned).toBe(result);
  });

  it("decodes correctly when the bytes are split anywhere, even inside a character", async () => {
    const total = new TextEncoder().encode(okStream).length;
    for (let i = 0; i <= total; i++) {
      const { fetchImpl } = fakeFetch(() => sse(okStream, {}, (b) => [b.slice(0, i), b.slice(i)]));
      const got = await run({ fetch: fetchImpl });
      expect(got.errors, `split at byte ${i}`).toEqual([]);
      expect(got.completes[0]?.text, `split at byte ${i}`).toBe("Héllo 世界 🙂");
    }
    const { fetchImpl } = fakeFetch(() => sse(okStream, {}, (b) => Array.from(b, (x) => new Uint8Array([x]))));
    const got = await run({ fetch: fetchImpl });
    expect(got.completes[0]?.text).toBe("Héllo 世界 🙂");
  });

  it("reports an in-band error frame as a StreamError and stops", async () => {
    const body =
      chunk({ role: "assistant", content: "" }) +
      chunk({ content: "partial " }) +
      'data: {"error":{"message":"model overloaded","type":"server_error","code":"unavailable"}}\n\n';
    const { fetchImpl } = fakeFetch(() => sse(body));
    const got = await run({ fetch: fetchImpl });
    expect(got.completes).toEqual([]);
    expect(got.deltas).toEqual(["partial "]);
    expect(got.errors).toHaveLength(1);
    const err = got.errors[0]!;
    expect(err).toBeInstanceOf(StreamError);
    expect(err.kind).toBe("stream");
    expect(err.message).toBe("model overloaded");
    expect((err as StreamError).code).toBe("unavailable");
    expect(got.returned).toBe(err);
  });

  it("reports a stream that ends without [DONE] as truncated", async () => {
    const body = chunk({ content: "cut " }) + chunk({ content: "off" }) + "data: [DO";
    const { fetchImpl } = fakeFetch(() => sse(body));
    const got = await run({ fetch: fetchImpl });
    expect(got.completes).toEqual([]);
    expect(got.deltas).toEqual(["cut ", "off"]);
    expect(got.errors).toHaveLength(1);
    expect(got.errors[0]).toBeInstanceOf(TruncatedError);
  });

  it("maps 401 to AuthError with the server's message", async () => {
    const { fetchImpl } = fakeFetch(
      () =>
        new Response(JSON.stringify({ error: { message: "missing bearer token", type: "invalid_request_error", code: "invalid_token" } }), {
          status: 401,
          headers: { "Content-Type": "application/json", "WWW-Authenticate": 'Bearer error="invalid_token"' },
        }),
    );
    const got = await run({ fetch: fetchImpl });
    expect(got.completes).toEqual([]);
    const err = got.errors[0]!;
    expect(err).toBeInstanceOf(AuthError);
    expect(err).toBeInstanceOf(HttpError);
    expect(err.kind).toBe("auth");
    expect((err as AuthError).status).toBe(401);
    expect(err.message).toBe("missing bearer token");
    expect((err as AuthError).code).toBe("invalid_token");
  });

  it("maps 400 to HttpError with the server's message and param", async () => {
    const { fetchImpl } = fakeFetch(
      () =>
        new Response(JSON.stringify({ error: { message: "n must be 1", type: "invalid_request_error", code: "unsupported", param: "n" } }), {
          status: 400,
          headers: { "Content-Type": "application/json" },
        }),
    );
    const got = await run({ fetch: fetchImpl });
    const err = got.errors[0]! as HttpError;
    expect(err).toBeInstanceOf(HttpError);
    expect(err).not.toBeInstanceOf(AuthError);
    expect(err.kind).toBe("http");
    expect(err.status).toBe(400);
    expect(err.message).toBe("n must be 1");
    expect(err.param).toBe("n");
  });

  it("keeps the status text when an error body is not JSON", async () => {
    const { fetchImpl } = fakeFetch(() => new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway" }));
    const got = await run({ fetch: fetchImpl });
    const err = got.errors[0]! as HttpError;
    expect(err.status).toBe(502);
    expect(err.message).toBe("Bad Gateway");
  });

  it("maps a failed fetch to NetworkError", async () => {
    const fetchImpl = (async () => {
      throw new TypeError("fetch failed");
    }) as typeof fetch;
    const got = await run({ fetch: fetchImpl });
    expect(got.errors[0]).toBeInstanceOf(NetworkError);
    expect(got.completes).toEqual([]);
  });

  it("maps a connection reset while reading to NetworkError", async () => {
    const bytes = new TextEncoder().encode(chunk({ content: "so far" }));
    const { fetchImpl } = fakeFetch(
      () => new Response(byteStream([bytes], { errorAtEnd: new TypeError("terminated") }), { status: 200 }),
    );
    const got = await run({ fetch: fetchImpl });
    expect(got.deltas).toEqual(["so far"]);
    expect(got.errors[0]).toBeInstanceOf(NetworkError);
  });

  it("treats an abort mid-stream as completion with status aborted, not an error", async () => {
    const controller = new AbortController();
    const bytes = new TextEncoder().encode(chunk({ content: "Hello " }));
    const { fetchImpl } = fakeFetch(() => new Response(byteStream([bytes], { keepOpen: true }), { status: 200 }));
    const deltas: string[] = [];
    const errors: ChatbotError[] = [];
    const completes: StreamResult[] = [];
    const returned = await streamChatbotResponse(
      request,
      {
        onData: (d) => {
          deltas.push(d);
          controller.abort(); // the stream stays open: only the abort can end it
        },
        onError: (e) => errors.push(e),
        onComplete: (r) => completes.push(r),
      },
      { fetch: fetchImpl, signal: controller.signal },
    );
    expect(errors).toEqual([]);
    expect(deltas).toEqual(["Hello "]);
    expect(completes).toHaveLength(1);
    expect(completes[0]!.status).toBe("aborted");
    expect(completes[0]!.text).toBe("Hello ");
    expect(returned).toBe(completes[0]);
  });

  it("treats an abort before the response as aborted", async () => {
    const controller = new AbortController();
    const { fetchImpl } = fakeFetch(
      (signal) =>
        new Promise<Response>((_, reject) => {
          signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
          controller.abort();
        }),
    );
    const got = await run({ fetch: fetchImpl, signal: controller.signal });
    expect(got.errors).toEqual([]);
    expect(got.completes.map((r) => r.status)).toEqual(["aborted"]);
  });

  it("does not call fetch when the signal is already aborted", async () => {
    const { calls, fetchImpl } = fakeFetch(() => sse(okStream));
    const got = await run({ fetch: fetchImpl, signal: AbortSignal.abort() });
    expect(calls).toHaveLength(0);
    expect(got.completes.map((r) => r.status)).toEqual(["aborted"]);
  });

  it("reports a getToken failure as an auth error without sending", async () => {
    const { calls, fetchImpl } = fakeFetch(() => sse(okStream));
    const got = await run({
      fetch: fetchImpl,
      getToken: async () => {
        throw new Error("not signed in");
      },
    });
    expect(calls).toHaveLength(0);
    expect(got.errors[0]).toBeInstanceOf(AuthError);
  });
});

describe("listModels", () => {
  it("lists the models with the token, skipping malformed entries", async () => {
    const body = { object: "list", data: [{ id: "eliza", object: "model", owned_by: "chatbot" }, { id: "" }, { nope: 1 }, null] };
    const { calls, fetchImpl } = fakeFetch(() => new Response(JSON.stringify(body), { status: 200 }));
    const got = await listModels({ fetch: fetchImpl, endpoint: "http://127.0.0.1:8080/", getToken: async () => "sk-x" });
    expect(got).toEqual([{ id: "eliza", object: "model", owned_by: "chatbot" }]);
    expect(calls[0]!.url).toBe("http://127.0.0.1:8080/v1/models");
    expect(calls[0]!.headers.get("x-authorization")).toBe("Bearer sk-x");
  });

  it("reports a 401 as AuthError and a failed fetch as NetworkError, never rejecting", async () => {
    const denied = fakeFetch(
      () => new Response(JSON.stringify({ error: { message: "missing credentials", type: "authentication_error" } }), { status: 401 }),
    );
    const got = await listModels({ fetch: denied.fetchImpl });
    expect(got).toBeInstanceOf(AuthError);
    expect((got as AuthError).message).toBe("missing credentials");
    const down = fakeFetch(() => Promise.reject(new TypeError("connection refused")));
    expect(await listModels({ fetch: down.fetchImpl })).toBeInstanceOf(NetworkError);
  });
});
