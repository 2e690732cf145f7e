import { describe, expect, it } from "vitest";
import { fetchUsage, usageLine, type Usage } from "../src/api/usage";
import { ChatbotError } from "../src/api/errors";

const period = (total: number, cost: number, unpriced = 0) => ({
  tokens: { input: total - 100, output: 100, cache_read: 0, cache_write: 0, total },
  requests: 3,
  cost_usd: cost,
  unpriced_requests: unpriced,
});

const usage = (over: Partial<Usage> = {}): Usage => ({
  object: "usage",
  tracked: true,
  today: period(12340, 0.04),
  month: period(99913, 0.52),
  limits: { usd_per_day: 1, usd_per_month: null, tokens_per_day: null },
  ...over,
});

describe("usageLine", () => {
  it("says today's tokens and spend against the daily budget", () => {
    expect(usageLine(usage())).toBe("Today: 12,340 tokens · $0.04 of $1.00");
  });
  it("leaves the budget out when there is none", () => {
    expect(usageLine(usage({ limits: { usd_per_day: null, usd_per_month: 20, tokens_per_day: null } }))).toBe(
      "Today: 12,340 tokens · $0.04",
    );
  });
  it("shows a spend below a cent rather than $0.00", () => {
    expect(usageLine(usage({ today: period(50, 0.0003) }))).toBe("Today: 50 tokens · $0.0003 of $1.00");
  });
  it("names answers that had no price", () => {
    expect(usageLine(usage({ today: period(10, 0, 2) }))).toBe("Today: 10 tokens · $0.00 of $1.00 (2 unpriced)");
  });
  it("says nothing where usage is not recorded", () => {
    expect(usageLine(usage({ tracked: false }))).toBeUndefined();
  });
});

describe("fetchUsage", () => {
  it("sends the credential and reads the documented shape", async () => {
    let seen: Request | undefined;
    const got = await fetchUsage({
      endpoint: "https://chat.example.com/",
      getToken: async () => "tok",
      fetch: async (input, init) => {
        seen = new Request(input, init);
        return new Response(JSON.stringify(usage()), { status: 200, headers: { "Content-Type": "application/json" } });
      },
    });
    expect(seen?.url).toBe("https://chat.example.com/v1/usage");
    expect(seen?.headers.get("X-Authorization")).toBe("Bearer tok");
    expect(got).toEqual(usage());
  });
  it("resolves to the error of a refusal", async () => {
    const got = await fetchUsage({
      fetch: async () =>
        new Response(JSON.stringify({ error: { message: "no", type: "invalid_request_error", code: "invalid_api_key" } }), {
          status: 401,
          headers: { "Content-Type": "application/json" },
        }),
    });
    expect(got).toBeInstanceOf(ChatbotError);
  });
});
