// `make run` as a user runs it: the gateway answers before the page is built,
// / says the page is building, settings from the environment win over the
// Makefile's, and keys written by `make apikey` turn auth on.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, describe, test } from "node:test";
import { repoRoot } from "./browser.mjs";
import { freePort, scrubbedEnv } from "./gateway.mjs";

const running = new Set();
const work = mkdtempSync(path.join(tmpdir(), "chatbot-run-"));
after(async () => {
  await Promise.all([...running].map((r) => r.stop()));
  rmSync(work, { recursive: true, force: true });
});

/** Starts `make run` in its own process group; resolves once the gateway answers /healthz. */
async function makeRun(env) {
  const port = await freePort();
  const addr = `127.0.0.1:${port}`;
  const base = scrubbedEnv();
  // A make above this test must not hand its jobserver to this one.
  for (const k of ["MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"]) delete base[k];
  const child = spawn("make", ["--no-print-directory", "run"], {
    cwd: repoRoot,
    env: { ...base, CHATBOT_ADDR: addr, ELIZA_WORD_DELAY: "1ms", ...env },
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const run = {
    url: `http://${addr}`,
    output: () => output,
    stop: async () => {
      running.delete(run);
      try {
        process.kill(-child.pid, "SIGINT");
      } catch {
        return; // already gone
      }
      const force = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // gone
        }
      }, 5_000);
      await exited;
      clearTimeout(force);
    },
  };
  running.add(run);
  const deadline = Date.now() + 240_000; // includes a Go build
  for (;;) {
    if (child.exitCode !== null) throw new Error(`make run exited ${child.exitCode}:\n${output}`);
    try {
      await fetch(`${run.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      return run;
    } catch {
      if (Date.now() > deadline) throw new Error(`make run did not serve within 240 s:\n${output}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  }
}

function chat(url, key) {
  return fetch(`${url}/v1/chat/completions`, {
    method: "POST",
    headers: { "Content-Type": "application/json", ...(key ? { Authorization: `Bearer ${key}` } : {}) },
    body: JSON.stringify({ stream: true, messages: [{ role: "user", content: "I am worried about my mother" }] }),
  });
}

const KEY = "sk-runtest-0123456789abcdefghijklmnopqrstuv";
const sha256 = async (s) => Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(s))).toString("hex");

describe("make run", () => {
  test("serves the API at once and says the page is building; keys from the file turn auth on", { timeout: 300_000 }, async () => {
    const keys = path.join(work, "api-key-sha256s");
    writeFileSync(keys, `# written by make apikey\nother:${"0".repeat(64)}\n\nruntest:${await sha256(KEY)}\n`);
    // A web dir that is never built stands for a build still running.
    const run = await makeRun({ CHATBOT_WEB_DIR: path.join(work, "not-built"), APIKEY_FILE: keys });
    try {
      const page = await fetch(`${run.url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /The chat page is building/);

      assert.equal((await chat(run.url)).status, 401, `auth should be on:\n${run.output()}`);
      const res = await chat(run.url, KEY);
      assert.equal(res.status, 200);
      const body = await res.text();
      assert.match(body, /^data: \{/);
      assert.match(body, /data: \[DONE\]/);
      assert.match(run.output(), /API keys from .*api-key-sha256s: auth is on/);
      assert.match(run.output(), /Chat page: http:\/\/127\.0\.0\.1:\d+\/ \(from .*not-built\)/);
    } finally {
      await run.stop();
    }
  });

  test("API_KEY_SHA256S from the environment wins over the file", { timeout: 120_000 }, async () => {
    const keys = path.join(work, "api-key-sha256s");
    writeFileSync(keys, `runtest:${await sha256(KEY)}\n`);
    const otherKey = "sk-env-key-abcdefghijklmnopqrstuvwxyz0123456";
    const run = await makeRun({
      CHATBOT_WEB_DIR: path.join(work, "not-built"),
      APIKEY_FILE: keys,
      API_KEY_SHA256S: `env:${await sha256(otherKey)}`,
    });
    try {
      assert.equal((await chat(run.url, KEY)).status, 401);
      assert.equal((await chat(run.url, otherKey)).status, 200);
      assert.doesNotMatch(run.output(), /API keys from/);
    } finally {
      await run.stop();
    }
  });

  test("with the page already built, it serves the page at once", { timeout: 300_000 }, async () => {
    const run = await makeRun({ APIKEY_FILE: path.join(work, "none") });
    try {
      assert.match(run.output(), /Chat page: http:\/\/127\.0\.0\.1:\d+\/ \(from web\/out\)/);
      assert.doesNotMatch(run.output(), /building in the background/);
      const page = await fetch(`${run.url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<h1|Chatbot/);
      assert.equal((await chat(run.url)).status, 200, "no keys: auth is off");
    } finally {
      await run.stop();
    }
  });
});
