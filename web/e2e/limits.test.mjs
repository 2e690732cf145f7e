// End-to-end: the real gateway's per-caller limits (in-memory counts, the
// local default) refuse a message, and the page says so in a plain sentence,
// announced as an alert, with Retry offered. A throttle from in front of the
// gateway (Lambda's reserved concurrency, CloudFront) is played by a route,
// since only AWS produces it.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  assistants,
  axeViolations,
  chatAlerts,
  contentOf,
  lastAssistant,
  openChat,
  screenshot,
  sendMessage,
  setup,
  startPageGateway,
  useModel,
  waitForAnswer,
} from "./browser.mjs";

setup();

const CHAT = "**/v1/chat/completions";

/** Starts a gateway serving the page with the given limits; stopped with the file. */
const gatewayWith = (limits) => startPageGateway({ ELIZA_WORD_DELAY: "5ms", ...limits });

/** Sends text and waits until the answer it starts (the n-th) has settled; returns its status. */
async function sendAndSettle(page, text) {
  const n = await assistants(page).count();
  await sendMessage(page, text);
  const answer = assistants(page).nth(n);
  await page.waitForFunction((i) => {
    const el = document.querySelectorAll('[data-role="assistant"]')[i];
    return el && el.getAttribute("data-status") !== "streaming";
  }, n);
  await page.getByRole("button", { name: "Send" }).waitFor();
  return answer.getAttribute("data-status");
}

/** The chat's alert, checked to be a plain sentence with an enabled Retry; returns its text. */
async function refusalText(page, kind) {
  const alert = chatAlerts(page);
  await alert.waitFor();
  assert.equal(await alert.count(), 1);
  assert.equal(await alert.getAttribute("data-kind"), kind);
  const retry = alert.getByRole("button", { name: "Retry" });
  assert.ok(await retry.isVisible(), "Retry is not offered");
  assert.ok(await retry.isEnabled(), "Retry is disabled");
  const text = ((await alert.textContent()) ?? "").replace(/Retry$/, "").trim();
  assert.doesNotMatch(text, /[{}]|"error"|_exceeded|Message/, `raw server text shown: ${text}`);
  return text;
}

describe("the gateway's own limits", () => {
  test("the second message in a minute is refused with how long to wait", { timeout: 90_000 }, async () => {
    const gateway = await gatewayWith({ RATE_LIMIT_RPM: "1" });
    const { page, consoleErrors } = await openChat(gateway.url);
    const refusals = [];
    page.on("response", (r) => {
      if (r.url().endsWith("/v1/chat/completions") && r.status() === 429) refusals.push(r);
    });

    assert.equal(await sendAndSettle(page, "Hello there"), "done");
    // The limit counts UTC minutes: if the minute turned just after the first
    // answer the second is admitted, and then the third cannot be.
    let asked = "Hello again";
    let status = await sendAndSettle(page, asked);
    if (status === "done") {
      asked = "And once more";
      status = await sendAndSettle(page, asked);
    }
    assert.equal(status, "error");
    assert.equal(refusals.length, 1);
    const retryAfter = Number(await refusals[0].headerValue("retry-after"));
    assert.ok(retryAfter >= 1 && retryAfter <= 60, `Retry-After ${retryAfter}`);
    assert.equal(await refusals[0].headerValue("x-ratelimit-remaining-requests"), "0");

    assert.equal(
      await refusalText(page, "rate_limit"),
      `You've sent too many messages this minute — try again in ${retryAfter} s.`,
    );
    // The question stays on the page, and the polite region leaves the news to the alert.
    assert.equal(await page.locator('[data-role="user"]').last().getByTestId("content").textContent(), asked);
    assert.equal(await page.getByTestId("announcer").textContent(), "");
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, "rate-limited");
    // The 429 is the only console error a refused fetch may log.
    assert.deepEqual(
      consoleErrors.filter((e) => !/status of 429/.test(e)),
      [],
    );
  });

  test("a spent token budget says when it resets", { timeout: 60_000 }, async () => {
    const gateway = await gatewayWith({ RATE_LIMIT_TOKENS_PER_DAY: "1" });
    const { page } = await openChat(gateway.url);
    // The first answer is admitted below the budget and its usage overruns it.
    assert.equal(await sendAndSettle(page, "Hello there"), "done");
    assert.equal(await sendAndSettle(page, "Hello again"), "error");
    assert.match(await refusalText(page, "rate_limit"), /^You've used today's token budget — it resets in \d+ (s|min|h)\.$/);
    await screenshot(page, "token-budget");
  });

  test("a second answer at once, from another tab, is asked to wait", { timeout: 60_000 }, async () => {
    const gateway = await gatewayWith({ RATE_LIMIT_CONCURRENT: "1" });
    const first = await openChat(gateway.url);
    const second = await openChat(gateway.url, { context: first.context });
    await useModel(first.page, "test-slow"); // never ends by itself: it holds the only slot
    await sendMessage(first.page, "Keep going");
    await first.page.waitForFunction(() =>
      (document.querySelector('[data-role="assistant"] [data-testid="content"]')?.textContent ?? "").includes("tick"),
    );

    assert.equal(await sendAndSettle(second.page, "Hello"), "error");
    assert.equal(
      await refusalText(second.page, "rate_limit"),
      "Too many answers are streaming at once for you — wait for one to finish.",
    );
    await screenshot(second.page, "concurrent-streams");
    await first.page.getByRole("button", { name: "Stop" }).click();
    await first.page.getByRole("button", { name: "Send" }).waitFor();
  });
});

describe("throttles in front of the gateway", () => {
  let gateway;

  before(async () => {
    gateway = await gatewayWith({});
  });

  const throttles = [
    {
      name: "Lambda's reserved concurrency (429, its own JSON)",
      status: 429,
      headers: { "Content-Type": "application/json", "x-amzn-ErrorType": "TooManyRequestsException" },
      body: JSON.stringify({ Message: "Rate Exceeded." }),
      shot: "throttled",
    },
    {
      name: "CloudFront's page for a throttled edge function (503, HTML)",
      status: 503,
      headers: { "Content-Type": "text/html" },
      body: "<HTML><HEAD><TITLE>ERROR: The request could not be satisfied</TITLE></HEAD><BODY><H1>503 ERROR</H1>The Lambda function associated with the CloudFront distribution was throttled.</BODY></HTML>",
    },
  ];

  for (const t of throttles) {
    test(`${t.name} reads "busy, try again", and Retry then answers`, { timeout: 60_000 }, async () => {
      const { page } = await openChat(gateway.url);
      const throttle = (route) => route.fulfill({ status: t.status, headers: t.headers, body: t.body });
      await page.route(CHAT, throttle);
      assert.equal(await sendAndSettle(page, "Hello"), "error");
      assert.equal(await refusalText(page, "rate_limit"), "The service is busy — try again in a moment.");
      if (t.shot) await screenshot(page, t.shot);

      // Once the throttle passes, Retry asks the same question again and the gateway answers.
      await page.unroute(CHAT, throttle);
      await chatAlerts(page).getByRole("button", { name: "Retry" }).click();
      await waitForAnswer(page);
      assert.equal(await chatAlerts(page).count(), 0);
      assert.equal(await page.locator('[data-role="user"]').count(), 1, "Retry must not repeat the question");
      assert.match((await contentOf(lastAssistant(page)).textContent()) ?? "", /\S/);
    });
  }
});
