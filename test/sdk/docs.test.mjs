// The client examples of the docs, run as a reader would copy them: the
// Node snippets of docs/clients.md with the packages of this directory, and
// the curl commands of docs/api.md, against a gateway with auth off (as
// `make run` starts it before `make apikey`) and no CHATBOT_API_KEY set.

import assert from "node:assert/strict";
import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { buildGateway, scrubbedEnv, startGateway } from "../../web/e2e/gateway.mjs";
import { runCleanups } from "../../web/e2e/harness.mjs";

const here = fileURLToPath(new URL(".", import.meta.url));
const repoRoot = path.resolve(here, "..", "..");
const run = promisify(execFile);
const cleanups = [];
let gw;

before(async () => {
  const build = await buildGateway(repoRoot);
  cleanups.push(build.cleanup);
  gw = await startGateway(build.bin, { ELIZA_WORD_DELAY: "1ms" });
  cleanups.push(gw.stop);
  // Snippets import from this directory's node_modules.
  const dir = mkdtempSync(path.join(here, ".docs-snippets-"));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  gw.dir = dir;
});
after(() => runCleanups(cleanups));

/** The fenced blocks of lang in a Markdown file. */
function blocks(file, lang) {
  const text = readFileSync(path.join(repoRoot, file), "utf8");
  return [...text.matchAll(new RegExp("^```" + lang + "\\n([\\s\\S]*?)^```", "gm"))].map((m) => m[1]);
}

const local = (s) => s.replaceAll("http://127.0.0.1:8080", gw.url);

function env() {
  const e = scrubbedEnv();
  delete e.CHATBOT_API_KEY;
  delete e.OPENAI_API_KEY;
  return e;
}

async function runSnippet(name, code) {
  const file = path.join(gw.dir, `${name}.mjs`);
  writeFileSync(file, local(code));
  const { stdout } = await run(process.execPath, [file], { env: env(), timeout: 60_000 });
  return stdout;
}

describe("docs/clients.md Node snippets, auth off, no key in the environment", () => {
  const ts = blocks("docs/clients.md", "ts");
  const openaiChat = ts.find((b) => b.includes("new OpenAI(") && b.includes("chat.completions.create"));
  const responses = ts.find((b) => b.includes("client.responses.stream"));
  const aiSdk = ts.find((b) => b.includes("createOpenAI("));

  test("the snippets are there", () => {
    assert.ok(openaiChat && responses && aiSdk, "a snippet went missing from docs/clients.md");
  });

  test("openai: chat completions", async () => {
    const out = await runSnippet("openai-chat", openaiChat);
    assert.match(out, /\w+/, "no text streamed");
  });

  test("openai: responses.stream, after the client lines of the first snippet", async () => {
    const setup = openaiChat.slice(0, openaiChat.indexOf("const stream"));
    const out = await runSnippet("openai-responses", setup + responses);
    assert.match(out, /\w+/, "no text streamed");
  });

  test("Vercel AI SDK: streamText", async () => {
    const out = await runSnippet("ai-sdk", aiSdk);
    assert.match(out, /\w+/, "no text streamed");
  });
});

describe("docs/api.md curl commands", () => {
  test("POST /v1/responses streams to response.completed", async () => {
    const curls = blocks("docs/api.md", "sh").filter((b) => /^curl .*\/v1\/responses/.test(b));
    assert.ok(curls.length > 0, "no curl for /v1/responses in docs/api.md");
    for (const cmd of curls) {
      const { stdout } = await run("bash", ["-c", local(cmd)], { env: env(), timeout: 30_000 });
      assert.match(stdout, /^event: response\.output_text\.delta$/m, stdout);
      assert.match(stdout, /^event: response\.completed$/m, stdout);
    }
  });
});
