// End-to-end: a cut answer resumes on the page's Responses path, used when
// the gateway keeps the conversations (STATE_STORE=memory). A proxy in front
// of the real gateway (ELIZA, paced words) destroys the socket of the first
// POST /v1/responses mid-event; the page asks
// GET /v1/responses/{id}?stream=true&starting_after=n with its credential,
// and the bubble completes with the text the gateway stored for that
// response; the next turn continues the same conversation. When the proxy
// refuses every resume, the bubble is marked cut.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import {
  assistants,
  contentOf,
  env,
  lastAssistant,
  newAPIKey,
  openSignedIn,
  screenshot,
  sendMessage,
  setup,
  startPageGateway,
  storedTexts,
  waitForAnswer,
} from "./browser.mjs";
import { cuttingProxy } from "./cuttingProxy.mjs";

setup({ tags: "" });

const MESSAGE = "I remember the long summer evenings by the river with my brother";
const NEXT = "My brother always listened to me";
// Whole events before the cut: created, in_progress, the message item and
// its part, then text deltas; the cut lands inside a later delta.
const CUT_AFTER = 8;

/** The first Responses answer is cut; its resumes are recorded (and refused when refuse). */
const responsesProxy = (target, refuse = false) =>
  cuttingProxy(target, {
    cutAfter: CUT_AFTER,
    cuts: (req) => req.method === "POST" && req.url === "/v1/responses",
    resumes: (req) => req.method === "GET" && /^\/v1\/responses\/[^/?]+\?/.test(req.url),
    refuseResumes: refuse,
  });

/** The response as the gateway stored it: its status and output text. */
async function storedResponse(url, key, id) {
  const r = await fetch(`${url}/v1/responses/${id}`, { headers: { "X-Authorization": `Bearer ${key}` } });
  assert.equal(r.status, 200, await r.clone().text());
  const body = await r.json();
  const text = body.output
    .filter((o) => o.type === "message")
    .flatMap((o) => o.content)
    .map((c) => c.text ?? "")
    .join("");
  return { status: body.status, text };
}

/** What the proxy let through before the cut: the response id, the last whole event's id and the text. */
function delivered(text) {
  const whole = text.slice(0, text.lastIndexOf("\n\n") + 2);
  const datas = [...whole.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]));
  return {
    id: datas.find((d) => d.type === "response.created")?.response?.id,
    lastId: [...whole.matchAll(/^id: (\d+)$/gm)].at(-1)?.[1],
    text: datas.filter((d) => d.type === "response.output_text.delta").map((d) => d.delta).join(""),
  };
}

const resumeParams = (r) => Object.fromEntries(new URL(r.url, "http://proxy").searchParams);
// Chromium logs the dropped connection and the refused resumes itself; nothing else may fail.
const unexpected = (errors) => errors.filter((e) => !/ERR_INCOMPLETE_CHUNKED_ENCODING|net::ERR_|status of 502/.test(e));

describe("a cut answer resumes in a conversation kept by the gateway", () => {
  let gateway;
  let alice;
  before(async () => {
    alice = await newAPIKey(env.build.bin, "alice");
    gateway = await startPageGateway({
      ELIZA_WORD_DELAY: "100ms",
      REQUIRE_CONTENT_SHA256: "true",
      STATE_STORE: "memory",
      API_KEY_SHA256S: alice.entry,
    });
  });

  test("the bubble completes with the stored answer's text, not marked cut, and the next turn goes on", { timeout: 90_000 }, async () => {
    const proxy = await responsesProxy(gateway.url);
    const { page, consoleErrors } = await openSignedIn(proxy.url, alice.key);
    await page.getByRole("group", { name: "Conversations on the server" }).waitFor();
    await sendMessage(page, MESSAGE);
    await waitForAnswer(page, "done", 30_000);
    await screenshot(page, "resume-responses-after-cut");

    assert.ok(proxy.seen.cut, "the first answer went through the proxy");
    const before = delivered(proxy.seen.delivered);
    assert.match(before.id ?? "", /^resp_/, "the cut came after response.created");
    assert.notEqual(before.text, "", "the cut came after some of the answer's text");
    assert.equal(proxy.seen.resumes.length, 1, `one resume: ${JSON.stringify(proxy.seen.resumes)}`);
    const [resume] = proxy.seen.resumes;
    assert.equal(new URL(resume.url, "http://proxy").pathname, `/v1/responses/${before.id}`);
    assert.deepEqual(resumeParams(resume), { stream: "true", starting_after: before.lastId }, "resumed after the last whole event");
    assert.equal(resume.authorization, `Bearer ${alice.key}`);

    const stored = await storedResponse(gateway.url, alice.key, before.id);
    assert.equal(stored.status, "completed");
    assert.ok(stored.text.startsWith(before.text) && stored.text.length > before.text.length, "the answer went on after the cut");
    const bubble = lastAssistant(page);
    assert.equal(await contentOf(bubble).textContent(), stored.text);
    assert.equal(await bubble.getByText("Cut off.").count(), 0);

    // The resumed answer is in the conversation as an uncut one: the next turn continues it.
    await sendMessage(page, NEXT);
    await waitForAnswer(page, "done", 30_000);
    assert.equal(await assistants(page).count(), 2);
    const second = await contentOf(lastAssistant(page)).textContent();
    assert.match(second ?? "", /\S/);
    assert.deepEqual(await storedTexts(gateway.url, alice.key), [
      ["user", MESSAGE],
      ["assistant", stored.text],
      ["user", NEXT],
      ["assistant", second],
    ]);
    assert.equal(proxy.seen.resumes.length, 1, "the uncut second answer needed no resume");
    assert.deepEqual(unexpected(consoleErrors), []);
  });

  test("when every resume is refused, the bubble is marked cut", { timeout: 90_000 }, async () => {
    const proxy = await responsesProxy(gateway.url, true);
    const { page, consoleErrors } = await openSignedIn(proxy.url, alice.key);
    await page.getByRole("group", { name: "Conversations on the server" }).waitFor();
    await sendMessage(page, MESSAGE);
    await waitForAnswer(page, "error", 30_000);
    await screenshot(page, "resume-responses-refused");

    const before = delivered(proxy.seen.delivered);
    // Three attempts, each after the last whole event, then the bubble gives up.
    assert.deepEqual(
      proxy.seen.resumes.map(resumeParams),
      [1, 2, 3].map(() => ({ stream: "true", starting_after: before.lastId })),
    );
    const bubble = lastAssistant(page);
    assert.equal(await contentOf(bubble).textContent(), before.text);
    assert.equal(await bubble.getByText("Cut off.").count(), 1);
    assert.deepEqual(unexpected(consoleErrors), []);
  });
});
