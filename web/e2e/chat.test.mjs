// End-to-end: the real gateway (ELIZA, paced words) serves the real static
// build, and headless Chromium drives the chat like a person would.

import assert from "node:assert/strict";
import { generateKeyPairSync } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { createServer } from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { buildGateway, startGateway } from "./gateway.mjs";

const webDir = fileURLToPath(new URL("..", import.meta.url));
const repoRoot = path.resolve(webDir, "..");
const outDir = path.join(webDir, "out");
const resultsDir = path.join(webDir, "test-results");
const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const LONG_MESSAGE =
  "I remember the long summer evenings when my brother and I walked along the river talking about everything we wanted to become";

let build;
let browser;
const cleanups = [];

before(async () => {
  assert.ok(existsSync(path.join(outDir, "index.html")), `no static build at ${outDir}: run next build first`);
  mkdirSync(resultsDir, { recursive: true });
  build = await buildGateway(repoRoot);
  cleanups.push(build.cleanup);
  browser = await chromium.launch({
    executablePath: chromiumPath,
    timeout: 30_000,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  cleanups.push(() => withTimeout(browser.close(), 10_000));
});

after(async () => {
  for (const cleanup of cleanups.reverse()) {
    try {
      await cleanup();
    } catch (err) {
      console.error("cleanup:", err);
    }
  }
});

function withTimeout(promise, ms) {
  let timer;
  return Promise.race([
    promise.finally(() => clearTimeout(timer)),
    new Promise((resolve) => {
      timer = setTimeout(resolve, ms);
    }),
  ]);
}

async function openChat(url) {
  const context = await browser.newContext({ viewport: { width: 900, height: 760 } });
  cleanups.push(() => withTimeout(context.close(), 5_000));
  const page = await context.newPage();
  page.setDefaultTimeout(15_000);
  const consoleErrors = [];
  page.on("console", (msg) => {
    if (msg.type() === "error") consoleErrors.push(`${msg.text()} ${msg.location().url}`);
  });
  await page.goto(url, { waitUntil: "networkidle" });
  return { page, consoleErrors };
}

async function sendMessage(page, text) {
  const input = page.getByLabel("Message");
  await input.fill(text);
  await input.press("Enter");
}

// Next.js adds its own role="alert" route announcer, so look inside the chat only.
const chatAlert = (page) => page.getByRole("region", { name: "Chatbot" }).getByRole("alert");
const lastAssistant = (page) => page.locator('[data-role="assistant"]').last();

describe("chat page against the local gateway", () => {
  let gateway;

  before(async () => {
    // REQUIRE_CONTENT_SHA256: the gateway checks the hash the browser computed with WebCrypto.
    gateway = await startGateway(build.bin, {
      ELIZA_WORD_DELAY: "60ms",
      CHATBOT_WEB_DIR: outDir,
      REQUIRE_CONTENT_SHA256: "true",
    });
    cleanups.push(gateway.stop);
  });

  test("the answer streams in visible steps and shows the model", { timeout: 60_000 }, async () => {
    const { page, consoleErrors } = await openChat(gateway.url);
    await page.getByRole("heading", { name: "Chatbot" }).waitFor();

    // Sample the last answer's text in the page every 20 ms, as a person watching would see it.
    await page.evaluate(() => {
      const w = window;
      w.__samples = [];
      w.__sampler = setInterval(() => {
        const items = document.querySelectorAll('[data-role="assistant"]');
        const el = items[items.length - 1];
        if (!el) return;
        const text = el.querySelector("p")?.textContent ?? "";
        const status = el.getAttribute("data-status");
        const prev = w.__samples[w.__samples.length - 1];
        if (!prev || prev.text !== text || prev.status !== status) w.__samples.push({ text, status });
      }, 20);
    });

    await sendMessage(page, "Hello, I feel a little sad today because my computer keeps crashing");
    await page.locator('[data-role="assistant"][data-status="done"]').waitFor({ timeout: 30_000 });
    const samples = await page.evaluate(() => {
      clearInterval(window.__sampler);
      return window.__samples;
    });

    const finalText = (await lastAssistant(page).locator("p").textContent()) ?? "";
    assert.ok(finalText.trim().length > 0, "the answer is empty");
    const growing = samples.filter((s) => s.status === "streaming" && s.text.trim() !== "");
    assert.ok(growing.length >= 3, `answer appeared in ${growing.length} visible steps, want >= 3: ${JSON.stringify(samples)}`);
    for (let i = 1; i < growing.length; i++) {
      assert.ok(growing[i].text.startsWith(growing[i - 1].text), `text did not grow by appending: ${JSON.stringify(growing)}`);
      assert.ok(growing[i].text.length > growing[i - 1].text.length);
    }
    assert.ok(finalText.startsWith(growing[growing.length - 1].text));

    const model = await lastAssistant(page).getByTestId("model").textContent();
    assert.match(model ?? "", /eliza/i);
    // The user's message is shown as sent, and the input is ready for the next one.
    await page.locator('[data-role="user"]').getByText("my computer keeps crashing").waitFor();
    assert.equal(await page.getByLabel("Message").inputValue(), "");
    assert.equal(await chatAlert(page).count(), 0);
    await page.screenshot({ path: path.join(resultsDir, "chat.png") });
    assert.deepEqual(consoleErrors, []);
  });

  test("Shift+Enter inserts a newline instead of sending", { timeout: 30_000 }, async () => {
    const { page } = await openChat(gateway.url);
    const input = page.getByLabel("Message");
    await input.fill("first line");
    await input.press("Shift+Enter");
    await input.pressSequentially("second line");
    assert.equal(await input.inputValue(), "first line\nsecond line");
    assert.equal(await page.locator('[data-role="user"]').count(), 0);
  });

  test("Stop ends the stream early and the UI returns to idle", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    await sendMessage(page, LONG_MESSAGE);
    await page.waitForFunction(() => {
      const items = document.querySelectorAll('[data-role="assistant"]');
      return (items[items.length - 1]?.querySelector("p")?.textContent ?? "").trim() !== "";
    });
    await page.getByRole("button", { name: "Stop" }).click();
    await page.getByRole("button", { name: "Send" }).waitFor();

    const answer = lastAssistant(page);
    assert.equal(await answer.getAttribute("data-status"), "stopped");
    const stoppedText = await answer.locator("p").textContent();
    // Words arrive every 60 ms; a stream that kept going would add several in this time.
    await page.waitForTimeout(600);
    assert.equal(await answer.locator("p").textContent(), stoppedText, "text kept growing after Stop");
    assert.equal(await answer.getAttribute("data-status"), "stopped");
    assert.equal(await chatAlert(page).count(), 0, "Stop must not show an error");

    // The conversation goes on after a stop.
    await sendMessage(page, "Thank you");
    await page.locator('[data-role="assistant"]').nth(1).and(page.locator('[data-status="done"]')).waitFor({ timeout: 30_000 });
  });
});

describe("chat page against a gateway with auth on", () => {
  let gateway;

  before(async () => {
    const jwks = await startJWKS();
    cleanups.push(jwks.stop);
    gateway = await startGateway(build.bin, {
      ELIZA_WORD_DELAY: "60ms",
      CHATBOT_WEB_DIR: outDir,
      OIDC_ISSUER: jwks.url,
      OIDC_JWKS_URL: `${jwks.url}/jwks.json`,
      OIDC_AUDIENCE: "chatbot-e2e",
    });
    cleanups.push(gateway.stop);
  });

  test("without a token the UI shows an auth error with Retry", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    await sendMessage(page, "Hello");
    const alert = chatAlert(page);
    await alert.waitFor();
    assert.equal(await alert.getAttribute("data-kind"), "auth");
    assert.match((await alert.textContent()) ?? "", /sign-in required/i);
    await page.getByRole("button", { name: "Send" }).waitFor();
    // The failed answer had no text: the notice stands for it.
    assert.equal(await page.locator('[data-role="assistant"]').count(), 0);
    await page.screenshot({ path: path.join(resultsDir, "auth-error.png") });

    // Retry sends again and fails the same way: still one alert, no duplicated answers.
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/v1/chat/completions")),
      page.getByRole("button", { name: "Retry" }).click(),
    ]);
    assert.equal(response.status(), 401);
    await alert.waitFor();
    assert.equal(await chatAlert(page).count(), 1);
    assert.equal(await page.locator('[data-role="user"]').count(), 1, "Retry must not repeat the question");
  });
});

/** Serves a JWKS with a freshly generated RSA public key on 127.0.0.1. */
async function startJWKS() {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "e2e", alg: "RS256", use: "sig" };
  const server = createServer((req, res) => {
    if (req.url === "/jwks.json") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    if (req.url === "/.well-known/openid-configuration") {
      const issuer = `http://127.0.0.1:${server.address().port}`;
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ issuer, jwks_uri: `${issuer}/jwks.json` }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
