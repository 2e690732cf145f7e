// The official OpenAI SDK, unmodified (baseURL and apiKey only), through the
// CloudFront setup of terraform/: the real viewer-request function and the
// real Lambda@Edge payload-hash function in a local CloudFront stand-in, in
// front of the real gateway with the payload hash required as on Lambda.
// Without the edge function the same client is refused: it cannot send
// x-amz-content-sha256.

import assert from "node:assert/strict";
import { createHash, randomBytes } from "node:crypto";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import OpenAI, { BadRequestError } from "openai";
import { startEdgeStack } from "../../terraform/functions/edge_stack.mjs";

const repoRoot = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const apiKey = "sk-" + randomBytes(32).toString("base64url");
const cleanups = [];
let withEdge;
let withoutEdge;

before(async () => {
  ({ withEdge, withoutEdge } = await startEdgeStack(cleanups, repoRoot, {
    API_KEY_SHA256S: `sdk:${createHash("sha256").update(apiKey).digest("hex")}`,
  }));
});

after(async () => {
  for (const cleanup of cleanups.reverse()) {
    await cleanup();
  }
});

const client = (base) => new OpenAI({ baseURL: `${base}/v1`, apiKey, maxRetries: 0, timeout: 20_000 });
const messages = [{ role: "user", content: "I keep worrying about work" }];

describe("unmodified OpenAI SDK through CloudFront", () => {
  test("with the payload-hash function it streams and answers", async () => {
    const openai = client(withEdge.url);
    const models = await openai.models.list();
    assert.ok(models.data.some((m) => m.id === "eliza"));

    const stream = await openai.chat.completions.create({ model: "eliza", messages, stream: true });
    let text = "";
    let finish = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta?.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.ok(text.trim().length > 0, "empty answer");
    assert.ok(finish, "no finish_reason");

    const completion = await openai.chat.completions.create({ model: "eliza", messages });
    assert.equal(completion.object, "chat.completion");
  });

  test("without it the same client is refused for want of a payload hash", async () => {
    await assert.rejects(
      client(withoutEdge.url).chat.completions.create({ model: "eliza", messages }),
      (err) => err instanceof BadRequestError && err.code === "payload_hash_missing",
    );
  });
});
