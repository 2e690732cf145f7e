// Conversations in Chromium against the real gateway: kept across reloads,
// New chat, Regenerate, editing the last message, a cut answer with Retry,
// and scrolling that follows the answer until the reader scrolls away.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  assistants,
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

const userTexts = (page) => page.locator('[data-role="user"] [data-testid="content"]').allTextContents();

describe("conversations", () => {
  let gateway;

  before(async () => {
    gateway = await startPageGateway({ ELIZA_WORD_DELAY: "5ms" });
  });

  test("a conversation survives a reload; New chat starts another and keeps the first", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    await sendMessage(page, "I am worried about my mother");
    await waitForAnswer(page);
    const answer = await contentOf(lastAssistant(page)).textContent();

    await page.reload({ waitUntil: "networkidle" });
    await page.locator('[data-role="assistant"][data-status="done"]').waitFor();
    assert.deepEqual(await userTexts(page), ["I am worried about my mother"]);
    assert.equal(await contentOf(lastAssistant(page)).textContent(), answer);
    const stored = await page.evaluate(() => JSON.parse(localStorage.getItem("chatbot.conversations")));
    assert.equal(stored.version, 1);

    await page.getByRole("button", { name: "New chat" }).click();
    assert.equal(await page.locator("[data-role]").count(), 0);
    assert.equal(await page.evaluate(() => document.activeElement?.id), await input(page).getAttribute("id"));
    await sendMessage(page, "My father never listens to me");
    await waitForAnswer(page);
    await screenshot(page, "new-chat");

    // The first conversation is one pick away, and both survive a reload.
    await page.reload({ waitUntil: "networkidle" });
    const picker = page.getByRole("combobox", { name: "Saved conversations" });
    await picker.waitFor();
    assert.deepEqual(await picker.locator("option").allTextContents(), ["My father never listens to me", "I am worried about my mother"]);
    await picker.selectOption({ label: "I am worried about my mother" });
    assert.deepEqual(await userTexts(page), ["I am worried about my mother"]);
  });

  test("Regenerate replaces the last answer; Edit resends the last message", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    await sendMessage(page, "I need some help with my work");
    await waitForAnswer(page);

    const requests = [];
    page.on("request", (r) => r.url().endsWith("/v1/chat/completions") && requests.push(JSON.parse(r.postData())));
    await lastAssistant(page).getByRole("button", { name: "Regenerate" }).click();
    await waitForAnswer(page);
    assert.equal(await assistants(page).count(), 1, "Regenerate must replace, not add");
    assert.deepEqual(requests[0].messages, [{ role: "user", content: "I need some help with my work" }]);

    await page.locator('[data-role="user"]').getByRole("button", { name: "Edit" }).click();
    const edit = page.getByRole("textbox", { name: "Edit message" });
    assert.equal(await edit.inputValue(), "I need some help with my work");
    await edit.fill("I dream about computers");
    await edit.press("Enter");
    await waitForAnswer(page);
    assert.deepEqual(await userTexts(page), ["I dream about computers"]);
    assert.equal(await assistants(page).count(), 1);
    assert.deepEqual(requests[1].messages, [{ role: "user", content: "I dream about computers" }]);
    assert.match((await contentOf(lastAssistant(page)).textContent()) ?? "", /\S/);
    await screenshot(page, "edited");

    // Esc leaves an edit without sending.
    await page.locator('[data-role="user"]').getByRole("button", { name: "Edit" }).click();
    await page.getByRole("textbox", { name: "Edit message" }).press("Escape");
    assert.equal(await page.getByRole("textbox", { name: "Edit message" }).count(), 0);
    assert.equal(requests.length, 2);
  });

  test("an answer cut mid-stream is marked on its bubble and Retry answers again", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    await useModel(page, "test-panic"); // writes a few words, then fails in-band
    await sendMessage(page, "Tell me something");
    await waitForAnswer(page, "error");
    const cut = lastAssistant(page);
    assert.match((await contentOf(cut).textContent()) ?? "", /about to fail/);
    const alert = cut.getByRole("alert");
    assert.match((await alert.textContent()) ?? "", /Cut off\./);
    assert.equal(await alert.getAttribute("data-kind"), "stream");
    assert.equal(await chatAlerts(page).count(), 1);
    await screenshot(page, "cut-answer");

    await page.unroute("**/v1/chat/completions");
    await cut.getByRole("button", { name: "Retry" }).click();
    await waitForAnswer(page);
    assert.equal(await assistants(page).count(), 1, "Retry replaces the cut answer");
    assert.equal(await chatAlerts(page).count(), 0);
    assert.equal(await page.locator('[data-role="user"]').count(), 1, "Retry must not repeat the question");
  });

  test("scrolling follows the answer until the reader scrolls up; Jump to latest follows again", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url, { width: 480, height: 560 });
    for (const text of ["I am unhappy", "My mother takes care of me", "I am afraid of dogs"]) {
      await sendMessage(page, text);
      await waitForAnswer(page);
    }
    await useModel(page, "test-slow"); // "tick " every 20 ms until stopped
    await sendMessage(page, "Count for me");
    const list = page.getByTestId("messages");
    const distanceToEnd = () => list.evaluate((el) => el.scrollHeight - el.scrollTop - el.clientHeight);
    await page.waitForFunction(() => {
      const el = document.querySelector('[data-testid="messages"]');
      return el.scrollHeight > el.clientHeight + 500;
    });
    assert.ok((await distanceToEnd()) <= 40, "the list should follow the answer");
    assert.equal(await page.getByRole("button", { name: "Jump to latest" }).count(), 0);

    await list.hover();
    await page.mouse.wheel(0, -300);
    await page.getByRole("button", { name: "Jump to latest" }).waitFor();
    const top = await list.evaluate((el) => el.scrollTop);
    await page.waitForTimeout(300); // ~15 more ticks arrive
    assert.equal(await list.evaluate((el) => el.scrollTop), top, "the list moved while the reader was reading");
    await screenshot(page, "scrolled-up");

    await page.getByRole("button", { name: "Jump to latest" }).click();
    await page.waitForTimeout(200);
    assert.ok((await distanceToEnd()) <= 40, "Jump to latest should follow the answer again");
    await page.getByRole("button", { name: "Stop" }).click();
    await page.getByRole("button", { name: "Send" }).waitFor();
  });
});
