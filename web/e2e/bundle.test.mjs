// The bundle budget: the JavaScript the browser loads for the first paint of
// / (every script index.html names, as Next.js's "First Load JS" counts it),
// gzipped, must stay within BUDGET. What the first paint does not need
// (Markdown rendering, Amplify) is loaded on demand, in chunks not counted
// here. It reads the static export make web-build writes (OUT_DIR to
// measure another).

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "node:test";
import { gzipSync } from "node:zlib";
import { outDir } from "./browser.mjs";

/**
 * Gzipped bytes, in kB of 1000 as Next.js reported "First Load JS". The first
 * load of / was 232 kB with the Markdown renderer in it, 185 kB once that
 * loaded after first paint; the budget keeps the split (putting the renderer
 * back would cost some 46 kB) with room for small changes.
 */
export const BUDGET = 200_000;

const kB = (n) => (n / 1000).toFixed(1);

/** Every script chunk index.html refers to (script tags, preloads, the inline flight data), gzipped. */
export function firstLoad(dir) {
  const html = readFileSync(path.join(dir, "index.html"), "utf8");
  const files = [...new Set(html.match(/\/_next\/static\/chunks\/[\w.-]+\.js/g) ?? [])];
  const sizes = files.map((f) => ({ file: f, gzip: gzipSync(readFileSync(path.join(dir, f)), { level: 9 }).length }));
  return { files: sizes, total: sizes.reduce((n, f) => n + f.gzip, 0) };
}

test(`the first load of / is at most ${kB(BUDGET)} kB gzipped`, () => {
  const { files, total } = firstLoad(process.env.OUT_DIR ?? outDir);
  assert.ok(files.length > 0, "index.html names no script: the pattern is broken");
  const table = files.map((f) => `  ${kB(f.gzip).padStart(6)} kB  ${f.file}`).join("\n");
  console.log(`first load of /: ${kB(total)} kB gzipped (budget ${kB(BUDGET)} kB)\n${table}`);
  assert.ok(total <= BUDGET, `first load of / is ${kB(total)} kB gzipped, over the ${kB(BUDGET)} kB budget:\n${table}`);
});
