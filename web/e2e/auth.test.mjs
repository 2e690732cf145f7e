// The local page with auth on: a 401 offers a field for an API key or a
// minted token, kept in this tab's sessionStorage and sent only to the
// gateway that served the page.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import { before, describe, test } from "node:test";
import { promisify } from "node:util";
import {
  axeViolations,
  chatAlerts,
  cleanups,
  contentOf,
  env,
  input,
  lastAssistant,
  openChat,
  screenshot,
  sendMessage,
  setup,
  startPageGateway,
  waitForAnswer,
} from "./browser.mjs";

setup({ tags: "" });

const keyField = (page) => page.getByLabel(/needs an API key|refused that key/);

/** A fresh API key and its API_KEY_SHA256S entry, from the gateway's own `apikey` command. */
async function newAPIKey(bin, name) {
  const { stdout } = await promisify(execFile)(bin, ["apikey", name]);
  const key = stdout.match(/\bsk-[A-Za-z0-9_-]+/)?.[0];
  const entry = stdout.match(new RegExp(`\\b${name}:[0-9a-f]{64}\\b`))?.[0];
  assert.ok(key && entry, `unexpected apikey output: ${stdout}`);
  return { key, entry };
}

describe("local page with API keys", () => {
  let gateway;
  let apiKey;

  before(async () => {
    const { key, entry } = await newAPIKey(env.build.bin, "e2e");
    apiKey = key;
    gateway = await startPageGateway({
      ELIZA_WORD_DELAY: "5ms",
      API_KEY_SHA256S: entry,
      TOKEN_SIGNING_KEY: randomBytes(32).toString("hex"),
    });
  });

  test("the key form shows on load, before the first message, when the model list is refused", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    await keyField(page).waitFor();
    assert.equal(await page.locator('[data-role="user"]').count(), 0, "no message was sent");
    assert.ok(await keyField(page).evaluate((el) => el === document.activeElement), "the key field has the focus");
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, "auth-key-on-load");

    await keyField(page).fill(apiKey);
    await keyField(page).press("Enter");
    await page.getByTestId("default-model").waitFor();
    assert.equal(await keyField(page).count(), 0, "the form goes once the key is accepted");
    await sendMessage(page, "Hello");
    await waitForAnswer(page);
    assert.match((await contentOf(lastAssistant(page)).textContent()) ?? "", /\S/);
  });

  test("a 401 asks for a key; a wrong one is refused, the right one answers", { timeout: 60_000 }, async () => {
    const { page, context, consoleErrors } = await openChat(gateway.url);
    const sent = [];
    page.on("request", (r) => sent.push({ url: r.url(), auth: r.headers()["x-authorization"] }));
    await sendMessage(page, "Hello");
    const alert = chatAlerts(page);
    await alert.waitFor();
    assert.equal(await alert.getAttribute("data-kind"), "auth");
    await keyField(page).waitFor();
    assert.equal(await keyField(page).getAttribute("type"), "password");
    assert.deepEqual(await axeViolations(page), []);
    await screenshot(page, "auth-key-field");

    await keyField(page).fill("sk-not-the-right-key");
    await page.getByRole("button", { name: "Use key" }).click();
    await page.getByLabel("The gateway refused that key. Paste another").waitFor();
    assert.equal(await page.locator('[data-role="user"]').count(), 1, "retrying must not repeat the question");

    await keyField(page).fill(`  ${apiKey}  `);
    await keyField(page).press("Enter");
    await waitForAnswer(page);
    assert.match((await contentOf(lastAssistant(page)).textContent()) ?? "", /\S/);
    assert.equal(await chatAlerts(page).count(), 0);
    assert.equal(await page.evaluate(() => sessionStorage.getItem("chatbot.credential")), apiKey);
    assert.equal(await page.evaluate(() => localStorage.getItem("chatbot.conversations")?.includes("sk-")), false);
    assert.equal(await page.getByTestId("default-model").textContent(), "ELIZA", "models are listed with the key");

    // Every request with the credential went to this gateway, as a bearer token.
    const withKey = sent.filter((s) => s.auth);
    assert.ok(withKey.length >= 2);
    for (const s of withKey) {
      assert.ok(s.url.startsWith(`${gateway.url}/v1/`), `credential sent to ${s.url}`);
      assert.match(s.auth, /^Bearer sk-/);
    }

    // The key is this tab's: another tab of the same browser has to ask again.
    const other = await context.newPage();
    await other.goto(gateway.url, { waitUntil: "networkidle" });
    assert.equal(await other.evaluate(() => sessionStorage.getItem("chatbot.credential")), null);

    // Forget key drops it.
    await page.getByRole("button", { name: "Forget key" }).click();
    assert.equal(await page.evaluate(() => sessionStorage.getItem("chatbot.credential")), null);
    assert.deepEqual(consoleErrors.filter((e) => !/401/.test(e)), []);
  });

  test("a token minted with POST /v1/tokens works as well", { timeout: 60_000 }, async () => {
    const body = JSON.stringify({ ttl_seconds: 600 });
    const res = await fetch(`${gateway.url}/v1/tokens`, {
      method: "POST",
      headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
      body,
    });
    assert.equal(res.status, 200, await res.clone().text());
    const { token } = await res.json();
    const { page } = await openChat(gateway.url);
    await sendMessage(page, "Hello again");
    await keyField(page).fill(token);
    await page.getByRole("button", { name: "Use key" }).click();
    await waitForAnswer(page);
    await input(page).focus();
  });
});

describe("chat page against a gateway with JWT auth", () => {
  let gateway;

  before(async () => {
    const jwks = await startJWKS();
    cleanups.push(jwks.stop);
    gateway = await startPageGateway({
      ELIZA_WORD_DELAY: "60ms",
      OIDC_ISSUER: jwks.url,
      OIDC_JWKS_URL: `${jwks.url}/jwks.json`,
      OIDC_AUDIENCE: "chatbot-e2e",
    });
  });

  test("without a token the UI shows an auth error with Retry", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    await sendMessage(page, "Hello");
    const alert = chatAlerts(page);
    await alert.waitFor();
    assert.equal(await alert.getAttribute("data-kind"), "auth");
    assert.match((await alert.textContent()) ?? "", /sign-in required/i);
    await page.getByRole("button", { name: "Send" }).waitFor();
    // The failed answer had no text: the notice stands for it.
    assert.equal(await page.locator('[data-role="assistant"][data-status="error"]').count(), 1);
    assert.equal(await page.locator('[data-role="assistant"] [data-testid="content"]').count(), 0);
    await screenshot(page, "auth-error");

    // Retry sends again and fails the same way: still one alert, no duplicated answers.
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.url().endsWith("/v1/chat/completions")),
      alert.getByRole("button", { name: "Retry" }).click(),
    ]);
    assert.equal(response.status(), 401);
    await alert.waitFor();
    assert.equal(await chatAlerts(page).count(), 1);
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
