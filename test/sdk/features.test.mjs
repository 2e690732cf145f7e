// Tools, images and reasoning through three real client libraries — the
// official openai SDK, the Vercel AI SDK (ai + @ai-sdk/openai-compatible) and
// LangChain JS (@langchain/openai) — against the real gateway binary, whose
// Bedrock is the fake (cmd/fakebedrock) speaking each family's shapes. The fake
// calls a tool when the user names it and answers "Tool result: …" from the
// results it is sent, so a completed round trip shows in the final text.

import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";

import { createOpenAICompatible } from "@ai-sdk/openai-compatible";
import { tool as langchainTool } from "@langchain/core/tools";
import { ToolMessage, HumanMessage } from "@langchain/core/messages";
import { ChatOpenAI } from "@langchain/openai";
import { generateText, stepCountIs, streamText, tool } from "ai";
import OpenAI, { BadRequestError } from "openai";
import { z } from "zod";

import { buildGateway, startGateway } from "../../web/e2e/gateway.mjs";
import { bedrockEnv, buildFakeBedrock, startFakeBedrock } from "../../web/e2e/fakebedrock.mjs";
import { runCleanups } from "../../web/e2e/harness.mjs";

const repoRoot = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");

const CLAUDE = "anthropic.claude-haiku-4-5-20251001-v1:0";
const NOVA = "us.amazon.nova-lite-v1:0";
const GPT_OSS = "openai.gpt-oss-20b-1:0";
const QWEN = "qwen.qwen3-32b-v1:0";
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";

const cleanups = [];
let url;

before(async () => {
  const build = await buildGateway(repoRoot);
  cleanups.push(build.cleanup);
  const fakeBuild = await buildFakeBedrock(repoRoot);
  cleanups.push(fakeBuild.cleanup);
  const fake = await startFakeBedrock(fakeBuild.bin, ["-tokens", "3", "-interval", "1ms"]);
  cleanups.push(fake.stop);
  const g = await startGateway(build.bin, { ...bedrockEnv(fake.url, CLAUDE), BEDROCK_MODELS: [NOVA, GPT_OSS, QWEN].join(",") });
  cleanups.push(g.stop);
  url = g.url;
});

after(() => runCleanups(cleanups));

const openai = () => new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0, timeout: 20_000 });

const weather = {
  type: "function",
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};
const ask = { role: "user", content: "What is the weather in Paris? Use get_weather." };

describe("openai SDK", () => {
  for (const model of [CLAUDE, NOVA, GPT_OSS, QWEN]) {
    test(`${model}: a streamed two-step tool conversation`, async () => {
      const client = openai();
      const stream = await client.chat.completions.create({ model, messages: [ask], tools: [weather], stream: true });
      const calls = [];
      let finish;
      for await (const chunk of stream) {
        for (const tc of chunk.choices[0]?.delta?.tool_calls ?? []) {
          calls[tc.index] ??= { id: tc.id, type: "function", function: { name: tc.function.name, arguments: "" } };
          calls[tc.index].function.arguments += tc.function.arguments ?? "";
        }
        finish = chunk.choices[0]?.finish_reason ?? finish;
      }
      assert.equal(finish, "tool_calls");
      assert.equal(calls.length, 1);
      assert.equal(calls[0].function.name, "get_weather");
      assert.deepEqual(JSON.parse(calls[0].function.arguments), { city: "example" });

      const answer = await client.chat.completions.create({
        model,
        tools: [weather],
        stream: true,
        messages: [ask, { role: "assistant", content: null, tool_calls: calls }, { role: "tool", tool_call_id: calls[0].id, content: "18C, sunny" }],
      });
      let text = "";
      for await (const chunk of answer) text += chunk.choices[0]?.delta?.content ?? "";
      assert.match(text, /^Tool result: 18C, sunny\./);
    });
  }

  test("Claude with reasoning: not streamed, the assistant message sent back as received", async () => {
    const client = openai();
    const first = await client.chat.completions.create({ model: CLAUDE, messages: [ask], tools: [weather], reasoning_effort: "low" });
    const msg = first.choices[0].message;
    assert.equal(first.choices[0].finish_reason, "tool_calls");
    assert.equal(msg.content, null);
    assert.equal(msg.reasoning_content, "The user wrote to me. I will answer briefly.");
    assert.equal(msg.thinking_blocks?.[0]?.type, "thinking", "the signed thinking block comes with the answer");
    const second = await client.chat.completions.create({
      model: CLAUDE,
      tools: [weather],
      reasoning_effort: "low",
      messages: [ask, msg, { role: "tool", tool_call_id: msg.tool_calls[0].id, content: "rain" }],
    });
    assert.match(second.choices[0].message.content, /^Tool result: rain\./);
    assert.equal(second.choices[0].message.reasoning_content, "The user wrote to me. I will answer briefly.");
  });

  test("gpt-oss reasoning streams as reasoning_content, apart from the answer", async () => {
    const stream = await openai().chat.completions.create({
      model: GPT_OSS,
      messages: [{ role: "user", content: "Hi" }],
      reasoning_effort: "medium",
      stream: true,
      stream_options: { include_usage: true },
    });
    let reasoning = "";
    let text = "";
    let usage;
    for await (const chunk of stream) {
      reasoning += chunk.choices[0]?.delta?.reasoning_content ?? "";
      text += chunk.choices[0]?.delta?.content ?? "";
      usage = chunk.usage ?? usage;
    }
    assert.equal(reasoning, "The user wrote to me. I will answer briefly.");
    assert.equal(text, "tok1 tok2 tok3 ");
    assert.ok(usage.completion_tokens_details.reasoning_tokens > 0);
  });

  test("an image as a data: URL", async () => {
    const completion = await openai().chat.completions.create({
      model: NOVA,
      messages: [
        {
          role: "user",
          content: [
            { type: "text", text: "What is in this picture?" },
            { type: "image_url", image_url: { url: `data:image/png;base64,${PNG}` } },
          ],
        },
      ],
    });
    assert.match(completion.choices[0].message.content, /^I see 1 image\(s\): png 70 bytes\./);
  });

  test("tools for a model without them are refused by name", async () => {
    await assert.rejects(openai().chat.completions.create({ model: "eliza", messages: [ask], tools: [weather] }), (err) => {
      assert.ok(err instanceof BadRequestError, `got ${err}`);
      assert.equal(err.param, "tools");
      assert.equal(err.code, "unsupported_parameter");
      return true;
    });
  });

  test("a remote image URL is refused by name", async () => {
    await assert.rejects(
      openai().chat.completions.create({
        model: CLAUDE,
        messages: [{ role: "user", content: [{ type: "image_url", image_url: { url: "https://example.com/cat.png" } }] }],
      }),
      (err) => err instanceof BadRequestError && err.param === "messages[0].content[0].image_url.url",
    );
  });
});

describe("Vercel AI SDK (@ai-sdk/openai-compatible)", () => {
  const provider = () => createOpenAICompatible({ name: "chatbot", baseURL: `${url}/v1`, apiKey: "unused" });
  const getWeather = tool({
    description: "The weather in a city",
    inputSchema: z.object({ city: z.string() }),
    execute: async ({ city }) => `sunny in ${city}`,
  });

  for (const model of [CLAUDE, GPT_OSS]) {
    test(`${model}: streamText runs the tool and answers from its result`, async () => {
      const result = streamText({
        model: provider()(model),
        tools: { get_weather: getWeather },
        stopWhen: stepCountIs(2),
        prompt: "What is the weather in Paris? Use get_weather.",
        maxRetries: 0,
      });
      let text = "";
      for await (const part of result.textStream) text += part;
      const steps = await result.steps;
      assert.equal(steps.length, 2);
      assert.equal(steps[0].finishReason, "tool-calls");
      assert.equal(steps[0].toolCalls[0].toolName, "get_weather");
      assert.match(text, /^Tool result: "?sunny in example"?\./);
    });
  }

  test("gpt-oss reasoning reaches the AI SDK as reasoning", async () => {
    const result = await generateText({
      model: provider()(GPT_OSS),
      prompt: "Hi",
      providerOptions: { chatbot: { reasoningEffort: "low" } },
      maxRetries: 0,
    });
    assert.equal(result.reasoningText, "The user wrote to me. I will answer briefly.");
    assert.equal(result.text, "tok1 tok2 tok3 ");
  });
});

describe("LangChain JS (@langchain/openai)", () => {
  const getWeather = langchainTool(async ({ city }) => `cloudy in ${city}`, {
    name: "get_weather",
    description: "The weather in a city",
    schema: z.object({ city: z.string() }),
  });

  for (const model of [CLAUDE, NOVA]) {
    test(`${model}: bindTools, the call, its result, the answer`, async () => {
      const llm = new ChatOpenAI({ model, apiKey: "unused", maxRetries: 0, configuration: { baseURL: `${url}/v1` } }).bindTools([
        getWeather,
      ]);
      const question = new HumanMessage("What is the weather in Paris? Use get_weather.");
      const first = await llm.invoke([question]);
      assert.equal(first.tool_calls.length, 1);
      assert.equal(first.tool_calls[0].name, "get_weather");
      assert.deepEqual(first.tool_calls[0].args, { city: "example" });
      const result = await getWeather.invoke(first.tool_calls[0]);
      assert.ok(result instanceof ToolMessage);
      const second = await llm.invoke([question, first, result]);
      assert.match(second.content, /^Tool result: cloudy in example\./);
    });
  }

  test("streamed: the tool call arrives in chunks and assembles", async () => {
    const llm = new ChatOpenAI({ model: GPT_OSS, apiKey: "unused", maxRetries: 0, configuration: { baseURL: `${url}/v1` } }).bindTools([
      getWeather,
    ]);
    let full;
    for await (const chunk of await llm.stream("What is the weather in Paris? Use get_weather.")) {
      full = full ? full.concat(chunk) : chunk;
    }
    assert.equal(full.tool_calls[0].name, "get_weather");
    assert.deepEqual(full.tool_calls[0].args, { city: "example" });
  });
});
