// Typed failures of a chat stream. Every error passed to onError is a
// ChatbotError; callers branch with instanceof (or on `kind`, which survives
// structured cloning and is handy in UI code).

/** What went wrong, as a stable string. */
export type ChatbotErrorKind = "auth" | "http" | "stream" | "truncated" | "network" | "callback";

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

/** The server answered with a non-2xx status before streaming. */
export class HttpError extends ChatbotError {
  readonly status: number;
  readonly type: string | undefined;
  readonly code: string | undefined;
  readonly param: string | undefined;

  constructor(status: number, message: string, details: ErrorDetails = {}, kind: ChatbotErrorKind = "http") {
    super(kind, message);
    this.status = status;
    this.type = details.type;
    this.code = details.code;
    this.param = details.param;
  }
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
