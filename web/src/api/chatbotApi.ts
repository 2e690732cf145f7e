// Streaming client for the chatbot gateway's OpenAI-compatible endpoint.
//
// EventSource cannot POST or set headers, so the stream is read with fetch and
// a ReadableStream reader, decoded with a streaming TextDecoder (a multi-byte
// character may be split across network chunks) and parsed by the SSE parser.

import { CallbackError, ChatbotError, HttpError, NetworkError, StreamError } from "./errors";
import { apiURL, authHeaders, describe, fetcher, postStream, type RequestOptions } from "./request";
import { errorFromBody, httpError } from "./responseErrors";
import { readResumable, type Verdict } from "./resume";
import { createSSEParser } from "./sse";
import { mergeToolCalls } from "./toolCalls";
import type { ChatCompletionChunk, ChatRequest, FinishReason, ModelInfo, ToolCall, Usage } from "./types";

export * from "./errors";
export { sha256Hex } from "./request";
export { parseRateLimits, parseResetDuration, parseRetryAfter } from "./responseErrors";
export type * from "./types";

/** How a stream ended without an error. */
export type StreamStatus = "complete" | "aborted";

/** The outcome of a stream that did not fail. */
export interface StreamResult {
  /** "complete" after `[DONE]`; "aborted" when the caller's AbortSignal fired. */
  status: StreamStatus;
  /** All text received, in order (partial when aborted). */
  text: string;
  /** All reasoning text received (`delta.reasoning_content`), in order. */
  reasoning: string;
  /** Tool calls assembled from `delta.tool_calls`, in index order. */
  toolCalls: ToolCall[];
  /** The finish_reason of the final chunk, or null when none arrived. */
  finishReason: FinishReason | null;
  /** The model that answered, as reported by the server. */
  model: string | undefined;
  /** The completion id (`chatcmpl-…`). */
  id: string | undefined;
  /** Token counts, present when requested with stream_options.include_usage. */
  usage: Usage | undefined;
}

export interface StreamCallbacks {
  /** Called for every chunk that carries text, in order. */
  onData?: (textDelta: string, chunk: ChatCompletionChunk) => void;
  /** Called for every chunk that carries reasoning text, in order. */
  onReasoning?: (reasoningDelta: string, chunk: ChatCompletionChunk) => void;
  /** Called with all tool calls so far whenever a chunk adds to them. */
  onToolCalls?: (toolCalls: ToolCall[], chunk: ChatCompletionChunk) => void;
  /** Called once when the stream fails. Never called for an abort. */
  onError?: (error: ChatbotError) => void;
  /** Called once when the stream ends with `[DONE]` or is aborted (see result.status). */
  onComplete?: (result: StreamResult) => void;
}

export interface StreamOptions extends RequestOptions {
  /** Base URL of the gateway, without `/v1`. Empty or undefined means the page's own origin. */
  endpoint?: string;
  /** Aborting stops the request; the stream then completes with status "aborted". */
  signal?: AbortSignal;
  /**
   * Waits before each attempt to resume a stream whose connection was cut
   * (one attempt per entry); an empty list never resumes.
   */
  resumeDelaysMs?: readonly number[];
}

/**
 * Sends a chat request with `stream: true` and reports the answer as it arrives.
 *
 * Exactly one of onComplete or onError is called, and the returned promise
 * resolves after it with the same outcome; it never rejects. An abort through
 * options.signal is not an error: onComplete receives status "aborted" with
 * the text received so far.
 */
export async function streamChatbotResponse(
  request: ChatRequest,
  callbacks: StreamCallbacks = {},
  options: StreamOptions = {},
): Promise<StreamResult | ChatbotError> {
  const result: StreamResult = {
    status: "complete",
    text: "",
    reasoning: "",
    toolCalls: [],
    finishReason: null,
    model: undefined,
    id: undefined,
    usage: undefined,
  };
  const signal = options.signal;

  const complete = (status: StreamStatus): StreamResult => {
    result.status = status;
    callbacks.onComplete?.(result);
    return result;
  };
  const fail = (error: ChatbotError): ChatbotError => {
    callbacks.onError?.(error);
    return error;
  };

  if (signal?.aborted) {
    return complete("aborted");
  }

  const body = await postStream(chatCompletionsURL(options.endpoint), request, options);
  if (body === "aborted") {
    return complete("aborted");
  }
  if (body instanceof ChatbotError) {
    return fail(body);
  }

  // The id of the last event handled: a resumed stream starts after it, so
  // no text is shown twice or skipped.
  let lastEventId: string | undefined;
  let parser = createSSEParser();

  // Returns the terminal outcome once a frame decides it, or undefined to keep reading.
  const handleText = (text: string): Verdict => {
    for (const event of parser.feed(text)) {
      if (event.type !== "message") {
        continue;
      }
      lastEventId = event.lastEventId || lastEventId;
      if (event.data === "[DONE]") {
        return "done";
      }
      let frame: unknown;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return new StreamError("The server sent a malformed frame.", { type: "invalid_frame" });
      }
      const inBand = errorFromBody(frame);
      if (inBand) {
        return new StreamError(inBand.message, inBand);
      }
      const chunk = frame as ChatCompletionChunk;
      result.id ??= chunk.id;
      if (chunk.model) {
        result.model = chunk.model;
      }
      if (chunk.usage) {
        result.usage = chunk.usage;
      }
      const choice = Array.isArray(chunk.choices) ? chunk.choices[0] : undefined;
      if (choice?.finish_reason) {
        result.finishReason = choice.finish_reason;
      }
      const delta = choice?.delta;
      try {
        const reasoning = delta?.reasoning_content;
        if (typeof reasoning === "string" && reasoning !== "") {
          result.reasoning += reasoning;
          callbacks.onReasoning?.(reasoning, chunk);
        }
        if (Array.isArray(delta?.tool_calls) && delta.tool_calls.length > 0) {
          result.toolCalls = mergeToolCalls(result.toolCalls, delta.tool_calls);
          callbacks.onToolCalls?.(result.toolCalls, chunk);
        }
        const content = delta?.content;
        if (typeof content === "string" && content !== "") {
          result.text += content;
          callbacks.onData?.(content, chunk);
        }
      } catch (err) {
        return new CallbackError(err);
      }
    }
    return undefined;
  };

  const outcome = await readResumable({
    body,
    signal,
    delaysMs: options.resumeDelaysMs,
    restart: () => {
      parser = createSSEParser();
    },
    feed: handleText,
    position: () => (result.id === undefined ? undefined : lastEventId),
    // GET /v1/chat/completions/{id}/stream with Last-Event-ID (docs/api.md "Resuming a stream").
    reopen: async (after, signal) => {
      const headers = { ...(await authHeaders(options.getToken)), Accept: "text/event-stream", "Last-Event-ID": after };
      const url = `${chatCompletionsURL(options.endpoint)}/${encodeURIComponent(result.id ?? "")}/stream`;
      return fetcher(options)(url, { method: "GET", headers, signal, cache: "no-store" });
    },
  });
  if (outcome === "done" || outcome === "aborted") {
    return complete(outcome === "done" ? "complete" : "aborted");
  }
  return fail(outcome);
}

/** Lists the gateway's models (`GET /v1/models`). Resolves to the list or to the error; never rejects. */
export async function listModels(
  options: Pick<StreamOptions, "endpoint" | "getToken" | "signal" | "fetch"> = {},
): Promise<ModelInfo[] | ChatbotError> {
  try {
    const headers: Record<string, string> = {};
    const token = await options.getToken?.();
    if (token) {
      headers["X-Authorization"] = `Bearer ${token}`;
    }
    const response = await fetcher(options)(apiURL(options.endpoint, "/v1/models"), { headers, signal: options.signal });
    if (!response.ok) {
      return await httpError(response);
    }
    const body: unknown = await response.json();
    const data = (body as { data?: unknown }).data;
    if (!Array.isArray(data)) {
      return new HttpError(response.status, "The model list is malformed.");
    }
    return data.filter((m): m is ModelInfo => typeof m?.id === "string" && m.id !== "");
  } catch (err) {
    return err instanceof ChatbotError ? err : new NetworkError(describe(err, "Could not list the models."), err);
  }
}

/** Joins the endpoint and the API path; an empty endpoint means same origin. */
export function chatCompletionsURL(endpoint: string | undefined): string {
  return apiURL(endpoint, "/v1/chat/completions");
}
