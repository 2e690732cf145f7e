// POST /v1/responses with real clients, unmodified, against the real gateway
// binary: the official openai SDK (responses.create and responses.stream)
// and the Vercel AI SDK's default OpenAI provider (createOpenAI()(model),
// which speaks the Responses API), answered by ELIZA and by Bedrock through
// the fake Bedrock runtime.

import assert from "node:assert/strict";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, stepCountIs, streamText, tool } from "ai";
import OpenAI, { BadRequestError } from "openai";
import { z } from "zod";
import { buildGateway, startGateway } from "../../web/e2e/gateway.mjs";
import { runCleanups } from "../../web/e2e/harness.mjs";
import { bedrockEnv, buildFakeBedrock, startFakeBedrock } from "../../web/e2e/fakebedrock.mjs";

const repoRoot = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const BEDROCK_MODEL = "anthropic.claude-haiku-4-5-20251001-v1:0";
const input = "Hello, I am feeling anxious about my exams";

let gw;
let fake;
const cleanups = [];

before(async () => {
  [gw, fake] = await Promise.all([buildGateway(repoRoot), buildFakeBedrock(repoRoot)]);
  cleanups.push(gw.cleanup, fake.cleanup);
});

after(() => runCleanups(cleanups));

async function gateway(env = {}) {
  const g = await startGateway(gw.bin, env);
  cleanups.push(g.stop);
  return g;
}

/** A gateway whose default model is Bedrock, answered by a fake started with args. */
async function gatewayWithFake(args) {
  const f = await startFakeBedrock(fake.bin, args);
  cleanups.push(f.stop);
  return gateway(bedrockEnv(f.url, BEDROCK_MODEL));
}

const openaiClient = (url) => new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0, timeout: 20_000 });
const aiProvider = (url) => createOpenAI({ baseURL: `${url}/v1`, apiKey: "unused" });

const TEXT_EVENTS = [
  "response.created",
  "response.in_progress",
  "response.output_item.added",
  "response.content_part.added",
  "response.output_text.delta",
  "response.output_text.done",
  "response.content_part.done",
  "response.output_item.done",
];

/** Checks the documented order of a text answer's events; returns the text of the deltas. */
function checkSequence(events, terminal) {
  events.forEach((e, i) => assert.equal(e.sequence_number, i, `sequence_number of event ${i} (${e.type})`));
  const types = events.map((e) => e.type).filter((t, i, all) => t !== "response.output_text.delta" || all[i - 1] !== t);
  assert.deepEqual(types, [...TEXT_EVENTS, terminal]);
  return events.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta).join("");
}

describe("ELIZA answers /v1/responses", () => {
  let url;
  before(async () => {
    url = (await gateway()).url;
  });

  test("openai: responses.create returns a completed response", async () => {
    const r = await openaiClient(url).responses.create({ model: "eliza", input, instructions: "Listen.", metadata: { t: "1" } });
    assert.equal(r.object, "response");
    assert.equal(r.status, "completed");
    assert.match(r.id, /^resp_/);
    assert.equal(r.model, "eliza");
    assert.equal(r.store, true, "make run keeps responses in memory");
    assert.deepEqual(r.metadata, { t: "1" });
    assert.equal(r.instructions, "Listen.");
    assert.ok(r.output_text.trim().length > 0, "the SDK's output_text is the answer");
    assert.equal(r.output[0].type, "message");
    assert.equal(r.output[0].content[0].type, "output_text");
    assert.ok(r.usage.output_tokens > 0);
    assert.equal(r.usage.total_tokens, r.usage.input_tokens + r.usage.output_tokens);
    assert.equal(r.usage.output_tokens_details.reasoning_tokens, 0);
  });

  test("openai: responses.create with stream:true yields the event sequence", async () => {
    const stream = await openaiClient(url).responses.create({ model: "eliza", input, stream: true });
    const events = [];
    for await (const e of stream) {
      events.push(e);
    }
    const text = checkSequence(events, "response.completed");
    const final = events.at(-1).response;
    assert.equal(final.output[0].content[0].text, text);
    assert.ok(text.trim().length > 0);
  });

  test("openai: responses.stream() accumulates the final response", async () => {
    const stream = openaiClient(url).responses.stream({ model: "eliza", input });
    let deltas = "";
    stream.on("response.output_text.delta", (e) => (deltas += e.delta));
    const final = await stream.finalResponse();
    assert.equal(final.status, "completed");
    assert.equal(final.output_text, deltas);
    assert.ok(deltas.length > 0);
  });

  test("openai: a length stop is an incomplete response", async () => {
    const r = await openaiClient(url).responses.create({ model: "eliza", input, max_output_tokens: 2 });
    assert.equal(r.status, "incomplete");
    assert.equal(r.incomplete_details.reason, "max_output_tokens");
    assert.equal(r.output_text.split(" ").length, 2);
    const events = [];
    for await (const e of await openaiClient(url).responses.create({ model: "eliza", input, max_output_tokens: 2, stream: true })) {
      events.push(e);
    }
    checkSequence(events, "response.incomplete");
    assert.equal(events.at(-1).response.incomplete_details.reason, "max_output_tokens");
  });

  test("openai: what needs stored state is refused by name without a store", async () => {
    // background needs the stream store, which is on by default: turned off too.
    const stateless = (await gateway({ STATE_STORE: "off", STREAM_RESUME: "false" })).url;
    const refused = [
      [{ previous_response_id: "resp_123" }, "previous_response_id"],
      [{ store: true }, "store"],
      [{ background: true }, "background"],
      [{ conversation: "conv_1" }, "conversation"],
      [{ tools: [{ type: "web_search" }] }, "tools[0].type"],
      [{ include: ["file_search_call.results"] }, "include[0]"],
    ];
    for (const [extra, param] of refused) {
      await assert.rejects(openaiClient(stateless).responses.create({ model: "eliza", input, ...extra }), (err) => {
        assert.ok(err instanceof BadRequestError, `${param}: got ${err?.constructor?.name}: ${err?.message}`);
        assert.equal(err.param, param);
        assert.equal(err.code, "unsupported_parameter");
        return true;
      });
    }
  });

  test("AI SDK default provider: generateText", async () => {
    const r = await generateText({ model: aiProvider(url)("eliza"), prompt: input, maxRetries: 0 });
    assert.ok(r.text.trim().length > 0);
    assert.equal(r.finishReason, "stop");
    assert.equal(r.response.modelId, "eliza");
    assert.ok(r.usage.outputTokens > 0);
  });

  test("AI SDK default provider: streamText, and a length stop", async () => {
    const r = streamText({ model: aiProvider(url)("eliza"), system: "Listen.", prompt: input, maxRetries: 0 });
    let text = "";
    for await (const part of r.textStream) {
      text += part;
    }
    assert.ok(text.trim().length > 0);
    assert.equal(await r.finishReason, "stop");
    assert.equal(text, await r.text);

    const short = await generateText({ model: aiProvider(url)("eliza"), prompt: input, maxOutputTokens: 2, maxRetries: 0 });
    assert.equal(short.finishReason, "length");
  });

  test("AI SDK default provider: a later turn needs store:false, as docs/clients.md says", async () => {
    const model = aiProvider(url)("eliza");
    const first = await generateText({ model, prompt: input, maxRetries: 0 });
    const messages = [{ role: "user", content: input }, ...first.response.messages, { role: "user", content: "My mother worries too" }];
    // By default the SDK refers to its earlier answer by id: nothing is stored to refer to.
    await assert.rejects(generateText({ model, messages, maxRetries: 0 }), (err) => {
      assert.match(err.message, /item_reference/);
      return true;
    });
    const second = await generateText({ model, messages, maxRetries: 0, providerOptions: { openai: { store: false } } });
    assert.ok(second.text.trim().length > 0);
    assert.notEqual(second.text, first.text);
  });
});

describe("Bedrock (the fake) answers /v1/responses", () => {
  let url;
  before(async () => {
    url = (await gatewayWithFake(["-tokens", "5", "-interval", "1ms"])).url;
  });

  const want = "tok1 tok2 tok3 tok4 tok5 ";

  test("openai: create and stream", async () => {
    const r = await openaiClient(url).responses.create({ input });
    assert.equal(r.model, BEDROCK_MODEL);
    assert.equal(r.output_text, want);
    const final = await openaiClient(url).responses.stream({ input }).finalResponse();
    assert.equal(final.output_text, want);
    assert.equal(final.usage.input_tokens, 11);
  });

  test("AI SDK default provider: generateText and streamText", async () => {
    const g = await generateText({ model: aiProvider(url)(BEDROCK_MODEL), prompt: input, maxRetries: 0 });
    assert.equal(g.text, want);
    const s = streamText({ model: aiProvider(url)(BEDROCK_MODEL), prompt: input, maxRetries: 0 });
    assert.equal(await s.text, want);
    assert.equal(await s.finishReason, "stop");
  });
});

describe("a failure after the first token ends with response.failed", () => {
  let url;
  before(async () => {
    url = (await gatewayWithFake(["-scenario", "stream-error", "-tokens", "6", "-interval", "1ms"])).url;
  });

  test("openai: the stream ends with response.failed and no response.completed", async () => {
    const events = [];
    for await (const e of await openaiClient(url).responses.create({ input, stream: true })) {
      events.push(e);
    }
    const last = events.at(-1);
    assert.equal(last.type, "response.failed");
    assert.equal(events.filter((e) => e.type === "response.completed").length, 0);
    assert.equal(last.response.status, "failed");
    assert.ok(last.response.error.code && last.response.error.message, JSON.stringify(last.response.error));
    assert.equal(last.response.output[0].content[0].text, "tok1 tok2 tok3 ");
    events.forEach((e, i) => assert.equal(e.sequence_number, i));

    const final = await openaiClient(url).responses.stream({ input }).finalResponse();
    assert.equal(final.status, "failed");
  });

  test("AI SDK default provider: streamText reports the error", async () => {
    const errors = [];
    const s = streamText({ model: aiProvider(url)(BEDROCK_MODEL), prompt: input, maxRetries: 0, onError: ({ error }) => errors.push(error) });
    let text = "";
    for await (const part of s.textStream) {
      text += part;
    }
    assert.equal(text, "tok1 tok2 tok3 ");
    assert.equal(errors.length, 1, "one error");
    assert.equal(await s.finishReason, "error");
  });
});

describe("ELIZA answers when Bedrock is unavailable before the first token", () => {
  test("openai and the AI SDK get ELIZA's answer, named", async () => {
    const { url } = await gatewayWithFake(["-scenario", "unavailable"]);
    const r = await openaiClient(url).responses.create({ input });
    assert.equal(r.model, "eliza");
    assert.ok(r.output_text.length > 0);
    const s = streamText({ model: aiProvider(url)(BEDROCK_MODEL), prompt: input, maxRetries: 0 });
    assert.ok((await s.text).length > 0);
    assert.equal((await s.response).modelId, "eliza");
  });
});

describe("a model the deployment cannot use is a 503, not ELIZA", () => {
  test("openai raises a 503 model_unavailable that says retrying will not help", async () => {
    const { url } = await gatewayWithFake(["-scenario", "access-denied"]);
    await assert.rejects(openaiClient(url).responses.create({ input }), (err) => {
      assert.equal(err.status, 503, `${err?.constructor?.name}: ${err?.message}`);
      assert.equal(err.code, "model_unavailable");
      assert.match(err.message, /retrying will not help/);
      return true;
    });
  });
});

describe("a ValidationException before the first token is a 400, streamed or not", () => {
  test("openai raises BadRequestError with Bedrock's message; the AI SDK an APICallError", async () => {
    const { url } = await gatewayWithFake(["-scenario", "invalid"]);
    for (const stream of [false, true]) {
      await assert.rejects(openaiClient(url).responses.create({ input, stream }), (err) => {
        assert.ok(err instanceof BadRequestError, `stream=${stream}: got ${err?.constructor?.name}: ${err?.message}`);
        assert.equal(err.code, "invalid_request");
        assert.match(err.message, /invalid request from the fake/);
        return true;
      });
    }
    await assert.rejects(generateText({ model: aiProvider(url)(BEDROCK_MODEL), prompt: input, maxRetries: 0 }), (err) => {
      assert.equal(err.statusCode, 400, `${err?.constructor?.name}: ${err?.message}`);
      return true;
    });
  });
});

// The fake Bedrock calls get_weather when the user names it, and answers
// "Tool result: …" from the results it is sent; Nova describes the images
// it is sent; Claude reasons when asked to and checks its signed reasoning
// when it comes back.
describe("tools, images and reasoning through /v1/responses (the fake Bedrock)", () => {
  const NOVA = "us.amazon.nova-lite-v1:0";
  const PNG =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==";
  const weather = {
    type: "function",
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  };
  const ask = [{ role: "user", content: "What is the weather in Paris? Use get_weather." }];
  let url;

  before(async () => {
    const f = await startFakeBedrock(fake.bin, ["-tokens", "3", "-interval", "1ms"]);
    cleanups.push(f.stop);
    url = (await gateway({ ...bedrockEnv(f.url, BEDROCK_MODEL), BEDROCK_MODELS: NOVA })).url;
  });

  test("openai: a streamed function call, its output sent back, the answer from it", async () => {
    const client = openaiClient(url);
    const first = await client.responses.stream({ model: BEDROCK_MODEL, input: ask, tools: [weather] }).finalResponse();
    const call = first.output.find((o) => o.type === "function_call");
    assert.ok(call, JSON.stringify(first.output));
    assert.equal(call.name, "get_weather");
    assert.deepEqual(JSON.parse(call.arguments), { city: "example" });
    assert.equal(first.status, "completed");

    const second = await client.responses.create({
      model: BEDROCK_MODEL,
      tools: [weather],
      input: [...ask, ...first.output, { type: "function_call_output", call_id: call.call_id, output: "18C, sunny" }],
    });
    assert.match(second.output_text, /^Tool result: 18C, sunny\./);
  });

  test("openai: reasoning comes as a reasoning item, and goes back signed", async () => {
    const client = openaiClient(url);
    const first = await client.responses.create({ model: BEDROCK_MODEL, input: ask, tools: [weather], reasoning: { effort: "low" } });
    const reasoning = first.output.find((o) => o.type === "reasoning");
    assert.equal(reasoning?.summary?.[0]?.text, "The user wrote to me. I will answer briefly.");
    assert.ok(reasoning.encrypted_content, "the signed block travels as encrypted_content");
    assert.ok(first.usage.output_tokens_details.reasoning_tokens >= 0);
    const call = first.output.find((o) => o.type === "function_call");
    const second = await client.responses.create({
      model: BEDROCK_MODEL,
      tools: [weather],
      reasoning: { effort: "low" },
      input: [...ask, ...first.output, { type: "function_call_output", call_id: call.call_id, output: "rain" }],
    });
    assert.match(second.output_text, /^Tool result: rain\./);
  });

  test("openai: an image as an input_image data: URL", async () => {
    const r = await openaiClient(url).responses.create({
      model: NOVA,
      input: [
        {
          role: "user",
          content: [
            { type: "input_text", text: "What is in this picture?" },
            { type: "input_image", image_url: `data:image/png;base64,${PNG}`, detail: "auto" },
          ],
        },
      ],
    });
    assert.match(r.output_text, /^I see 1 image\(s\): png 70 bytes\./);
  });

  test("AI SDK default provider: streamText runs a tool and answers from its result", async () => {
    const result = streamText({
      model: aiProvider(url)(BEDROCK_MODEL),
      prompt: ask[0].content,
      tools: {
        get_weather: tool({
          description: "The weather in a city",
          inputSchema: z.object({ city: z.string() }),
          execute: async ({ city }) => `sunny in ${city}`,
        }),
      },
      stopWhen: stepCountIs(2),
      maxRetries: 0,
    });
    assert.match(await result.text, /^Tool result: sunny in example\./);
    const steps = await result.steps;
    assert.equal(steps[0].toolCalls[0].toolName, "get_weather");
    assert.equal(steps[0].finishReason, "tool-calls");
  });

  test("tools for a model without them are refused by name", async () => {
    await assert.rejects(openaiClient(url).responses.create({ model: "eliza", input: ask, tools: [weather] }), (err) => {
      assert.ok(err instanceof BadRequestError, `got ${err}`);
      assert.equal(err.param, "tools");
      return true;
    });
  });
});
