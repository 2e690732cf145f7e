// Builds and runs cmd/fakebedrock, the fake Bedrock runtime that speaks the
// real eventstream protocol, for tests that run the gateway binary against
// it. Every fake started here is killed by stop(), and at process exit.

import { execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
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

/** Builds ./cmd/fakebedrock from the repository at root into a temporary directory. */
export async function buildFakeBedrock(root) {
  const dir = mkdtempSync(path.join(tmpdir(), "fakebedrock-"));
  const bin = path.join(dir, "fakebedrock");
  await run("go", ["build", "-o", bin, "./cmd/fakebedrock"], { cwd: root, timeout: 300_000 });
  return { bin, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Starts the fake on a free loopback port with the given flags (such as
 * ["-scenario", "stream-error"]) and returns { url, stop() } once it
 * listens: its first line of output is its URL.
 */
export async function startFakeBedrock(bin, args = [], { timeoutMs = 20_000 } = {}) {
  const child = spawn(bin, ["-addr", "127.0.0.1:0", ...args], { stdio: ["ignore", "pipe", "pipe"] });
  children.add(child);
  let output = "";
  child.stderr.on("data", (d) => (output += d));
  const exited = new Promise((resolve) =>
    child.on("exit", (code, signal) => {
      children.delete(child);
      resolve({ code, signal });
    }),
  );
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`fakebedrock did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    let line = "";
    child.stdout.on("data", (d) => {
      line += d;
      const nl = line.indexOf("\n");
      if (nl >= 0) {
        clearTimeout(timer);
        resolve(line.slice(0, nl).trim());
      }
    });
    exited.then((e) => {
      clearTimeout(timer);
      reject(new Error(`fakebedrock exited (${JSON.stringify(e)}) before it listened:\n${output}`));
    });
  });
  const stop = async () => {
    if (!children.has(child)) {
      return;
    }
    const force = setTimeout(() => child.kill("SIGKILL"), 3_000);
    child.kill("SIGTERM");
    await exited;
    clearTimeout(force);
  };
  return { url, stop };
}

/** The gateway settings that point its Bedrock model at a fake. */
export function bedrockEnv(url, modelId) {
  return {
    // make test-sdk runs the client suites twice: on InvokeModel, and with
    // BEDROCK_API=converse on ConverseStream.
    ...(process.env.BEDROCK_API ? { BEDROCK_API: process.env.BEDROCK_API } : {}),
    BEDROCK_MODEL_ID: modelId,
    AWS_ENDPOINT_URL_BEDROCK_RUNTIME: url,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
    AWS_SECRET_ACCESS_KEY: "secret",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}
