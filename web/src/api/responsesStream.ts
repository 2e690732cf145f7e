// Streaming client for the gateway's OpenAI Responses endpoint, used when
// the gateway keeps the conversation: the page sends only the new message and
// the conversation id, and reads the answer as Responses events.
//
// The reader is pure (text in, updates out) over the SSE parser, so every
// chunk boundary is testable without a network; streamResponse owns the
// fetch, and resume.ts the reading, as for streamChatbotResponse: a cut
// connection is resumed after the last event read.

import type { StreamOptions, StreamResult } from "./chatbotApi";
import { CallbackError, ChatbotError, StreamError, TruncatedError } from "./errors";
import { apiURL, authHeaders, fetcher, postStream } from "./request";
import { errorFromBody } from "./responseErrors";
import { readResumable, type Verdict } from "./resume";
import { createSSEParser } from "./sse";
import type { FinishReason, ToolCall } from "./types";

/** What one event changed, in stream order. */
export type ResponsesUpdate =
  | { kind: "text"; delta: string }
  | { kind: "reasoning"; delta: string }
  | { kind: "toolCalls"; toolCalls: ToolCall[] }
  /** The stream ended as it should: response.completed or response.incomplete. */
  | { kind: "end" }
  /** response.failed, an in-band error or a malformed frame; nothing is read after it. */
  | { kind: "error"; error: ChatbotError };

/** An incremental reader of one Responses stream. */
export interface ResponsesReader {
  /** Reads the next chunk of decoded text; returns what it completed. */
  feed(text: string): ResponsesUpdate[];
  /** The end of the stream: a cut (TruncatedError) unless a terminal event came. */
  close(): ResponsesUpdate[];
  /** Everything read so far. status is left to the caller. */
  readonly result: Omit<StreamResult, "status">;
  /**
   * The id of the last event read (the gateway's `id:`, its sequence_number):
   * a resumed stream starts after it.
   */
  readonly lastEventId: string | undefined;
  /** Starts reading a resumed stream: an event the cut left unfinished is dropped (it comes again). */
  restart(): void;
}

interface ResponseEnvelope {
  id?: unknown;
  model?: unknown;
  status?: unknown;
  error?: { code?: unknown; message?: unknown } | null;
  incomplete_details?: { reason?: unknown } | null;
  usage?: { input_tokens?: unknown; output_tokens?: unknown; total_tokens?: unknown } | null;
}

interface EventFrame {
  type?: unknown;
  delta?: unknown;
  item?: { id?: unknown; type?: unknown; call_id?: unknown; name?: unknown; arguments?: unknown } | null;
  item_id?: unknown;
  output_index?: unknown;
  sequence_number?: unknown;
  response?: ResponseEnvelope | null;
}

const str = (v: unknown): string | undefined => (typeof v === "string" ? v : undefined);
const num = (v: unknown): number => (typeof v === "number" && Number.isFinite(v) ? v : 0);

/** Creates a reader for one stream. */
export function createResponsesReader(): ResponsesReader {
  let parser = createSSEParser();
  let lastEventId: string | undefined;
  const result: Omit<StreamResult, "status"> = {
    text: "",
    reasoning: "",
    toolCalls: [],
    finishReason: null,
    model: undefined,
    id: undefined,
    usage: undefined,
  };
  // function_call items by item id, so argument deltas find their call.
  const calls = new Map<string, ToolCall>();
  let done = false;

  const envelope = (r: ResponseEnvelope | null | undefined) => {
    if (!r) return;
    result.id ??= str(r.id);
    result.model = str(r.model) || result.model;
    if (r.usage) {
      const prompt = num(r.usage.input_tokens);
      const completion = num(r.usage.output_tokens);
      result.usage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: num(r.usage.total_tokens) || prompt + completion };
    }
  };

  const toolCalls = (): ResponsesUpdate => {
    result.toolCalls = [...calls.values()].map((c) => ({ ...c }));
    return { kind: "toolCalls", toolCalls: result.toolCalls };
  };

  const handle = (frame: EventFrame, eventName: string): ResponsesUpdate | undefined => {
    const type = str(frame.type) ?? eventName;
    switch (type) {
      case "response.created":
      case "response.in_progress":
        envelope(frame.response);
        return undefined;
      case "response.output_text.delta": {
        const delta = str(frame.delta) ?? "";
        result.text += delta;
        return delta === "" ? undefined : { kind: "text", delta };
      }
      case "response.reasoning_summary_text.delta":
      case "response.reasoning_text.delta": {
        const delta = str(frame.delta) ?? "";
        result.reasoning += delta;
        return delta === "" ? undefined : { kind: "reasoning", delta };
      }
      case "response.output_item.added":
      case "response.output_item.done": {
        const item = frame.item;
        if (item?.type !== "function_call") return undefined;
        const id = str(item.id) ?? str(item.call_id) ?? "";
        const known = calls.get(id);
        const call: ToolCall = {
          index: known?.index ?? calls.size,
          id: str(item.call_id) ?? known?.id ?? id,
          type: "function",
          name: str(item.name) || known?.name || "",
          // The done item carries the whole arguments; the added one none yet.
          arguments: type === "response.output_item.done" ? (str(item.arguments) ?? known?.arguments ?? "") : (known?.arguments ?? str(item.arguments) ?? ""),
        };
        calls.set(id, call);
        return toolCalls();
      }
      case "response.function_call_arguments.delta": {
        const call = calls.get(str(frame.item_id) ?? "");
        const delta = str(frame.delta) ?? "";
        if (!call || delta === "") return undefined;
        call.arguments += delta;
        return toolCalls();
      }
      case "response.completed":
        envelope(frame.response);
        result.finishReason = calls.size > 0 ? "tool_calls" : "stop";
        done = true;
        return { kind: "end" };
      case "response.incomplete": {
        envelope(frame.response);
        const reason = str(frame.response?.incomplete_details?.reason);
        result.finishReason = (reason === "max_output_tokens" ? "length" : reason || "length") as FinishReason;
        done = true;
        return { kind: "end" };
      }
      case "response.failed": {
        envelope(frame.response);
        const e = frame.response?.error;
        done = true;
        return {
          kind: "error",
          error: new StreamError(str(e?.message) || "The answer failed.", { code: str(e?.code), type: "response.failed" }),
        };
      }
      case "error": {
        // A bare error event (OpenAI's shape) or an OpenAI error object.
        const body = frame as Record<string, unknown>;
        const inBand = errorFromBody(body) ?? { message: str(body.message) || "The server reported an error.", code: str(body.code) };
        done = true;
        return { kind: "error", error: new StreamError(inBand.message, inBand) };
      }
      default:
        return undefined; // parts, .done events and future events change nothing shown
    }
  };

  const feed = (text: string): ResponsesUpdate[] => {
    const out: ResponsesUpdate[] = [];
    if (done) return out;
    for (const event of parser.feed(text)) {
      let frame: unknown;
      try {
        frame = JSON.parse(event.data);
      } catch {
        done = true;
        out.push({ kind: "error", error: new StreamError("The server sent a malformed frame.", { type: "invalid_frame" }) });
        return out;
      }
      if (typeof frame !== "object" || frame === null) continue;
      const seq = (frame as EventFrame).sequence_number;
      lastEventId = event.lastEventId || (typeof seq === "number" ? String(seq) : lastEventId);
      const inBand = event.type !== "error" && !("type" in frame) ? errorFromBody(frame) : undefined;
      const update = inBand
        ? ((done = true), { kind: "error" as const, error: new StreamError(inBand.message, inBand) })
        : handle(frame as EventFrame, event.type);
      if (update) out.push(update);
      if (done) return out;
    }
    return out;
  };

  const close = (): ResponsesUpdate[] => {
    if (done) return [];
    done = true;
    return [{ kind: "error", error: new TruncatedError() }];
  };

  return {
    feed,
    close,
    result,
    get lastEventId() {
      return lastEventId;
    },
    restart() {
      parser = createSSEParser();
    },
  };
}

/** A Responses request that continues a stored conversation. */
export interface ResponsesRequest {
  /** The new user message. */
  input: string;
  /** The stored conversation the gateway appends the input and the answer to. */
  conversation: string;
  model?: string;
  instructions?: string;
  max_output_tokens?: number;
  temperature?: number;
  top_p?: number;
}

export interface ResponsesCallbacks {
  onData?: (textDelta: string, meta: { model: string }) => void;
  onReasoning?: (reasoningDelta: string, meta: { model: string }) => void;
  onToolCalls?: (toolCalls: ToolCall[]) => void;
  onError?: (error: ChatbotError) => void;
  onComplete?: (result: StreamResult) => void;
}

/** The same options as streamChatbotResponse's. */
export type ResponsesOptions = StreamOptions;

/**
 * Sends a Responses request with `stream: true` and reports the answer as it
 * arrives. Exactly one of onComplete or onError is called and the promise
 * resolves after it with the same outcome; it never rejects. An abort is not
 * an error: onComplete gets status "aborted" with what arrived.
 */
export async function streamResponse(
  request: ResponsesRequest,
  callbacks: ResponsesCallbacks = {},
  options: ResponsesOptions = {},
): Promise<StreamResult | ChatbotError> {
  const reader = createResponsesReader();
  const signal = options.signal;
  const complete = (status: StreamResult["status"]): StreamResult => {
    const result: StreamResult = { ...reader.result, status };
    callbacks.onComplete?.(result);
    return result;
  };
  const fail = (error: ChatbotError): ChatbotError => {
    callbacks.onError?.(error);
    return error;
  };
  if (signal?.aborted) return complete("aborted");

  const responsesURL = apiURL(options.endpoint, "/v1/responses");
  const body = await postStream(responsesURL, request, options);
  if (body === "aborted") return complete("aborted");
  if (body instanceof ChatbotError) return fail(body);

  const meta = () => ({ model: reader.result.model ?? "" });
  // Applies updates; returns the outcome once one decides it.
  const apply = (updates: ResponsesUpdate[]): Verdict => {
    try {
      for (const u of updates) {
        switch (u.kind) {
          case "text":
            callbacks.onData?.(u.delta, meta());
            break;
          case "reasoning":
            callbacks.onReasoning?.(u.delta, meta());
            break;
          case "toolCalls":
            callbacks.onToolCalls?.(u.toolCalls);
            break;
          case "end":
            return "done";
          case "error":
            return u.error; // response.failed and error events end the answer: never resumed
        }
      }
    } catch (err) {
      return new CallbackError(err);
    }
    return undefined;
  };

  const outcome = await readResumable({
    body,
    signal,
    delaysMs: options.resumeDelaysMs,
    restart: reader.restart,
    feed: (text) => apply(reader.feed(text)),
    position: () => (reader.result.id === undefined ? undefined : reader.lastEventId),
    // OpenAI's own resume: GET /v1/responses/{id}?stream=true&starting_after=n. A GET has no
    // body, so no x-amz-content-sha256 (the gateway checks it for bodies only).
    reopen: async (after, signal) => {
      const url = `${responsesURL}/${encodeURIComponent(reader.result.id ?? "")}?stream=true&starting_after=${encodeURIComponent(after)}`;
      const headers = { ...(await authHeaders(options.getToken)), Accept: "text/event-stream" };
      return fetcher(options)(url, { method: "GET", headers, signal, cache: "no-store" });
    },
  });
  if (outcome === "done" || outcome === "aborted") return complete(outcome === "done" ? "complete" : "aborted");
  return fail(outcome);
}

