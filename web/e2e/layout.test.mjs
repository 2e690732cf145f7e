// Layout and accessibility in Chromium: every width from a small phone to a
// desktop shows every message whole, light and dark themes follow the
// system setting, and axe-core finds no serious violations.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  answerWith,
  axeViolations,
  openChat,
  screenshot,
  sendMessage,
  setup,
  sseAnswer,
  startPageGateway,
  waitForAnswer,
} from "./browser.mjs";

setup();

const ANSWER = [
  "Here is a plan with a long unbroken token: " + "x".repeat(120),
  "```bash\ncurl -N http://127.0.0.1:8080/v1/chat/completions -H 'Content-Type: application/json' -d '{\"stream\":true}'\n```",
  "| model | region | notes |\n|---|---|---|\n| Claude Sonnet 4.5 | us-east-1 | a rather long note that wraps |",
  "Last line of the answer.",
].join("\n\n");

const REASONING = "Thinking about what fits on a small screen.";

/** Fills the chat with a user message and a rich answer. */
async function fill(page) {
  await answerWith(page, sseAnswer(ANSWER, { reasoning: REASONING }));
  await sendMessage(page, "A question long enough to wrap on a phone: " + "why ".repeat(30));
  await waitForAnswer(page);
}

/** Boxes of the page parts that must stay inside the viewport and the list. */
function measure(page) {
  return page.evaluate(() => {
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    };
    const list = document.querySelector('[data-testid="messages"]');
    return {
      viewport: { width: window.innerWidth, height: window.innerHeight },
      pageScrollWidth: document.documentElement.scrollWidth,
      pageScrollHeight: document.documentElement.scrollHeight,
      list: box(list),
      listAtEnd: list.scrollHeight - list.scrollTop - list.clientHeight <= 2,
      messages: [...list.querySelectorAll("[data-role]")].map(box),
      controls: [...document.querySelectorAll("header button, form button, textarea")].map(box),
    };
  });
}

describe("layout and accessibility", () => {
  let gateway;

  before(async () => {
    gateway = await startPageGateway();
  });

  test("360 to 1440 px wide: no message is clipped and nothing scrolls sideways", { timeout: 120_000 }, async () => {
    for (const [width, height] of [
      [360, 640],
      [390, 844],
      [768, 1024],
      [1440, 900],
    ]) {
      const { page } = await openChat(gateway.url, { width, height });
      await fill(page);
      const m = await measure(page);
      const at = `at ${width}x${height}`;
      assert.ok(m.pageScrollWidth <= width, `page scrolls sideways ${at}: ${m.pageScrollWidth}`);
      assert.ok(m.pageScrollHeight <= height, `page taller than the viewport ${at}: ${m.pageScrollHeight}`);
      for (const c of m.controls) {
        assert.ok(c.left >= 0 && c.right <= width && c.bottom <= height, `control outside the viewport ${at}: ${JSON.stringify(c)}`);
      }
      for (const b of m.messages) {
        assert.ok(b.left >= m.list.left - 1 && b.right <= m.list.right + 1, `message sticks out ${at}: ${JSON.stringify(b)}`);
      }
      // The list ends on the last message, shown whole above the composer.
      assert.ok(m.listAtEnd, `list not scrolled to the end ${at}`);
      const last = m.messages[m.messages.length - 1];
      assert.ok(last.bottom <= m.list.bottom + 1, `last message cut off ${at}: ${JSON.stringify({ last, list: m.list })}`);
      await screenshot(page, `width-${width}`);
    }
  });

  test("the theme follows prefers-color-scheme", { timeout: 60_000 }, async () => {
    const colors = {};
    for (const colorScheme of ["light", "dark"]) {
      const { page } = await openChat(gateway.url, { colorScheme, width: 390, height: 760 });
      await fill(page);
      colors[colorScheme] = await page.evaluate(() => {
        const chat = getComputedStyle(document.querySelector("section"));
        return { bg: chat.backgroundColor, fg: chat.color };
      });
      await screenshot(page, `theme-${colorScheme}`);
    }
    assert.equal(colors.light.bg, "rgb(255, 255, 255)");
    assert.equal(colors.dark.bg, "rgb(17, 24, 39)");
    assert.equal(colors.dark.fg, "rgb(243, 244, 246)");
  });

  test("axe-core finds no serious or critical violations, light and dark, empty and full", { timeout: 90_000 }, async () => {
    for (const colorScheme of ["light", "dark"]) {
      const { page } = await openChat(gateway.url, { colorScheme });
      assert.deepEqual(await axeViolations(page), [], `empty chat, ${colorScheme}`);
      assert.equal(await page.locator("h1").count(), 1);
      await fill(page);
      await page.getByTestId("reasoning").locator("summary").click();
      assert.deepEqual(await axeViolations(page), [], `full chat, ${colorScheme}`);
    }
  });
});
