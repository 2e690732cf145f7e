// Conversations kept by the gateway (STATE_STORE=memory), in Chromium: one
// started in one browser context appears in a second context of the same
// user and continues there; rename and delete in one show in the other when
// it comes back into view; "Delete all my conversations" empties the user's
// store and nobody else's. Each context is a browser with the user's API key.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  assistants,
  axeViolations,
  contentOf,
  env,
  lastAssistant,
  newAPIKey,
  openSignedIn,
  screenshot,
  sendMessage,
  setup,
  startPageGateway,
  storedTexts,
  waitForAnswer,
} from "./browser.mjs";

setup({ tags: "" });

const picker = (page) => page.getByRole("combobox", { name: "Saved conversations" });
const listed = async (page) => ((await picker(page).count()) === 0 ? [] : (await picker(page).locator("option").allTextContents()).filter((t) => t !== "New conversation"));
const userTexts = (page) => page.locator('[data-role="user"] [data-testid="content"]').allTextContents();
const actions = (page) => page.getByRole("group", { name: "Conversations on the server" });
/** What the page does when its window comes back into view. */
const refocus = (page) => page.evaluate(() => window.dispatchEvent(new Event("focus")));

/** Lists a user's conversations straight from the gateway. */
async function storedTitles(url, key) {
  const r = await fetch(`${url}/v1/conversations?limit=100`, { headers: { "X-Authorization": `Bearer ${key}` } });
  assert.equal(r.status, 200, await r.clone().text());
  return (await r.json()).data.map((c) => c.title);
}

const answerText = async (page) => (await contentOf(lastAssistant(page)).textContent()) ?? "";

describe("conversations kept by the gateway", () => {
  let gateway;
  let alice;
  let bob;
  let carol;

  before(async () => {
    alice = await newAPIKey(env.build.bin, "alice");
    bob = await newAPIKey(env.build.bin, "bob");
    carol = await newAPIKey(env.build.bin, "carol");
    gateway = await startPageGateway({
      ELIZA_WORD_DELAY: "2ms",
      STATE_STORE: "memory",
      API_KEY_SHA256S: [alice, bob, carol].map((k) => k.entry).join(","),
    });
  });

  /** A browser context signed in with key, as if the key had been pasted into the page. */
  async function browserOf(key) {
    const { page, consoleErrors } = await openSignedIn(gateway.url, key);
    await actions(page).waitFor();
    page.on("dialog", (d) => void d.accept());
    return { page, consoleErrors };
  }

  test("a conversation started in one browser continues in another; rename and delete follow", { timeout: 120_000 }, async () => {
    const laptop = await browserOf(alice.key);
    const sent = [];
    laptop.page.on("request", (r) => r.url().includes("/v1/") && r.method() === "POST" && sent.push([new URL(r.url()).pathname, r.postDataJSON()]));
    await sendMessage(laptop.page, "I am worried about my mother");
    await waitForAnswer(laptop.page);
    const firstAnswer = await contentOf(lastAssistant(laptop.page)).textContent();
    assert.match(firstAnswer ?? "", /\S/);
    // Only the new message goes out, with the conversation's id; nothing to Chat Completions.
    assert.deepEqual(sent.map(([p]) => p), ["/v1/conversations", "/v1/responses"]);
    assert.match(sent[1][1].conversation, /^conv_/);
    assert.equal(sent[1][1].input, "I am worried about my mother");
    assert.equal(sent[1][1].stream, true);
    assert.equal(await laptop.page.evaluate(() => localStorage.getItem("chatbot.conversations")), null);
    await screenshot(laptop.page, "server-conversation-laptop");

    const phone = await browserOf(alice.key);
    assert.deepEqual(await listed(phone.page), ["I am worried about my mother"]);
    await picker(phone.page).selectOption({ label: "I am worried about my mother" });
    await lastAssistant(phone.page).waitFor();
    assert.deepEqual(await userTexts(phone.page), ["I am worried about my mother"]);
    assert.equal(await contentOf(lastAssistant(phone.page)).textContent(), firstAnswer);
    await sendMessage(phone.page, "My father never listens to me");
    await waitForAnswer(phone.page);
    assert.equal(await assistants(phone.page).count(), 2);
    await screenshot(phone.page, "server-conversation-phone");

    // Back on the laptop: the exchange made on the phone shows.
    await refocus(laptop.page);
    await laptop.page.locator('[data-role="assistant"]').nth(1).waitFor();
    assert.deepEqual(await userTexts(laptop.page), ["I am worried about my mother", "My father never listens to me"]);
    await laptop.page.reload({ waitUntil: "networkidle" });
    await picker(laptop.page).selectOption({ label: "I am worried about my mother" });
    await laptop.page.locator('[data-role="assistant"]').nth(1).waitFor();
    assert.deepEqual(await userTexts(laptop.page), ["I am worried about my mother", "My father never listens to me"]);

    // Another user sees none of it.
    const stranger = await browserOf(bob.key);
    assert.deepEqual(await listed(stranger.page), []);

    // Rename on the phone; the laptop has the new name once it comes back into view.
    await actions(phone.page).getByRole("button", { name: "Rename" }).click();
    await phone.page.getByRole("textbox", { name: "Conversation name" }).fill("Family");
    await Promise.all([
      phone.page.waitForResponse((r) => r.request().method() === "POST" && /\/v1\/conversations\/conv_[^/]+$/.test(r.url())),
      phone.page.getByRole("button", { name: "Save name" }).click(),
    ]);
    assert.deepEqual(await storedTitles(gateway.url, alice.key), ["Family"]);
    await refocus(laptop.page);
    const named = async () => {
      await actions(laptop.page).getByRole("button", { name: "Rename" }).click();
      const field = laptop.page.getByRole("textbox", { name: "Conversation name" });
      const value = await field.inputValue();
      await field.press("Escape");
      return value;
    };
    const deadline = Date.now() + 10_000;
    while ((await named()) !== "Family") {
      assert.ok(Date.now() < deadline, "the laptop never showed the new name");
      await laptop.page.waitForTimeout(100);
    }

    // Delete on the laptop; the phone, which has it open, drops it when it comes back into view.
    await actions(laptop.page).getByRole("button", { name: "Delete", exact: true }).click();
    await laptop.page.locator('[data-role="user"]').first().waitFor({ state: "detached" });
    assert.deepEqual(await listed(laptop.page), []);
    await refocus(phone.page);
    await phone.page.locator('[data-role="user"]').first().waitFor({ state: "detached" });
    assert.deepEqual(await listed(phone.page), []);
    await phone.page.reload({ waitUntil: "networkidle" });
    await actions(phone.page).waitFor();
    assert.deepEqual(await listed(phone.page), []);
    assert.deepEqual(await storedTitles(gateway.url, alice.key), []);
    await screenshot(phone.page, "server-conversation-deleted");
    for (const b of [laptop, phone, stranger]) assert.deepEqual(b.consoleErrors, []);
  });

  test("Delete all my conversations empties the user's store, on every browser, and nobody else's", { timeout: 120_000 }, async () => {
    const laptop = await browserOf(carol.key);
    for (const text of ["I dream about computers", "I need some help"]) {
      await laptop.page.getByRole("button", { name: "New chat" }).click();
      await sendMessage(laptop.page, text);
      await waitForAnswer(laptop.page);
    }
    // Regenerate and Edit replace the stored last exchange instead of adding to it.
    await lastAssistant(laptop.page).getByRole("button", { name: "Regenerate" }).click();
    await waitForAnswer(laptop.page);
    assert.deepEqual(await storedTexts(gateway.url, carol.key), [["user", "I need some help"], ["assistant", await answerText(laptop.page)]]);
    await laptop.page.locator('[data-role="user"]').getByRole("button", { name: "Edit" }).click();
    await laptop.page.getByRole("textbox", { name: "Edit message" }).fill("I need a holiday");
    await laptop.page.getByRole("textbox", { name: "Edit message" }).press("Enter");
    await waitForAnswer(laptop.page);
    assert.deepEqual(await storedTexts(gateway.url, carol.key), [["user", "I need a holiday"], ["assistant", await answerText(laptop.page)]]);
    assert.deepEqual(await axeViolations(laptop.page), []);

    const stranger = await browserOf(bob.key);
    await sendMessage(stranger.page, "Hello, I am Bob");
    await waitForAnswer(stranger.page);

    const phone = await browserOf(carol.key);
    assert.deepEqual(await listed(phone.page), ["I need some help", "I dream about computers"]);
    assert.deepEqual(await storedTitles(gateway.url, bob.key), ["Hello, I am Bob"]);
    await screenshot(laptop.page, "server-conversations-before-delete-all");

    await actions(laptop.page).getByRole("button", { name: "Delete all my conversations" }).click();
    await laptop.page.locator('[data-role="user"]').first().waitFor({ state: "detached" });
    assert.deepEqual(await listed(laptop.page), []);
    assert.deepEqual(await storedTitles(gateway.url, carol.key), []);
    assert.deepEqual(await storedTitles(gateway.url, bob.key), ["Hello, I am Bob"]);

    await refocus(phone.page);
    await picker(phone.page).waitFor({ state: "detached" });
    assert.deepEqual(await listed(phone.page), []);
    await screenshot(laptop.page, "server-conversations-deleted-all");
  });
});
