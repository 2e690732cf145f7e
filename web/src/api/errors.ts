// Typed failures of a chat stream. Every error passed to onError is a
// ChatbotError; callers branch with instanceof (or on `kind`, which survives
// structured cloning and is handy in UI code).

/** What went wrong, as a stable string. */
export type ChatbotErrorKind = "auth" | "http" | "rate_limit" | "unavailable" | "stream" | "truncated" | "network" | "callback";

/** The base class of every error reported by streamChatbotResponse. */
export class ChatbotError extends Error {
  readonly kind: ChatbotErrorKind;

  constructor(kind: ChatbotErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
    this.kind = kind;
  }
}

/** Details of an OpenAI-style error object: `{"error":{"message","type","code","param"}}`. */
export interface ErrorDetails {
  type?: string;
  code?: string;
  param?: string;
}

/** What an error answer said about waiting: its Retry-After and x-ratelimit-* headers. */
export interface RetryDetails {
  /** Seconds to wait before retrying, from Retry-After; undefined when absent or unreadable. */
  retryAfter?: number;
  /** The x-ratelimit-* headers, when the answer carried any. */
  rateLimits?: RateLimits;
}

/** The server answered with a non-2xx status before streaming. */
export class HttpError extends ChatbotError {
  readonly status: number;
  readonly type: string | undefined;
  readonly code: string | undefined;
  readonly param: string | undefined;
  /** Seconds to wait before retrying (Retry-After), when the server said. */
  readonly retryAfter: number | undefined;
  readonly rateLimits: RateLimits | undefined;

  constructor(
    status: number,
    message: string,
    details: ErrorDetails & RetryDetails = {},
    kind: ChatbotErrorKind = "http",
  ) {
    super(kind, message);
    this.status = status;
    this.type = details.type;
    this.code = details.code;
    this.param = details.param;
    this.retryAfter = details.retryAfter;
    this.rateLimits = details.rateLimits;
  }
}

/**
 * Which limit refused a request. The first three are the gateway's own
 * (its `error.code`); "rate_limited" is a gateway 429 with another code;
 * "throttled" is a refusal that is not the gateway's: Lambda's reserved
 * concurrency, or CloudFront, whose bodies are not OpenAI errors.
 */
export type LimitKind =
  | "requests_per_minute"
  | "tokens_per_day"
  | "concurrent_streams"
  | "rate_limited"
  | "throttled";

/** The request was refused for rate (HTTP 429, or a 503 throttle page from in front of the gateway). */
export class RateLimitError extends HttpError {
  readonly limit: LimitKind;

  constructor(status: number, limit: LimitKind, message: string, details: ErrorDetails & RetryDetails = {}) {
    super(status, message, details, "rate_limit");
    this.limit = limit;
  }
}

/** The gateway cannot answer now (HTTP 503 with its own error body, e.g. `model_unavailable`). */
export class UnavailableError extends HttpError {
  constructor(message: string, details: ErrorDetails & RetryDetails = {}) {
    super(503, message, details, "unavailable");
  }
}

/** One window of OpenAI's x-ratelimit-* headers (`-requests` or `-tokens`). */
export interface RateLimitWindow {
  limit?: number;
  remaining?: number;
  /** Seconds until the window starts afresh (x-ratelimit-reset-*). */
  resetSeconds?: number;
}

export interface RateLimits {
  requests?: RateLimitWindow;
  tokens?: RateLimitWindow;
}

/** The server refused the credentials (HTTP 401): missing, expired or invalid token. */
export class AuthError extends HttpError {
  constructor(message: string, details: ErrorDetails = {}) {
    super(401, message, details, "auth");
  }
}

/** The server reported a failure in-band, after the stream had started. */
export class StreamError extends ChatbotError {
  readonly type: string | undefined;
  readonly code: string | undefined;

  constructor(message: string, details: ErrorDetails = {}) {
    super("stream", message);
    this.type = details.type;
    this.code = details.code;
  }
}

/** The stream ended without the final `data: [DONE]`: the answer may be incomplete. */
export class TruncatedError extends ChatbotError {
  constructor(message = "The answer was cut off before it finished.") {
    super("truncated", message);
  }
}

/** The request could not be sent or the connection failed while reading. */
export class NetworkError extends ChatbotError {
  constructor(message: string, cause?: unknown) {
    super("network", message, { cause });
  }
}

/** A callback passed to streamChatbotResponse threw; the stream was stopped. */
export class CallbackError extends ChatbotError {
  constructor(cause: unknown) {
    super("callback", "A stream callback threw an error.", { cause });
  }
}
