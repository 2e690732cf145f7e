// Reasoning and tool calls as the gateway itself streams them, from its
// Bedrock path: the real gateway binary in front of the fake Bedrock
// (cmd/fakebedrock), which speaks each model family's own shapes. The page
// sends neither tools nor a reasoning effort, so the test adds them to the
// page's request on its way to the gateway.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  cleanups,
  extendRequests,
  lastAssistant,
  openChat,
  repoRoot,
  screenshot,
  sendMessage,
  setup,
  startPageGateway,
  waitForAnswer,
} from "./browser.mjs";
import { bedrockEnv, buildFakeBedrock, startFakeBedrock } from "./fakebedrock.mjs";

setup({ tags: "" });

const CLAUDE = "anthropic.claude-haiku-4-5-20251001-v1:0";
const GPT_OSS = "openai.gpt-oss-20b-1:0";
const weather = {
  type: "function",
  function: {
    name: "get_weather",
    description: "The weather in a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

describe("reasoning and tool calls from the gateway's Bedrock path", () => {
  let gateway;

  before(async () => {
    const fakeBuild = await buildFakeBedrock(repoRoot);
    cleanups.push(fakeBuild.cleanup);
    const fake = await startFakeBedrock(fakeBuild.bin, ["-tokens", "6", "-interval", "20ms"]);
    cleanups.push(fake.stop);
    gateway = await startPageGateway({ ...bedrockEnv(fake.url, CLAUDE), BEDROCK_MODELS: GPT_OSS });
  });

  test("the model label names the gateway's default model", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    assert.equal(await page.getByTestId("default-model").textContent(), "Claude Haiku 4.5");
    assert.equal(await page.getByTestId("default-model").getAttribute("title"), CLAUDE);
  });

  test("streamed reasoning shows folded, with how long the model thought", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    await extendRequests(page, { model: GPT_OSS, reasoning_effort: "medium" });
    await sendMessage(page, "Hello there");
    await waitForAnswer(page);
    const answer = lastAssistant(page);
    const details = answer.getByTestId("reasoning");
    assert.equal(await details.evaluate((d) => d.open), false);
    assert.match((await details.locator("summary").textContent()) ?? "", /^Thought for (less than a second|\d+ s)$/);
    await details.locator("summary").click();
    assert.equal(await details.locator("p").textContent(), "The user wrote to me. I will answer briefly.");
    assert.match((await answer.getByTestId("content").textContent()) ?? "", /\S/, "the answer follows the reasoning");
    assert.equal(await answer.getByTestId("model").textContent(), "OpenAI GPT OSS 20B");
    await screenshot(page, "bedrock-reasoning");
  });

  test("a streamed tool call shows as one line", { timeout: 60_000 }, async () => {
    const { page } = await openChat(gateway.url);
    await extendRequests(page, { tools: [weather] });
    await sendMessage(page, "What is the weather in Paris? Use get_weather.");
    await waitForAnswer(page);
    const call = lastAssistant(page).getByTestId("tool-call");
    assert.equal(await call.count(), 1);
    assert.equal(await call.textContent(), '⚙ Called get_weather(city: "example")');
    await screenshot(page, "bedrock-tool-call");
  });
});
