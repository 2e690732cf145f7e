// Stored responses and the Conversations API with the official openai SDK,
// unmodified, against the real gateway binary: a three-turn conversation
// with previous_response_id and another with conversations.create and
// responses.create({conversation}), first on one process keeping them in
// memory, then on two processes sharing one DynamoDB table (dynalite), each
// turn on the other process.
//
// ELIZA answers: it replays the whole conversation it is given to find its
// state (which reassembly of a rule comes next), so the same input answered
// with and without the history gets different answers — the test's proof
// that the history reached the model.

import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import OpenAI, { NotFoundError } from "openai";
import { buildGateway, startGateway } from "../../web/e2e/gateway.mjs";
import { runCleanups } from "../../web/e2e/harness.mjs";

const repoRoot = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const SAME = "I am unhappy";

let gw;
const cleanups = [];

before(async () => {
  gw = await buildGateway(repoRoot);
  cleanups.push(gw.cleanup);
});

after(() => runCleanups(cleanups));

async function gateway(env = {}) {
  const g = await startGateway(gw.bin, env);
  cleanups.push(g.stop);
  return g;
}

const client = (url) => new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0, timeout: 20_000 });

/** Starts dynalite on a free port and creates a table laid out as Terraform lays out the state table. */
async function dynalite() {
  const dir = path.join(repoRoot, "test", "dynalite");
  const child = spawn(process.execPath, [path.join(dir, "server.mjs")], { cwd: dir, stdio: ["pipe", "pipe", "inherit"] });
  cleanups.push(() => child.stdin.end());
  const port = await new Promise((resolve, reject) => {
    let out = "";
    child.stdout.on("data", (d) => {
      out += d;
      const m = /listening (\d+)/.exec(out);
      if (m) resolve(Number(m[1]));
    });
    child.on("exit", (code) => reject(new Error(`dynalite exited with ${code}; run make test-dynalite-deps`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const table = `state-${Date.now()}`;
  // dynalite checks that a request is signed, not the signature.
  const res = await fetch(endpoint, {
    method: "POST",
    headers: {
      "Content-Type": "application/x-amz-json-1.0",
      "X-Amz-Target": "DynamoDB_20120810.CreateTable",
      "X-Amz-Date": "20260101T000000Z",
      Authorization: "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/dynamodb/aws4_request, SignedHeaders=host, Signature=0",
    },
    body: JSON.stringify({
      TableName: table,
      AttributeDefinitions: [
        { AttributeName: "pk", AttributeType: "S" },
        { AttributeName: "sk", AttributeType: "S" },
      ],
      KeySchema: [
        { AttributeName: "pk", KeyType: "HASH" },
        { AttributeName: "sk", KeyType: "RANGE" },
      ],
      BillingMode: "PAY_PER_REQUEST",
    }),
  });
  assert.equal(res.status, 200, await res.text());
  return {
    STATE_TABLE: table,
    AWS_ENDPOINT_URL_DYNAMODB: endpoint,
    AWS_REGION: "us-east-1",
    AWS_ACCESS_KEY_ID: "test",
    AWS_SECRET_ACCESS_KEY: "test",
    AWS_EC2_METADATA_DISABLED: "true",
  };
}

/**
 * The conversation tests, with `urls` the processes to use in turn: one
 * process, or two sharing a table.
 */
function conversationTests(urls) {
  const at = (i) => client(urls()[i % urls().length]);

  test("a three-turn conversation with previous_response_id", async () => {
    const fresh = await at(0).responses.create({ model: "eliza", input: SAME });
    const first = await at(0).responses.create({ model: "eliza", input: "Hello there" });
    const second = await at(1).responses.create({ model: "eliza", input: SAME, previous_response_id: first.id });
    const third = await at(2).responses.create({ model: "eliza", input: SAME, previous_response_id: second.id });
    assert.equal(second.previous_response_id, first.id);
    assert.equal(second.store, true);
    assert.equal(second.output_text, fresh.output_text, "the same turn after a greeting answers as a first statement");
    assert.notEqual(third.output_text, second.output_text, "ELIZA saw the earlier turn: its next reassembly answers");

    const got = await at(1).responses.retrieve(second.id);
    assert.equal(got.id, second.id);
    assert.equal(got.object, "response");
    assert.equal(got.output_text, second.output_text);

    const items = await at(2).responses.inputItems.list(third.id);
    assert.equal(items.data.length, 1);
    assert.equal(items.data[0].type, "message");
    assert.equal(items.data[0].role, "user");
    assert.deepEqual(items.data[0].content, [{ type: "input_text", text: SAME }]);
    assert.match(items.data[0].id, /^msg_/);

    const deleted = await at(0).responses.delete(first.id);
    assert.deepEqual(deleted, { id: first.id, object: "response", deleted: true });
    await assert.rejects(at(1).responses.retrieve(first.id), NotFoundError);
    await assert.rejects(at(2).responses.create({ model: "eliza", input: SAME, previous_response_id: second.id }), NotFoundError);
  });

  test("conversations.create and responses.create({conversation})", async () => {
    const conv = await at(0).conversations.create({ metadata: { topic: "exams" } });
    assert.match(conv.id, /^conv_/);
    assert.equal(conv.object, "conversation");
    assert.deepEqual(conv.metadata, { topic: "exams" });

    const a = await at(1).responses.create({ model: "eliza", input: SAME, conversation: conv.id });
    const b = await at(0).responses.create({ model: "eliza", input: SAME, conversation: conv.id });
    assert.notEqual(b.output_text, a.output_text, "the second turn saw the first");

    const items = await at(1).conversations.items.list(conv.id, { order: "asc" });
    const shape = items.data.map((it) => `${it.type}/${it.role}`);
    assert.deepEqual(shape, ["message/user", "message/assistant", "message/user", "message/assistant"]);
    assert.equal(items.data[1].content[0].type, "output_text");
    assert.equal(items.data[1].content[0].text, a.output_text);
    assert.equal(items.data[3].content[0].text, b.output_text);

    const one = await at(0).conversations.items.retrieve(items.data[0].id, { conversation_id: conv.id });
    assert.equal(one.id, items.data[0].id);

    const got = await at(1).conversations.retrieve(conv.id);
    assert.equal(got.id, conv.id);
    const updated = await at(0).conversations.update(conv.id, { metadata: { topic: "sleep" } });
    assert.deepEqual(updated.metadata, { topic: "sleep" });

    const gone = await at(1).conversations.delete(conv.id);
    assert.equal(gone.deleted, true);
    await assert.rejects(at(0).conversations.retrieve(conv.id), NotFoundError);
  });
}

describe("one process, responses and conversations in memory", () => {
  let url;
  before(async () => {
    url = (await gateway()).url;
  });
  conversationTests(() => [url]);
});

describe("two processes sharing one DynamoDB table", () => {
  let urls;
  before(async () => {
    const env = await dynalite();
    urls = [(await gateway(env)).url, (await gateway(env)).url];
  });
  conversationTests(() => urls);
});
