// End-to-end: the real gateway (ELIZA, paced words) serves the real static
// build, and headless Chromium drives the chat like a person would.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  chatAlerts,
  contentOf,
  input,
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

const LONG_MESSAGE =
  "I remember the long summer evenings when my brother and I walked along the river talking about everything we wanted to become";

const focusedLabel = (page) => page.evaluate(() => document.activeElement?.labels?.[0]?.textContent ?? document.activeElement?.tagName);

describe("chat page against the local gateway", () => {
  let gateway;

  before(async () => {
    // REQUIRE_CONTENT_SHA256: the gateway checks the hash the browser computed with WebCrypto.
    gateway = await startPageGateway({
      ELIZA_WORD_DELAY: "60ms",
      REQUIRE_CONTENT_SHA256: "true",
    });
  });

  test("the answer streams in visible steps, announced once, and shows the model", { timeout: 60_000 }, async () => {
    const { page, consoleErrors } = await openChat(gateway.url);
    // The model label comes from /v1/models, as a readable name.
    assert.equal(await page.getByTestId("default-model").textContent(), "ELIZA");

    // Sample the last answer's text every 20 ms as a person watching would see it,
    // and every change of the polite live region.
    await page.evaluate(() => {
      const w = window;
      w.__samples = [];
      w.__announced = [];
      const live = document.querySelector('[data-testid="announcer"]');
      new MutationObserver(() => w.__announced.push(live.textContent)).observe(live, { childList: true, characterData: true, subtree: true });
      w.__sampler = setInterval(() => {
        const items = document.querySelectorAll('[data-role="assistant"]');
        const el = items[items.length - 1];
        if (!el) return;
        const text = el.querySelector('[data-testid="content"]')?.textContent ?? "";
        const status = el.getAttribute("data-status");
        const prev = w.__samples[w.__samples.length - 1];
        if (!prev || prev.text !== text || prev.status !== status) w.__samples.push({ text, status });
      }, 20);
    });

    await sendMessage(page, "Hello, I feel a little sad today because my computer keeps crashing");
    await waitForAnswer(page);
    const { samples, announced } = await page.evaluate(() => {
      clearInterval(window.__sampler);
      return { samples: window.__samples, announced: window.__announced };
    });

    const finalText = (await contentOf(lastAssistant(page)).textContent()) ?? "";
    assert.ok(finalText.trim().length > 0, "the answer is empty");
    const growing = samples.filter((s) => s.status === "streaming" && s.text.replace("…", "").trim() !== "");
    assert.ok(growing.length >= 3, `answer appeared in ${growing.length} visible steps, want >= 3: ${JSON.stringify(samples)}`);
    for (let i = 1; i < growing.length; i++) {
      assert.ok(growing[i].text.startsWith(growing[i - 1].text), `text did not grow by appending: ${JSON.stringify(growing)}`);
      assert.ok(growing[i].text.length > growing[i - 1].text.length);
    }
    assert.ok(finalText.startsWith(growing[growing.length - 1].text));
    // The live region spoke twice (answering, then the whole answer), not once per word.
    assert.ok(announced.length <= 3, `live region changed ${announced.length} times: ${JSON.stringify(announced)}`);
    assert.equal(announced[announced.length - 1], `The assistant said: ${finalText}`);

    assert.equal(await lastAssistant(page).getByTestId("model").textContent(), "ELIZA");
    assert.equal(await lastAssistant(page).getByTestId("model").getAttribute("title"), "eliza");
    await page.locator('[data-role="user"]').getByText("my computer keeps crashing").waitFor();
    // After Enter the box is empty and still focused, ready for the next message.
    assert.equal(await input(page).inputValue(), "");
    assert.equal(await focusedLabel(page), "Message");
    await screenshot(page, "chat");
    assert.deepEqual(consoleErrors, []);
  });

  test("user text stays plain text, never Markdown or HTML", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    const typed = "**not bold** <b>not html</b> [x](https://example.com)";
    await sendMessage(page, typed);
    const user = page.locator('[data-role="user"]');
    assert.equal(await contentOf(user).textContent(), typed);
    assert.equal(await user.locator("strong, b, a").count(), 0);
    await waitForAnswer(page);
  });

  test("Shift+Enter inserts a newline instead of sending", { timeout: 30_000 }, async () => {
    const { page } = await openChat(gateway.url);
    await input(page).fill("first line");
    await input(page).press("Shift+Enter");
    await input(page).pressSequentially("second line");
    assert.equal(await input(page).inputValue(), "first line\nsecond line");
    assert.equal(await page.locator('[data-role="user"]').count(), 0);
  });

  test("Send by button keeps the focus in the box", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    await input(page).fill("Clicking send");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByRole("button", { name: "Stop" }).waitFor();
    assert.equal(await focusedLabel(page), "Message");
    await waitForAnswer(page);
  });

  test("Stop ends the stream early, the UI returns to idle and the box has the focus", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    await sendMessage(page, LONG_MESSAGE);
    // A locator, not waitForFunction: under the page's Content-Security-Policy
    // (no eval) Playwright polls a function slowly, and the answer could end
    // before Stop is clicked.
    await page.locator('[data-role="assistant"][data-status="streaming"] [data-testid="content"]', { hasText: /[A-Za-z]/ }).last().waitFor();
    await page.getByRole("button", { name: "Stop" }).click();
    await page.getByRole("button", { name: "Send" }).waitFor();
    assert.equal(await focusedLabel(page), "Message", "focus must return to the box after Stop");

    const answer = lastAssistant(page);
    assert.equal(await answer.getAttribute("data-status"), "stopped");
    const stoppedText = await contentOf(answer).textContent();
    // Words arrive every 60 ms; a stream that kept going would add several in this time.
    await page.waitForTimeout(600);
    assert.equal(await contentOf(answer).textContent(), stoppedText, "text kept growing after Stop");
    assert.equal(await answer.getAttribute("data-status"), "stopped");
    assert.equal(await chatAlerts(page).count(), 0, "Stop must not show an error");
    await screenshot(page, "stopped");

    // The conversation goes on after a stop.
    await sendMessage(page, "Thank you");
    await page.locator('[data-role="assistant"]').nth(1).and(page.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
  });

  test("Esc stops the answer from the keyboard", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    await useModel(page, "test-slow"); // never ends by itself
    await sendMessage(page, "Keep going");
    await page.waitForFunction(() => (document.querySelector('[data-role="assistant"] [data-testid="content"]')?.textContent ?? "").includes("tick"));
    await input(page).press("Escape");
    await page.getByRole("button", { name: "Send" }).waitFor();
    assert.equal(await lastAssistant(page).getAttribute("data-status"), "stopped");
    assert.equal(await focusedLabel(page), "Message");
  });
});
