// The local server's page under its Content-Security-Policy, in Chromium:
// the page works with no policy violation (its inline scripts are allowed by
// hash, nothing else), and a page on another origin cannot frame it
// (frame-ancestors 'none', X-Frame-Options: DENY).

import assert from "node:assert/strict";
import { createServer } from "node:http";
import { before, describe, test } from "node:test";
import { cleanups, contentOf, env, lastAssistant, openChat, sendMessage, setup, startPageGateway, waitForAnswer } from "./browser.mjs";
import { freePort } from "./gateway.mjs";
import { withTimeout } from "./harness.mjs";

setup();

/** A browser context that records every policy violation the page reports. */
async function recordingContext() {
  const ctx = await env.browser.newContext({ viewport: { width: 900, height: 760 } });
  cleanups.push(() => withTimeout(ctx.close(), 5_000));
  // Init scripts are run by the browser itself, outside the page's policy.
  await ctx.addInitScript(() => {
    window.__violations = [];
    document.addEventListener("securitypolicyviolation", (e) =>
      window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} (${e.sourceFile}:${e.lineNumber})`),
    );
  });
  return ctx;
}

/** Serves html on 127.0.0.1 at another port: another origin than the gateway's. */
async function startOtherOrigin(html) {
  const port = await freePort();
  const server = createServer((req, res) => {
    if (req.url === "/framed") {
      res.writeHead(200, { "Content-Type": "text/html" });
      res.end("<!doctype html><title>framed</title><h1>Framed fine</h1>");
      return;
    }
    res.writeHead(200, { "Content-Type": "text/html" });
    res.end(html);
  });
  await new Promise((resolve) => server.listen(port, "127.0.0.1", resolve));
  cleanups.push(() => new Promise((resolve) => server.close(resolve)));
  return `http://127.0.0.1:${port}`;
}

describe("the page's security headers", () => {
  let gateway;

  before(async () => {
    gateway = await startPageGateway();
  });

  test("the page works under its policy, which reports no violation", { timeout: 60_000 }, async () => {
    const res = await fetch(gateway.url + "/");
    const csp = res.headers.get("content-security-policy") ?? "";
    assert.match(csp, /frame-ancestors 'none'/);
    assert.match(csp, /script-src 'self'( 'sha256-[A-Za-z0-9+/=]+')+$/, "inline scripts allowed by hash only");
    assert.equal(res.headers.get("x-frame-options"), "DENY");

    const ctx = await recordingContext();
    const { page, consoleErrors } = await openChat(gateway.url, { context: ctx });
    await sendMessage(page, "I feel tired today");
    await waitForAnswer(page);
    assert.ok((await contentOf(lastAssistant(page)).innerText()).length > 0, "ELIZA answered");
    assert.deepEqual(await page.evaluate(() => window.__violations), [], "policy violations");
    assert.deepEqual(consoleErrors, [], "console errors");
  });

  test("an inline script the page did not ship is refused", { timeout: 30_000 }, async () => {
    // The check above could pass with a policy that allows everything: show
    // this one refuses a script that is not the page's own.
    const ctx = await recordingContext();
    const { page } = await openChat(gateway.url, { context: ctx });
    const ran = await page.evaluate(() => {
      window.__injected = false;
      const s = document.createElement("script");
      s.textContent = "window.__injected = true";
      document.body.append(s);
      return window.__injected;
    });
    assert.equal(ran, false, "an injected inline script ran");
    const violations = await page.evaluate(() => window.__violations);
    assert.ok(violations.some((v) => v.startsWith("script-src")), `no script-src violation reported: ${violations}`);
  });

  test("a page on another origin cannot frame it", { timeout: 30_000 }, async () => {
    const other = await startOtherOrigin(
      `<!doctype html><title>framing</title>` +
        `<iframe id="chat" src="${gateway.url}/" width="800" height="600"></iframe>` +
        `<iframe id="control" src="/framed" width="400" height="200"></iframe>`,
    );
    const ctx = await env.browser.newContext();
    cleanups.push(() => withTimeout(ctx.close(), 5_000));
    const page = await ctx.newPage();
    const messages = [];
    page.on("console", (msg) => messages.push(msg.text()));
    await page.goto(other, { waitUntil: "load" });

    // The control frame from the framing page's own origin renders, so a
    // frame that shows nothing is the gateway's refusal, not a broken test.
    const control = page.frameLocator("#control");
    await control.getByRole("heading", { name: "Framed fine" }).waitFor({ timeout: 10_000 });

    const refusal = /frame-ancestors|X-Frame-Options/i;
    if (!messages.some((m) => refusal.test(m))) {
      await page.waitForEvent("console", { predicate: (m) => refusal.test(m.text()), timeout: 10_000 });
    }
    const frame = await (await page.locator("#chat").elementHandle()).contentFrame();
    // Chromium puts its own error page in a refused frame.
    assert.ok(!frame?.url().startsWith(gateway.url), `the frame holds ${frame?.url()}`);
    const chat = frame ? await frame.getByRole("heading", { name: "Chatbot" }).count() : 0;
    assert.equal(chat, 0, "the chat page rendered inside a frame");
  });
});
