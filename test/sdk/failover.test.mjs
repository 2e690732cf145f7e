// The fallback chain and mid-stream failover with real clients, unmodified,
// against the real gateway binary and the fake Bedrock runtime: the first
// model throttled (the chain's model answers from the start), and the first
// model failing mid-answer (the chain's model continues it in the same
// stream). Each client sees one whole answer ending with "stop", no error.

import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { ChatOpenAI } from "@langchain/openai";
import { streamText } from "ai";
import OpenAI from "openai";
import { buildGateway, startGateway } from "../../web/e2e/gateway.mjs";
import { bedrockEnv, buildFakeBedrock, startFakeBedrock } from "../../web/e2e/fakebedrock.mjs";
import { runCleanups } from "../../web/e2e/harness.mjs";

const repoRoot = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const FIRST = "anthropic.claude-haiku-4-5-20251001-v1:0";
const NEXT = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
const TOKENS = 6;

const cleanups = [];
const urls = {};

before(async () => {
  const [gw, fake] = await Promise.all([buildGateway(repoRoot), buildFakeBedrock(repoRoot)]);
  cleanups.push(gw.cleanup, fake.cleanup);
  // One fake and one gateway per way the first model fails; the chain's
  // model answers normally on both.
  for (const scenario of ["stream-error", "throttled"]) {
    const f = await startFakeBedrock(fake.bin, ["-tokens", String(TOKENS), "-interval", "1ms", "-model-scenario", `${FIRST}=${scenario}`]);
    cleanups.push(f.stop);
    const g = await startGateway(gw.bin, { ...bedrockEnv(f.url, FIRST), BEDROCK_FALLBACK_MODELS: NEXT });
    cleanups.push(g.stop);
    urls[scenario] = g.url;
  }
});

after(() => runCleanups(cleanups));

const messages = [{ role: "user", content: "Tell me about the weather" }];
const openai = (url) => new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0, timeout: 20_000 });

/** The official SDK's stream, read whole: its text, the models the chunks named, and the last finish reason. */
async function chat(url) {
  const stream = await openai(url).chat.completions.create({ model: FIRST, messages, stream: true });
  let text = "";
  let finish;
  const models = [];
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta?.content ?? "";
    finish = chunk.choices[0]?.finish_reason ?? finish;
    if (models.at(-1) !== chunk.model) models.push(chunk.model);
  }
  return { text, finish, models };
}

describe("mid-stream failover", () => {
  test("openai SDK: the answer the first model began is finished by the next, in one stream", async () => {
    const { text, finish, models } = await chat(urls["stream-error"]);
    assert.equal(finish, "stop");
    assert.deepEqual(models, [FIRST, NEXT]);
    // The first model sent half its answer before its stream failed; the
    // next model's whole answer follows it.
    const half = Array.from({ length: TOKENS / 2 }, (_, i) => `tok${i + 1} `).join("");
    assert.ok(text.startsWith(half), `text ${JSON.stringify(text)} does not start with the first model's ${JSON.stringify(half)}`);
    assert.ok(text.length > half.length, `nothing continued the answer: ${JSON.stringify(text)}`);
  });

  test("openai SDK, Responses: one response, completed", async () => {
    const stream = openai(urls["stream-error"]).responses.stream({ model: FIRST, input: "Tell me about the weather" });
    const types = new Set();
    for await (const e of stream) types.add(e.type);
    const final = await stream.finalResponse();
    assert.equal(final.status, "completed");
    assert.ok(!types.has("error") && !types.has("response.failed"), [...types].join(","));
    assert.ok(final.output_text.startsWith("tok1 tok2 tok3 ") && final.output_text.length > "tok1 tok2 tok3 ".length, final.output_text);
  });

  test("Vercel AI SDK: streamText finishes with stop and the whole text", async () => {
    const provider = createOpenAICompatible({ name: "chatbot", baseURL: `${urls["stream-error"]}/v1`, apiKey: "unused" });
    const result = streamText({ model: provider(FIRST), messages, maxRetries: 0 });
    const text = await result.text;
    assert.equal(await result.finishReason, "stop");
    assert.ok(text.startsWith("tok1 tok2 tok3 ") && text.length > "tok1 tok2 tok3 ".length, text);
  });

  test("LangChain JS: stream() yields the whole answer", async () => {
    const llm = new ChatOpenAI({ model: FIRST, apiKey: "unused", maxRetries: 0, configuration: { baseURL: `${urls["stream-error"]}/v1` } });
    let text = "";
    let finish;
    for await (const chunk of await llm.stream(messages)) {
      text += chunk.content;
      finish = chunk.response_metadata?.finish_reason ?? finish;
    }
    assert.equal(finish, "stop");
    assert.ok(text.startsWith("tok1 tok2 tok3 ") && text.length > "tok1 tok2 tok3 ".length, text);
  });
});

describe("fallback chain before the first token", () => {
  test("openai SDK: with the first model throttled, the next answers, named in every chunk", async () => {
    const { text, finish, models } = await chat(urls.throttled);
    assert.equal(finish, "stop");
    assert.deepEqual(models, [NEXT]);
    assert.ok(text.startsWith("tok1 "), text);
  });
});
