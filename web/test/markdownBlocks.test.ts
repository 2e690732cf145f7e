import { describe, expect, it } from "vitest";
import { splitBlocks } from "../src/chat/markdownBlocks";

const ANSWER = [
  "# Plan",
  "",
  "First a paragraph",
  "that continues.",
  "",
  "- item one",
  "",
  "  still item one",
  "- item two",
  "",
  "```python",
  "def f():",
  "",
  "    return 1",
  "```",
  "",
  "~~~~",
  "```",
  "",
  "not closed by backticks",
  "~~~~",
  "",
  "| a | b |",
  "|---|---|",
  "| 1 | 2 |",
  "",
  "Done.",
].join("\n");

describe("splitBlocks", () => {
  it("splits at blank lines outside fences, keeping indented continuations", () => {
    expect(splitBlocks(ANSWER)).toEqual([
      "# Plan\n\n",
      "First a paragraph\nthat continues.\n\n",
      "- item one\n\n  still item one\n- item two\n\n",
      "```python\ndef f():\n\n    return 1\n```\n\n",
      "~~~~\n```\n\nnot closed by backticks\n~~~~\n\n",
      "| a | b |\n|---|---|\n| 1 | 2 |\n\n",
      "Done.",
    ]);
  });

  it("loses and adds nothing", () => {
    for (const text of [ANSWER, "", "\n\n\n", "one", "```\nunclosed\n\nfence", "a\r\n\r\nb"]) {
      expect(splitBlocks(text).join("")).toBe(text);
    }
  });

  it("never changes a finished block as the text grows, at any prefix", () => {
    for (let n = 1; n <= ANSWER.length; n++) {
      const before = splitBlocks(ANSWER.slice(0, n - 1));
      const after = splitBlocks(ANSWER.slice(0, n));
      // Every block but the last one of the shorter text is final.
      expect(after.slice(0, before.length - 1), `prefix ${n}`).toEqual(before.slice(0, -1));
    }
  });

  it("keeps an unclosed fence open to the end", () => {
    expect(splitBlocks("intro\n\n```js\nlet a;\n\nlet b;")).toEqual(["intro\n\n", "```js\nlet a;\n\nlet b;"]);
  });

  it("does not open a fence on a backtick line with a backtick in its info string", () => {
    expect(splitBlocks("``` a`b\n\nnext")).toEqual(["``` a`b\n\n", "next"]);
  });
});
