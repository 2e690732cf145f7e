import { ChatbotError, HttpError, NetworkError } from "./errors";
import { apiURL, fetcher } from "./request";
import { httpError } from "./responseErrors";
import type { StreamOptions } from "./chatbotApi";

/** One window of `GET /v1/usage` (docs/api.md#usage). */
export interface UsagePeriod {
  tokens: { input: number; output: number; cache_read: number; cache_write: number; total: number };
  requests: number;
  cost_usd: number;
  unpriced_requests: number;
}

/** `GET /v1/usage`: the caller's usage today and this month and its limits. */
export interface Usage {
  object: "usage";
  tracked: boolean;
  today: UsagePeriod;
  month: UsagePeriod;
  limits: { usd_per_day: number | null; usd_per_month: number | null; tokens_per_day: number | null };
}

/** Fetches the caller's usage. Resolves to it or to the error; never rejects. */
export async function fetchUsage(
  options: Pick<StreamOptions, "endpoint" | "getToken" | "signal" | "fetch"> = {},
): Promise<Usage | ChatbotError> {
  try {
    const headers: Record<string, string> = {};
    const token = await options.getToken?.();
    if (token) {
      headers["X-Authorization"] = `Bearer ${token}`;
    }
    const response = await fetcher(options)(apiURL(options.endpoint, "/v1/usage"), { headers, signal: options.signal });
    if (!response.ok) {
      return await httpError(response);
    }
    const body = (await response.json()) as Partial<Usage>;
    if (body?.object !== "usage" || typeof body.today?.tokens?.total !== "number") {
      return new HttpError(response.status, "The usage answer is malformed.");
    }
    return body as Usage;
  } catch (err) {
    return err instanceof ChatbotError ? err : new NetworkError("Could not read the usage.", err);
  }
}

const tokens = new Intl.NumberFormat("en-US");

/** Dollars to the cent, or finer when a cent would read as nothing spent. */
function dollars(usd: number): string {
  const digits = usd > 0 && usd < 0.01 ? 4 : 2;
  return `$${usd.toFixed(digits)}`;
}

/**
 * The page's quiet line: "Today: 12,340 tokens · $0.04 of $1.00" (the budget
 * when there is one). Undefined when the gateway does not record usage.
 */
export function usageLine(u: Usage): string | undefined {
  if (!u.tracked) {
    return undefined;
  }
  const t = u.today;
  const spent = dollars(t.cost_usd) + (u.limits.usd_per_day != null ? ` of ${dollars(u.limits.usd_per_day)}` : "");
  const unpriced = t.unpriced_requests > 0 ? ` (${t.unpriced_requests} unpriced)` : "";
  return `Today: ${tokens.format(t.tokens.total)} tokens · ${spent}${unpriced}`;
}
