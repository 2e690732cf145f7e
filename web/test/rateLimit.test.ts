import { describe, expect, it } from "vitest";
import {
  HttpError,
  RateLimitError,
  UnavailableError,
  parseRateLimits,
  parseResetDuration,
  parseRetryAfter,
  streamChatbotResponse,
  type ChatbotError,
} from "../src/api/chatbotApi";
import { httpError } from "../src/api/responseErrors";
import { describeError, errorView, formatWait } from "../src/chat/errorText";
import { loadState, saveState, type KeyValueStore } from "../src/chat/storage";
import { fakeFetch } from "./streamHelpers";

/** A refusal as the gateway writes it (internal/gateway: toAPIError, setErrorHeaders, setRateHeaders). */
function gatewayRefusal(code: string, type: string, message: string, headers: Record<string, string>, status = 429) {
  return new Response(JSON.stringify({ error: { message, type, param: null, code } }), {
    status,
    headers: { "Content-Type": "application/json", ...headers },
  });
}

/** The error streamChatbotResponse reports for response, through its onError and its result. */
async function failWith(response: Response): Promise<ChatbotError> {
  const { fetchImpl } = fakeFetch(() => response);
  const errors: ChatbotError[] = [];
  const returned = await streamChatbotResponse(
    { messages: [{ role: "user", content: "hi" }] },
    { onError: (e) => errors.push(e), onComplete: () => errors.push(new Error("completed") as ChatbotError) },
    { fetch: fetchImpl },
  );
  expect(errors).toHaveLength(1);
  expect(returned).toBe(errors[0]);
  return errors[0]!;
}

describe("rate limit refusals from the gateway", () => {
  it("reads requests_per_minute_exceeded with Retry-After and the request window", async () => {
    const err = await failWith(
      gatewayRefusal("requests_per_minute_exceeded", "requests", "Rate limit reached: this account may send 20 requests per minute. Try again in 40s.", {
        "Retry-After": "40",
        "x-ratelimit-limit-requests": "20",
        "x-ratelimit-remaining-requests": "0",
        "x-ratelimit-reset-requests": "40s",
      }),
    );
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err).toBeInstanceOf(HttpError);
    const rl = err as RateLimitError;
    expect(rl.kind).toBe("rate_limit");
    expect(rl.status).toBe(429);
    expect(rl.limit).toBe("requests_per_minute");
    expect(rl.code).toBe("requests_per_minute_exceeded");
    expect(rl.retryAfter).toBe(40);
    expect(rl.rateLimits).toEqual({ requests: { limit: 20, remaining: 0, resetSeconds: 40 } });
    expect(describeError(errorView(rl))).toBe("You've sent too many messages this minute — try again in 40 s.");
    expect(describeError(rl)).toBe(describeError(errorView(rl)));
  });

  it("reads tokens_per_day_exceeded and says when the budget resets", async () => {
    const err = (await failWith(
      gatewayRefusal("tokens_per_day_exceeded", "tokens", "Daily token budget used up.", {
        "Retry-After": "10800",
        "x-ratelimit-limit-tokens": "200000",
        "x-ratelimit-remaining-tokens": "0",
        "x-ratelimit-reset-tokens": "3h0m0s",
      }),
    )) as RateLimitError;
    expect(err.limit).toBe("tokens_per_day");
    expect(err.type).toBe("tokens");
    expect(err.retryAfter).toBe(10800);
    expect(err.rateLimits).toEqual({ tokens: { limit: 200000, remaining: 0, resetSeconds: 10800 } });
    expect(describeError(errorView(err))).toBe("You've used today's token budget — it resets in 3 h.");
  });

  it("reads concurrent_streams_exceeded and asks to wait for an answer to finish", async () => {
    const err = (await failWith(
      gatewayRefusal("concurrent_streams_exceeded", "requests", "Too many answers at once.", { "Retry-After": "1" }),
    )) as RateLimitError;
    expect(err.limit).toBe("concurrent_streams");
    expect(err.retryAfter).toBe(1);
    expect(err.rateLimits).toBeUndefined();
    expect(describeError(errorView(err))).toBe("Too many answers are streaming at once for you — wait for one to finish.");
  });

  it("calls a gateway 429 with a code it does not know rate_limited", async () => {
    const err = (await failWith(gatewayRefusal("something_new_exceeded", "requests", "Slow down.", { "Retry-After": "5" }))) as RateLimitError;
    expect(err.limit).toBe("rate_limited");
    expect(describeError(errorView(err))).toBe("You're sending requests too quickly — try again in 5 s.");
  });

  it("falls back to the refusing window's reset header when Retry-After is missing", async () => {
    const rpm = (await failWith(
      gatewayRefusal("requests_per_minute_exceeded", "requests", "m", {
        "x-ratelimit-reset-requests": "17s",
        "x-ratelimit-reset-tokens": "9h12m5s",
      }),
    )) as RateLimitError;
    expect(rpm.retryAfter).toBe(17);
    const tok = (await failWith(
      gatewayRefusal("tokens_per_day_exceeded", "tokens", "m", {
        "x-ratelimit-reset-requests": "17s",
        "x-ratelimit-reset-tokens": "9h12m5s",
      }),
    )) as RateLimitError;
    expect(tok.retryAfter).toBe(9 * 3600 + 12 * 60 + 5);
    expect(describeError(errorView(tok))).toBe("You've used today's token budget — it resets in 9 h.");
  });

  it("says 'in a moment' when neither Retry-After nor a reset header says when", async () => {
    const rpm = (await failWith(gatewayRefusal("requests_per_minute_exceeded", "requests", "m", {}))) as RateLimitError;
    expect(rpm.limit).toBe("requests_per_minute");
    expect(rpm.retryAfter).toBeUndefined();
    expect(describeError(errorView(rpm))).toBe("You've sent too many messages this minute — try again in a moment.");
    const tok = (await failWith(gatewayRefusal("tokens_per_day_exceeded", "tokens", "m", { "Retry-After": "soon" }))) as RateLimitError;
    expect(tok.retryAfter).toBeUndefined();
    expect(describeError(errorView(tok))).toBe("You've used today's token budget — it resets at midnight UTC.");
  });
});

describe("throttles in front of the gateway", () => {
  it("reads Lambda's own 429 body as throttled, never as the gateway's limit", async () => {
    const err = (await failWith(
      new Response(JSON.stringify({ Message: "Rate Exceeded." }), {
        status: 429,
        headers: { "Content-Type": "application/json", "x-amzn-ErrorType": "TooManyRequestsException" },
      }),
    )) as RateLimitError;
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.limit).toBe("throttled");
    expect(err.code).toBeUndefined();
    expect(err.retryAfter).toBeUndefined();
    expect(err.message).toBe("Rate Exceeded.");
    expect(describeError(errorView(err))).toBe("The service is busy — try again in a moment.");
  });

  it("reads a non-JSON 429 (a CloudFront page) as throttled, keeping its Retry-After", async () => {
    const err = (await failWith(
      new Response("<html><body><h1>429 ERROR</h1>The request could not be satisfied.</body></html>", {
        status: 429,
        statusText: "Too Many Requests",
        headers: { "Content-Type": "text/html", "Retry-After": "3" },
      }),
    )) as RateLimitError;
    expect(err.limit).toBe("throttled");
    expect(err.message).toBe("Too Many Requests");
    expect(err.retryAfter).toBe(3);
    expect(describeError(errorView(err))).toBe("The service is busy — try again in 3 s.");
  });

  it("reads an empty 429 without a status text as throttled", async () => {
    const err = (await failWith(new Response(null, { status: 429 }))) as RateLimitError;
    expect(err.limit).toBe("throttled");
    expect(err.message).toBe("HTTP 429");
  });

  it("reads CloudFront's 503 throttle page as throttled", async () => {
    const err = (await failWith(
      new Response("<HTML><BODY>The Lambda function associated with the CloudFront distribution was throttled.</BODY></HTML>", {
        status: 503,
        headers: { "Content-Type": "text/html" },
      }),
    )) as RateLimitError;
    expect(err).toBeInstanceOf(RateLimitError);
    expect(err.status).toBe(503);
    expect(err.limit).toBe("throttled");
    expect(describeError(errorView(err))).toBe("The service is busy — try again in a moment.");
  });

  it("reads the gateway's own 503 as unavailable, with how long to wait", async () => {
    const err = (await failWith(
      gatewayRefusal("model_unavailable", "service_unavailable_error", "the model is unavailable; retry shortly", { "Retry-After": "5" }, 503),
    )) as UnavailableError;
    expect(err).toBeInstanceOf(UnavailableError);
    expect(err).not.toBeInstanceOf(RateLimitError);
    expect(err.kind).toBe("unavailable");
    expect(err.retryAfter).toBe(5);
    expect(describeError(errorView(err))).toBe("The model is unavailable right now — try again in 5 s.");
    const other = await failWith(
      gatewayRefusal("shutting_down", "service_unavailable_error", "the server is shutting down; retry", { "Retry-After": "1" }, 503),
    );
    expect(describeError(errorView(other))).toBe("The service is unavailable right now — try again in 1 s.");
  });

  it("leaves other statuses as they were", async () => {
    const err = await httpError(new Response("<html>bad gateway</html>", { status: 502, statusText: "Bad Gateway", headers: { "Retry-After": "2" } }));
    expect(err).not.toBeInstanceOf(RateLimitError);
    expect(err.kind).toBe("http");
    expect(err.retryAfter).toBe(2);
  });
});

describe("header parsing", () => {
  const now = Date.parse("2026-11-20T10:00:00Z");

  it.each([
    { value: "40", want: 40 },
    { value: " 0 ", want: 0 },
    { value: "Fri, 20 Nov 2026 10:00:30 GMT", want: 30 },
    { value: "Fri, 20 Nov 2026 09:59:00 GMT", want: 0 },
    { value: null, want: undefined },
    { value: "", want: undefined },
    { value: "-5", want: undefined },
    { value: "1.5", want: undefined },
    { value: "soon", want: undefined },
  ])("Retry-After $value is $want s", ({ value, want }) => {
    expect(parseRetryAfter(value, now)).toBe(want);
  });

  it.each([
    { value: "17s", want: 17 },
    { value: "0s", want: 0 },
    { value: "6m0s", want: 360 },
    { value: "9h12m5s", want: 33125 },
    { value: "1.5s", want: 1.5 },
    { value: "20ms", want: 0.02 },
    { value: "1m30ms", want: 60.03 },
    { value: "17", want: undefined },
    { value: "s", want: undefined },
    { value: "5s junk", want: undefined },
    { value: "junk5s", want: undefined },
  ])("reset $value is $want s", ({ value, want }) => {
    const got = parseResetDuration(value);
    if (want === undefined) {
      expect(got).toBeUndefined();
    } else {
      expect(got).toBeCloseTo(want, 9);
    }
  });

  it("reads only the windows present, and ignores unreadable numbers", () => {
    expect(parseRateLimits(new Headers())).toBeUndefined();
    expect(
      parseRateLimits(
        new Headers({ "x-ratelimit-limit-tokens": "1000", "x-ratelimit-remaining-tokens": "-3", "x-ratelimit-reset-tokens": "1h" }),
      ),
    ).toEqual({ tokens: { limit: 1000, resetSeconds: 3600 } });
  });
});

describe("wait and error texts", () => {
  it.each([
    { seconds: 0.2, want: "1 s" },
    { seconds: 40, want: "40 s" },
    { seconds: 89, want: "89 s" },
    { seconds: 90, want: "2 min" },
    { seconds: 301, want: "6 min" },
    { seconds: 10_800, want: "3 h" },
    { seconds: 9 * 3600 + 40 * 60, want: "10 h" },
  ])("formats $seconds s as $want", ({ seconds, want }) => {
    expect(formatWait(seconds)).toBe(want);
  });

  it("never shows the server's JSON for a refusal", async () => {
    const body = JSON.stringify({ error: { message: '{"raw":"json"}', type: "requests", code: "requests_per_minute_exceeded" } });
    const err = await failWith(new Response(body, { status: 429, headers: { "Retry-After": "9" } }));
    expect(describeError(errorView(err))).not.toContain("{");
  });

  it("keeps which limit refused across a reload, but not the wait that was only true then", () => {
    const data = new Map<string, string>();
    const store: KeyValueStore = {
      getItem: (k) => data.get(k) ?? null,
      setItem: (k, v) => void data.set(k, v),
      removeItem: (k) => void data.delete(k),
    };
    const error = { kind: "rate_limit" as const, message: "m", limit: "requests_per_minute" as const, retryAfter: 40 };
    saveState(store, {
      conversations: [
        {
          id: "c",
          title: "hi",
          updatedAt: 1,
          messages: [
            { id: "u", role: "user", content: "hi", status: "done" },
            { id: "a", role: "assistant", content: "", status: "error", error },
          ],
        },
      ],
      currentId: "c",
    });
    const loaded = loadState(store, 2).conversations[0]!.messages[1]!.error!;
    expect(loaded).toEqual({ kind: "rate_limit", message: "m", limit: "requests_per_minute" });
    expect(describeError(loaded)).toBe("You've sent too many messages this minute — try again in a moment.");
  });
});
