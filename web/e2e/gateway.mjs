// Builds and runs the real gateway binary for end-to-end tests. Every process
// started here is killed by stop(), and by a process exit hook as a last resort.

import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);
const children = new Set();

process.on("exit", () => {
  for (const child of children) {
    child.kill("SIGKILL");
  }
});

// Settings inherited from the shell must not change the gateway under test.
const SCRUB = /^(CHATBOT_|ELIZA_|COGNITO_|OIDC_|AUTH_MODE$|API_KEY|TOKEN_SIGNING_KEY$|REQUIRE_CONTENT_SHA256$|ALLOWED_|ORIGIN_VERIFY_SECRET$|BEDROCK_|AWS_|SYSTEM_PROMPT$|ALLOW_CLIENT_SYSTEM$|LOG_LEVEL$|STATE_)/;

/** process.env without the settings that would change the gateway under test. */
export function scrubbedEnv() {
  return Object.fromEntries(Object.entries(process.env).filter(([k]) => !SCRUB.test(k)));
}

/**
 * Builds ./cmd/chatbot from the repository at root into a temporary
 * directory. tags "chatbot_testhooks" adds the misbehaving test models
 * (test-panic fails mid-answer, test-slow never ends).
 */
export async function buildGateway(root, { tags = "" } = {}) {
  const dir = mkdtempSync(path.join(tmpdir(), "chatbot-e2e-"));
  const bin = path.join(dir, "chatbot");
  const args = ["build", ...(tags ? ["-tags", tags] : []), "-o", bin, "./cmd/chatbot"];
  await run("go", args, { cwd: root, timeout: 300_000 });
  return { bin, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Returns a port that was free a moment ago on 127.0.0.1. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * Starts the gateway with env added to a scrubbed environment and waits until
 * it answers HTTP. Returns { url, logs(), stop() }.
 */
export async function startGateway(bin, env = {}, { timeoutMs = 20_000 } = {}) {
  const port = await freePort();
  const base = scrubbedEnv();
  const child = spawn(bin, [], {
    env: { ...base, CHATBOT_ADDR: `127.0.0.1:${port}`, LOG_LEVEL: "warn", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let output = "";
  child.stdout.on("data", (d) => (output += d));
  child.stderr.on("data", (d) => (output += d));
  let exited = null;
  child.on("exit", (code, signal) => {
    exited = { code, signal };
    children.delete(child);
  });

  const url = `http://127.0.0.1:${port}`;
  const stop = () =>
    new Promise((resolve) => {
      if (exited) {
        resolve();
        return;
      }
      const force = setTimeout(() => child.kill("SIGKILL"), 3_000);
      child.once("exit", () => {
        clearTimeout(force);
        resolve();
      });
      child.kill("SIGTERM");
    });

  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited) {
      throw new Error(`gateway exited (${JSON.stringify(exited)}) before it was ready:\n${output}`);
    }
    try {
      await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1_000) });
      break;
    } catch {
      if (Date.now() > deadline) {
        await stop();
        throw new Error(`gateway did not answer within ${timeoutMs} ms:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  return { url, logs: () => output, stop };
}
