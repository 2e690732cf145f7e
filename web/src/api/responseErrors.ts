// Turns an error answer (any non-2xx before streaming) into a typed error:
// the OpenAI error body when the gateway wrote it, and what the headers say
// about waiting. A refusal may also come from in front of the gateway —
// Lambda's own throttle (`{"Message":"Rate Exceeded."}`) or a CloudFront
// page — whose body is not ours; those are told apart by their shape.

import {
  AuthError,
  HttpError,
  RateLimitError,
  UnavailableError,
  type ErrorDetails,
  type LimitKind,
  type RateLimits,
  type RateLimitWindow,
  type RetryDetails,
} from "./errors";

/** The gateway's `error.code` for each of its limits. */
const LIMIT_CODES: Readonly<Record<string, LimitKind>> = {
  requests_per_minute_exceeded: "requests_per_minute",
  tokens_per_day_exceeded: "tokens_per_day",
  concurrent_streams_exceeded: "concurrent_streams",
};

/**
 * Reads an error answer into AuthError (401), RateLimitError (429, or a 503
 * whose body is not the gateway's), UnavailableError (the gateway's own 503)
 * or HttpError. nowMs is the clock for a Retry-After given as a date.
 */
export async function httpError(response: Response, nowMs: number = Date.now()): Promise<HttpError> {
  const status = response.status;
  let text = "";
  try {
    text = await response.text();
  } catch {
    // The body failed to arrive; the status and headers still say enough.
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    // Not JSON (a proxy's error page, for instance).
  }
  const ours = errorFromBody(json);
  const message = ours?.message ?? foreignMessage(json) ?? (response.statusText || `HTTP ${status}`);
  const details: ErrorDetails & RetryDetails = {
    ...(ours ? { type: ours.type, code: ours.code, param: ours.param } : {}),
    retryAfter: parseRetryAfter(response.headers.get("retry-after"), nowMs),
    rateLimits: parseRateLimits(response.headers),
  };

  if (status === 401) {
    return new AuthError(message, details);
  }
  if (status === 429) {
    const limit: LimitKind = ours ? (LIMIT_CODES[ours.code ?? ""] ?? "rate_limited") : "throttled";
    // Without Retry-After, the reset header of the window that refused still says when.
    details.retryAfter ??=
      limit === "requests_per_minute"
        ? details.rateLimits?.requests?.resetSeconds
        : limit === "tokens_per_day"
          ? details.rateLimits?.tokens?.resetSeconds
          : undefined;
    return new RateLimitError(status, limit, message, details);
  }
  if (status === 503) {
    // CloudFront answers 503 with its own page when a Lambda@Edge function is throttled.
    return ours ? new UnavailableError(message, details) : new RateLimitError(status, "throttled", message, details);
  }
  return new HttpError(status, message, details);
}

/** Reads `{"error":{...}}`, the OpenAI error shape used both as a body and in-band. */
export function errorFromBody(value: unknown): (ErrorDetails & { message: string }) | undefined {
  if (typeof value !== "object" || value === null || !("error" in value)) {
    return undefined;
  }
  const error = (value as { error: unknown }).error;
  if (typeof error !== "object" || error === null) {
    return undefined;
  }
  const e = error as Record<string, unknown>;
  return {
    message: str(e.message) ?? "The server reported an error.",
    type: str(e.type),
    code: str(e.code),
    param: str(e.param),
  };
}

/** AWS services write `{"Message": "..."}` (or `message`); keep it for logs and debugging. */
function foreignMessage(value: unknown): string | undefined {
  if (typeof value !== "object" || value === null) {
    return undefined;
  }
  const v = value as Record<string, unknown>;
  return str(v.Message) ?? str(v.message);
}

const str = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * Seconds to wait from a Retry-After value: delta-seconds ("17") or an
 * HTTP-date ("Wed, 21 Oct 2026 07:28:00 GMT"). Undefined when absent or
 * unreadable; a date in the past is 0.
 */
export function parseRetryAfter(value: string | null | undefined, nowMs: number = Date.now()): number | undefined {
  const v = value?.trim();
  if (!v) {
    return undefined;
  }
  if (/^\d+$/.test(v)) {
    return Number(v);
  }
  // Date.parse reads "-5" or "1.5" as years; an HTTP-date always names its weekday and month.
  if (!/[A-Za-z]{3}/.test(v)) {
    return undefined;
  }
  const at = Date.parse(v);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - nowMs) / 1000));
}

const DURATION_UNITS: Readonly<Record<string, number>> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, "µs": 1e-6, ns: 1e-9 };

/**
 * Seconds in a reset time as OpenAI and Go write it ("17s", "6m0s",
 * "9h12m5s", "1.5s", "20ms"). Undefined when unreadable.
 */
export function parseResetDuration(value: string | null | undefined): number | undefined {
  const v = value?.trim();
  if (!v) {
    return undefined;
  }
  let seconds = 0;
  let consumed = 0;
  for (const m of v.matchAll(/(\d+(?:\.\d+)?)(ms|us|µs|ns|h|m|s)/g)) {
    if (m.index !== consumed) {
      return undefined;
    }
    seconds += Number(m[1]) * DURATION_UNITS[m[2]!]!;
    consumed += m[0].length;
  }
  return consumed === v.length ? seconds : undefined;
}

/** OpenAI's x-ratelimit-* headers, for the windows present; undefined when there are none. */
export function parseRateLimits(headers: Headers): RateLimits | undefined {
  const window = (kind: "requests" | "tokens"): RateLimitWindow | undefined => {
    const w: RateLimitWindow = {};
    const limit = count(headers.get(`x-ratelimit-limit-${kind}`));
    const remaining = count(headers.get(`x-ratelimit-remaining-${kind}`));
    const reset = parseResetDuration(headers.get(`x-ratelimit-reset-${kind}`));
    if (limit !== undefined) w.limit = limit;
    if (remaining !== undefined) w.remaining = remaining;
    if (reset !== undefined) w.resetSeconds = reset;
    return Object.keys(w).length > 0 ? w : undefined;
  };
  const requests = window("requests");
  const tokens = window("tokens");
  if (!requests && !tokens) {
    return undefined;
  }
  return { ...(requests ? { requests } : {}), ...(tokens ? { tokens } : {}) };
}

function count(value: string | null): number | undefined {
  const v = value?.trim();
  return v && /^\d+$/.test(v) ? Number(v) : undefined;
}
