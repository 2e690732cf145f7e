// What a failed answer says to the person reading it: one short sentence
// per kind of failure. Refusals for rate say which limit and how long to
// wait in words, never the server's JSON.

import type { ChatbotError, ChatbotErrorKind, LimitKind } from "../api/errors";
import { HttpError, RateLimitError } from "../api/errors";

/** The failure as a message keeps it (and as it is saved with the conversation). */
export interface ErrorView {
  kind: ChatbotErrorKind;
  /** The server's (or the client's) own text. */
  message: string;
  /** For kind "rate_limit": which limit refused the request. */
  limit?: LimitKind;
  /** For kind "unavailable": the server's error code, e.g. "model_unavailable". */
  code?: string;
  /**
   * Seconds to wait, as the server said when the request failed. Only
   * meaningful right then, so it is not saved with the conversation.
   */
  retryAfter?: number;
}

/** The parts of an error that the page shows. */
export function errorView(err: ChatbotError): ErrorView {
  const view: ErrorView = { kind: err.kind, message: err.message };
  if (err instanceof RateLimitError) {
    view.limit = err.limit;
  }
  if (err instanceof HttpError) {
    if (err.kind === "unavailable" && err.code !== undefined) view.code = err.code;
    if (err.retryAfter !== undefined) view.retryAfter = err.retryAfter;
  }
  return view;
}

/** A short sentence for the user; the server's own message is kept where it helps. */
export function describeError(error: ErrorView): string {
  switch (error.kind) {
    case "auth":
      return `Sign-in required: ${error.message}`;
    case "rate_limit":
      return describeLimit(error.limit, error.retryAfter);
    case "unavailable": {
      const what = error.code === "model_unavailable" ? "The model" : "The service";
      return `${what} is unavailable right now — try again ${inWait(error.retryAfter)}.`;
    }
    case "http":
      return `The server refused the request: ${error.message}`;
    case "stream":
      return `The answer failed: ${error.message}`;
    case "truncated":
      return "The answer was cut off before it finished.";
    case "network":
      return "Could not reach the chat service. Check your connection.";
    default:
      return error.message;
  }
}

function describeLimit(limit: LimitKind | undefined, retryAfter: number | undefined): string {
  switch (limit) {
    case "requests_per_minute":
      return `You've sent too many messages this minute — try again ${inWait(retryAfter)}.`;
    case "tokens_per_day":
      return retryAfter === undefined
        ? "You've used today's token budget — it resets at midnight UTC."
        : `You've used today's token budget — it resets in ${formatWait(retryAfter)}.`;
    case "concurrent_streams":
      return "Too many answers are streaming at once for you — wait for one to finish.";
    case "rate_limited":
      return `You're sending requests too quickly — try again ${inWait(retryAfter)}.`;
    default:
      return `The service is busy — try again ${inWait(retryAfter)}.`;
  }
}

/** "in 40 s", or "in a moment" when the wait is unknown or already over. */
function inWait(seconds: number | undefined): string {
  return seconds === undefined || seconds <= 0 ? "in a moment" : `in ${formatWait(seconds)}`;
}

/**
 * A wait in the largest unit that reads well: "40 s", "5 min", "3 h".
 * Seconds and minutes round up (waiting less would be refused again);
 * hours round to the nearest.
 */
export function formatWait(seconds: number): string {
  const s = Math.max(1, Math.ceil(seconds));
  if (s < 90) {
    return `${s} s`;
  }
  if (s < 90 * 60) {
    return `${Math.ceil(s / 60)} min`;
  }
  return `${Math.round(s / 3600)} h`;
}
