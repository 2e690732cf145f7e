// `make run` as a user runs it: a taken address is one line and nothing else,
// it says it is building before Go compiles, the banner comes once the
// gateway answers, the gateway answers before the page is built, / says the
// page is building, settings from the environment win over the Makefile's,
// keys written by `make apikey` turn auth on (and the banner's curl carries
// the key), and Ctrl-C ends it without an error from make.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import net from "node:net";
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
  const exited = new Promise((resolve) => child.on("exit", (code, signal) => resolve({ code, signal })));
  const run = {
    url: `http://${addr}`,
    output: () => output,
    /** Resolves once re matches the output (the banner follows /healthz by a moment). */
    waitFor: async (re) => {
      const until = Date.now() + 10_000;
      while (!re.test(output)) {
        if (Date.now() > until) throw new Error(`no ${re} in the output:\n${output}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    /** Ctrl-C as a terminal sends it: SIGINT to the whole process group. Resolves to how make ended. */
    stop: async () => {
      running.delete(run);
      try {
        process.kill(-child.pid, "SIGINT");
      } catch {
        return exited; // already gone
      }
      const force = setTimeout(() => {
        try {
          process.kill(-child.pid, "SIGKILL");
        } catch {
          // gone
        }
      }, 5_000);
      const how = await exited;
      clearTimeout(force);
      return how;
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
      assert.match(body, /^id: 0\ndata: \{/);
      assert.match(body, /data: \[DONE\]/);
      await run.waitFor(/^Chat page: /m);
      assert.match(run.output(), /API keys from .*api-key-sha256s: auth is on/);
      assert.match(run.output(), /Chat page: http:\/\/127\.0\.0\.1:\d+\/ \(from .*not-built\)/);
      // With auth on, the curl to try carries the key.
      assert.match(run.output(), /^Try: +curl -N http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions -H "Authorization: Bearer \$CHATBOT_API_KEY"/m);
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
      await run.waitFor(/^Chat page: /m);
      assert.match(run.output(), /Chat page: http:\/\/127\.0\.0\.1:\d+\/ \(from web\/out\)/);
      assert.match(run.output(), /^Try: +curl -N http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions -H 'Content-Type: application\/json'/m);
      assert.doesNotMatch(run.output(), /Authorization/);
      assert.doesNotMatch(run.output(), /building in the background/);
      const page = await fetch(`${run.url}/`);
      assert.equal(page.status, 200);
      assert.match(await page.text(), /<h1|Chatbot/);
      assert.equal((await chat(run.url)).status, 200, "no keys: auth is off");
    } finally {
      await run.stop();
    }
  });

  test("says it is building first, prints the banner once the gateway answers, and Ctrl-C exits quietly", { timeout: 300_000 }, async () => {
    const run = await makeRun({ CHATBOT_WEB_DIR: path.join(work, "not-built"), APIKEY_FILE: path.join(work, "none") });
    await run.waitFor(/^Chat page: /m);
    const out = run.output();
    const building = out.indexOf("building the gateway…");
    const listening = out.indexOf("chatbot gateway listening on");
    const banner = out.indexOf("Try:");
    assert.ok(building === 0, `"building the gateway…" is not the first line:\n${out}`);
    assert.match(out, /building the gateway… \([^)]*\d+ s[^)]*\)/, "it says how long a first build takes");
    assert.ok(listening > building && banner > listening, `banner before the gateway answered:\n${out}`);
    assert.match(out, /"msg":"configuration","default_model":"eliza","models":"ELIZA only"/);

    const how = await run.stop();
    const after = run.output();
    assert.doesNotMatch(after, /make: \*\*\*|Error 130|Interrupt/, `Ctrl-C left an error:\n${after}`);
    assert.ok(how.code === 0 || how.signal === "SIGINT", `make ended ${JSON.stringify(how)}`);
    assert.match(after, /"msg":"shutting down"/);
  });

  test("a taken address is one line naming it and how to choose another, and no banner", { timeout: 120_000 }, async () => {
    const holder = net.createServer();
    await new Promise((resolve) => holder.listen(0, "127.0.0.1", resolve));
    const addr = `127.0.0.1:${holder.address().port}`;
    try {
      const base = scrubbedEnv();
      for (const k of ["MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES"]) delete base[k];
      const child = spawn("make", ["--no-print-directory", "run"], {
        cwd: repoRoot,
        env: { ...base, CHATBOT_ADDR: addr, APIKEY_FILE: path.join(work, "none") },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let output = "";
      child.stdout.on("data", (d) => (output += d));
      child.stderr.on("data", (d) => (output += d));
      const code = await new Promise((resolve) => child.on("exit", resolve));
      assert.notEqual(code, 0, `make run succeeded on a taken address:\n${output}`);
      // make adds its own "make: *** … Error 1"; everything else is one line.
      const ours = output.split("\n").filter((l) => l !== "" && !l.startsWith("make: ***"));
      assert.equal(ours.length, 1, `want one line:\n${output}`);
      assert.ok(ours[0].includes(`${addr} is already in use`), ours[0]);
      assert.match(ours[0], /choose another address: CHATBOT_ADDR=127\.0\.0\.1:\d+ make run$/);
      assert.doesNotMatch(output, /Try:|building the gateway|API:/);
    } finally {
      holder.close();
    }
  });
});
