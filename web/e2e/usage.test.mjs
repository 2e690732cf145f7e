// End-to-end: the page's quiet usage line under the composer, read from the
// real gateway's GET /v1/usage. With a limit configured the gateway records
// usage (in memory, the local default): the line shows today's tokens and
// spend against the daily budget when the page opens, and again after each
// answer, matching what the gateway reports. Without a limit usage is not
// recorded and the page shows no line.

import assert from "node:assert/strict";
import { describe, test } from "node:test";
import { axeViolations, openChat, screenshot, sendMessage, setup, startPageGateway, waitForAnswer } from "./browser.mjs";

setup();

const usageLine = (page) => page.getByTestId("usage");

/** Today's token total as the gateway reports it to this (unauthenticated, local) caller. */
async function tokensToday(url) {
  const r = await fetch(`${url}/v1/usage`);
  assert.equal(r.status, 200, await r.clone().text());
  const body = await r.json();
  assert.equal(body.tracked, true);
  return body.today.tokens.total;
}

describe("the usage line", () => {
  test("shows today's tokens and spend against the budget, read again after an answer", { timeout: 60_000 }, async () => {
    const gateway = await startPageGateway({ ELIZA_WORD_DELAY: "5ms", RATE_LIMIT_USD_PER_DAY: "1.50" });
    const { page, consoleErrors } = await openChat(gateway.url);
    // ELIZA is priced at $0 (docs/costs.md), so the spend stays $0.00.
    await page.waitForFunction(() => document.querySelector('[data-testid="usage"]')?.textContent === "Today: 0 tokens · $0.00 of $1.50");

    await sendMessage(page, "Hello there");
    await waitForAnswer(page);
    await page.waitForFunction(() => !/^Today: 0 tokens/.test(document.querySelector('[data-testid="usage"]')?.textContent ?? ""));
    const total = await tokensToday(gateway.url);
    assert.ok(total > 0, "the answer was counted");
    assert.equal(await usageLine(page).textContent(), `Today: ${total.toLocaleString("en-US")} tokens · $0.00 of $1.50`);
    await screenshot(page, "usage-line");
    assert.deepEqual(consoleErrors, []);
  });

  test("is readable in both color schemes", { timeout: 60_000 }, async () => {
    const gateway = await startPageGateway({ RATE_LIMIT_USD_PER_DAY: "1.50" });
    for (const colorScheme of ["light", "dark"]) {
      const { page } = await openChat(gateway.url, { colorScheme });
      await usageLine(page).waitFor();
      assert.deepEqual(await axeViolations(page), [], colorScheme);
      await screenshot(page, `usage-line-${colorScheme}`);
    }
  });

  test("is absent where the gateway does not record usage", { timeout: 60_000 }, async () => {
    const gateway = await startPageGateway({});
    const r = await fetch(`${gateway.url}/v1/usage`);
    assert.equal(r.status, 200);
    assert.equal((await r.json()).tracked, false);
    // openChat waits for the network to stay idle, so the page has read its usage by then.
    const { page } = await openChat(gateway.url);
    assert.equal(await usageLine(page).count(), 0);
  });
});
