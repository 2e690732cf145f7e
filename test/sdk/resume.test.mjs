// Resuming with the official openai SDK, unmodified, against the real
// gateway binary: a background response (background: true), read back with
// responses.retrieve(id), and its event stream resumed with
// responses.retrieve(id, { stream: true, starting_after }).

import assert from "node:assert/strict";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { after, before, test } from "node:test";
import { fileURLToPath } from "node:url";
import OpenAI from "openai";
import { buildGateway, startGateway } from "../../web/e2e/gateway.mjs";
import { runCleanups } from "../../web/e2e/harness.mjs";

const repoRoot = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");
const cleanups = [];
let url;

before(async () => {
  const gw = await buildGateway(repoRoot);
  cleanups.push(gw.cleanup);
  // ELIZA paced, so the answer is still being produced while it is read.
  const g = await startGateway(gw.bin, { ELIZA_WORD_DELAY: "20ms" });
  cleanups.push(g.stop);
  url = g.url;
});

after(() => runCleanups(cleanups));

const client = () => new OpenAI({ baseURL: `${url}/v1`, apiKey: "unused", maxRetries: 0, timeout: 20_000 });

test("openai: a background response is retrieved, and its stream resumed after an event", async () => {
  const openai = client();
  const r = await openai.responses.create({ model: "eliza", input: "I am worried about my exams", background: true });
  assert.equal(r.status, "queued");
  assert.equal(r.background, true);
  assert.match(r.id, /^resp_/);

  let cur = r;
  for (let i = 0; i < 400 && (cur.status === "queued" || cur.status === "in_progress"); i++) {
    await sleep(25);
    cur = await openai.responses.retrieve(r.id);
  }
  assert.equal(cur.status, "completed");
  assert.ok(cur.output_text.length > 0);

  // The whole stream, then the rest after event 4, as a client that lost
  // its connection there asks for it.
  const all = [];
  for await (const e of await openai.responses.retrieve(r.id, { stream: true })) all.push(e);
  all.forEach((e, i) => assert.equal(e.sequence_number, i));
  assert.equal(all.at(-1).type, "response.completed");
  const rest = [];
  for await (const e of await openai.responses.retrieve(r.id, { stream: true, starting_after: 4 })) rest.push(e);
  assert.deepEqual(rest, all.slice(5));
  const text = all.filter((e) => e.type === "response.output_text.delta").map((e) => e.delta).join("");
  assert.equal(text, cur.output_text);
});

test("openai: another id is a 404", async () => {
  await assert.rejects(client().responses.retrieve("resp_NOPE"), (err) => err.status === 404);
});
