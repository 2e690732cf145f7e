// Shared setup of the Chromium tests: one browser per test file, pages that
// record console errors, screenshots in web/test-results/, an axe-core run,
// and answers in the gateway's real SSE format for what the gateway cannot
// yet produce (reasoning, tool calls, chosen Markdown).

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { chromium } from "playwright-core";
import { buildGateway, startGateway } from "./gateway.mjs";
import { launchOptions, runCleanups, withTimeout } from "./harness.mjs";

export const webDir = fileURLToPath(new URL("..", import.meta.url));
export const repoRoot = path.resolve(webDir, "..");
export const outDir = path.join(webDir, "out");
export const resultsDir = path.join(webDir, "test-results");
const axePath = createRequire(import.meta.url).resolve("axe-core/axe.min.js");

export const cleanups = [];
/** Filled in by setup(): { bin } of the gateway built for this file, and the browser. */
export const env = { build: undefined, browser: undefined };

/** Registers before/after hooks that build the gateway and start Chromium once per file. */
export function setup({ tags = "chatbot_testhooks" } = {}) {
  before(async () => {
    assert.ok(existsSync(path.join(outDir, "index.html")), `no static build at ${outDir}: run next build first`);
    mkdirSync(resultsDir, { recursive: true });
    env.build = await buildGateway(repoRoot, { tags });
    cleanups.push(env.build.cleanup);
    env.browser = await chromium.launch(launchOptions(["--disable-quic"]));
    cleanups.push(() => withTimeout(env.browser.close(), 10_000));
  });
  after(() => runCleanups(cleanups));
}

/**
 * Starts the gateway setup() built, serving the static build, with settings
 * added to its environment; it stops when the file's tests are done. It keeps
 * no conversations (STATE_STORE=off) unless settings say otherwise, so the
 * page keeps them in localStorage and talks Chat Completions.
 */
export async function startPageGateway(settings = {}) {
  const gateway = await startGateway(env.build.bin, { CHATBOT_WEB_DIR: outDir, STATE_STORE: "off", ...settings });
  cleanups.push(gateway.stop);
  return gateway;
}

/** A new API key from the gateway binary: { key, entry } (entry goes in API_KEY_SHA256S). */
export async function newAPIKey(bin, name) {
  const { stdout } = await promisify(execFile)(bin, ["apikey", name]);
  const key = stdout.match(/\bsk-[A-Za-z0-9_-]+/)?.[0];
  const entry = stdout.match(new RegExp(`\\b${name}:[0-9a-f]{64}\\b`))?.[0];
  assert.ok(key && entry, `unexpected apikey output: ${stdout}`);
  return { key, entry };
}

/** The newest conversation's messages as the gateway keeps them: [role, text]. */
export async function storedTexts(url, key) {
  const headers = { "X-Authorization": `Bearer ${key}` };
  const list = await (await fetch(`${url}/v1/conversations?limit=1`, { headers })).json();
  const items = await (await fetch(`${url}/v1/conversations/${list.data[0].id}/items?order=asc&limit=100`, { headers })).json();
  return items.data.filter((i) => i.type === "message").map((i) => [i.role, i.content.map((c) => c.text).join("")]);
}

/** Opens the chat in a fresh browser context (empty storage). */
export async function openChat(url, { width = 900, height = 760, colorScheme = "light", context } = {}) {
  const ctx = context ?? (await env.browser.newContext({ viewport: { width, height }, colorScheme }));
  if (!context) cleanups.push(() => withTimeout(ctx.close(), 5_000));
  const page = await ctx.newPage();
  page.setDefaultTimeout(15_000);
  const consoleErrors = [];
  page.on("console", (msg) => {
    // The page asks whether the gateway keeps conversations; a 404 is its "no", which Chromium logs.
    if (msg.type() === "error" && !(msg.text().includes("status of 404") && /\/v1\/conversations\?limit=/.test(msg.location().url))) {
      consoleErrors.push(`${msg.text()} ${msg.location().url}`);
    }
  });
  page.on("pageerror", (err) => consoleErrors.push(`pageerror: ${err.message}`));
  await page.goto(url, { waitUntil: "networkidle" });
  await page.getByRole("heading", { level: 1, name: "Chatbot" }).waitFor();
  return { page, context: ctx, consoleErrors };
}

/** Opens the chat in a fresh context signed in with key, as if the key had been pasted into the page. */
export async function openSignedIn(url, key) {
  const context = await env.browser.newContext({ viewport: { width: 900, height: 760 } });
  cleanups.push(() => withTimeout(context.close(), 5_000));
  await context.addInitScript((k) => sessionStorage.setItem("chatbot.credential", k), key);
  return openChat(url, { context });
}

export const input = (page) => page.getByRole("textbox", { name: "Message" });

export async function sendMessage(page, text) {
  await input(page).fill(text);
  await input(page).press("Enter");
}

// Next.js adds its own role="alert" route announcer, so look inside the chat only.
export const chatAlerts = (page) => page.getByRole("region", { name: "Chatbot" }).getByRole("alert");

export const assistants = (page) => page.locator('[data-role="assistant"]');
export const lastAssistant = (page) => assistants(page).last();
export const contentOf = (locator) => locator.getByTestId("content");

/** Waits until the last answer has settled (done, stopped or failed). */
export async function waitForAnswer(page, status = "done", timeout = 30_000) {
  await page.locator(`[data-role="assistant"][data-status="${status}"]`).last().waitFor({ timeout });
  await page.getByRole("button", { name: "Send" }).waitFor();
}

export async function screenshot(page, name) {
  await page.screenshot({ path: path.join(resultsDir, `${name}.png`) });
}

/** Runs axe-core in the page; returns the serious and critical violations. */
export async function axeViolations(page) {
  // Evaluated through the DevTools protocol: a <script> tag would be an
  // inline script the page's Content-Security-Policy refuses.
  await page.evaluate(readFileSync(axePath, "utf8"));
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.map((n) => n.target.join(" ")).slice(0, 5) }));
  });
  return result.filter((v) => v.impact === "serious" || v.impact === "critical");
}

/** One chat.completion.chunk frame. */
export function chunkFrame(delta, { model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0", finish = null } = {}) {
  return `data: ${JSON.stringify({
    id: "chatcmpl-e2e",
    object: "chat.completion.chunk",
    created: 1,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;
}

/** A complete SSE answer: optional reasoning and tool calls, then text in small pieces, then [DONE]. */
export function sseAnswer(text, { reasoning, toolCalls, model, done = true, error } = {}) {
  let body = chunkFrame({ role: "assistant", content: "" }, { model });
  for (const piece of reasoning?.match(/[\s\S]{1,12}/g) ?? []) body += chunkFrame({ reasoning_content: piece }, { model });
  for (const delta of toolCalls ?? []) body += chunkFrame({ tool_calls: [delta] }, { model });
  for (const piece of text.match(/[\s\S]{1,9}/g) ?? []) body += chunkFrame({ content: piece }, { model });
  if (error) {
    return body + `data: ${JSON.stringify({ error })}\n\n`;
  }
  return done ? body + chunkFrame({}, { model, finish: "stop" }) + "data: [DONE]\n\n" : body;
}

/** Answers the page's next chat requests with body instead of asking the gateway. */
export async function answerWith(page, body) {
  await page.route("**/v1/chat/completions", (route) =>
    route.fulfill({ status: 200, headers: { "Content-Type": "text/event-stream", "Cache-Control": "no-store" }, body }),
  );
}

/**
 * Adds fields to the page's chat requests on their way to the gateway, with
 * the payload hash of the changed body.
 */
export async function extendRequests(page, fields) {
  await page.route("**/v1/chat/completions", (route) => {
    const request = route.request();
    const postData = JSON.stringify({ ...JSON.parse(request.postData() ?? "{}"), ...fields });
    const headers = { ...request.headers(), "x-amz-content-sha256": createHash("sha256").update(postData).digest("hex") };
    return route.continue({ postData, headers });
  });
}

/** Sends the page's chat requests to the gateway with a different model (one of the test models). */
export const useModel = (page, model) => extendRequests(page, { model });
