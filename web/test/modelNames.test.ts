import { describe, expect, it } from "vitest";
import { defaultModelId, modelLabel } from "../src/chat/modelNames";

describe("modelLabel", () => {
  it.each([
    ["eliza", "ELIZA"],
    ["anthropic.claude-3-5-sonnet-20240620-v1:0", "Claude 3.5 Sonnet"],
    ["us.anthropic.claude-3-5-haiku-20241022-v1:0", "Claude 3.5 Haiku"],
    ["anthropic.claude-3-haiku-20240307-v1:0", "Claude 3 Haiku"],
    ["global.anthropic.claude-sonnet-4-5-20250929-v1:0", "Claude Sonnet 4.5"],
    ["us.anthropic.claude-haiku-4-5-20251001-v1:0", "Claude Haiku 4.5"],
    ["anthropic.claude-opus-4-1-20250805-v1:0", "Claude Opus 4.1"],
    ["amazon.nova-lite-v1:0", "Amazon Nova Lite"],
    ["eu.amazon.nova-pro-v1:0", "Amazon Nova Pro"],
    ["amazon.titan-text-express-v1", "Amazon Titan Text Express"],
    ["meta.llama3-8b-instruct-v1:0", "Llama 3 8B Instruct"],
    ["us.meta.llama3-1-70b-instruct-v1:0", "Llama 3.1 70B Instruct"],
    ["mistral.mistral-7b-instruct-v0:2", "Mistral 7B Instruct"],
    ["mistral.mixtral-8x7b-instruct-v0:1", "Mixtral 8x7B Instruct"],
    ["mistral.mistral-large-2402-v1:0", "Mistral Large 2402"],
    ["openai.gpt-oss-20b-1:0", "OpenAI GPT OSS 20B"],
    ["qwen.qwen3-32b-v1:0", "Qwen 3 32B"],
    ["deepseek.r1-v1:0", "DeepSeek R1"],
    ["some-local-model", "some-local-model"],
    ["unknownvendor.model-v1:0", "unknownvendor.model-v1:0"],
  ])("%s → %s", (id, want) => {
    expect(modelLabel(id)).toBe(want);
  });
});

describe("defaultModelId", () => {
  it("picks the first Bedrock model, else ELIZA, else the first listed", () => {
    const eliza = { id: "eliza", owned_by: "chatbot" };
    const test = { id: "test-slow", owned_by: "test" };
    const claude = { id: "anthropic.claude-3-5-haiku-20241022-v1:0", owned_by: "amazon-bedrock" };
    const nova = { id: "amazon.nova-lite-v1:0", owned_by: "amazon-bedrock" };
    expect(defaultModelId([claude, nova, test, eliza])).toBe(claude.id);
    expect(defaultModelId([test, eliza])).toBe("eliza");
    expect(defaultModelId([test])).toBe("test-slow");
    expect(defaultModelId([])).toBeUndefined();
  });
});
