// End-to-end: the connection drops mid-answer and the page resumes by itself.
// A proxy in front of the real gateway (ELIZA, paced words) destroys the
// socket of the first chat answer after a few events; the page asks
// GET /v1/chat/completions/{id}/stream with Last-Event-ID and the bubble
// completes with the text of an answer that was never cut.

import assert from "node:assert/strict";
import { before, describe, test } from "node:test";
import { contentOf, lastAssistant, openChat, screenshot, sendMessage, setup, startPageGateway, waitForAnswer } from "./browser.mjs";
import { cuttingProxy } from "./cuttingProxy.mjs";

setup();

const MESSAGE = "I remember the long summer evenings by the river with my brother";

/** The first chat answer is cut; its resumes are recorded. */
const chatProxy = (target, cutAfter) =>
  cuttingProxy(target, {
    cutAfter,
    cuts: (req) => req.method === "POST" && req.url === "/v1/chat/completions",
    resumes: (req) => req.method === "GET" && /^\/v1\/chat\/completions\/[^/]+\/stream/.test(req.url),
  });

describe("a cut connection resumes", () => {
  let gateway;
  before(async () => {
    gateway = await startPageGateway({ ELIZA_WORD_DELAY: "100ms", REQUIRE_CONTENT_SHA256: "true" });
  });

  test("the bubble completes with the uncut answer's text, not marked cut", { timeout: 90_000 }, async () => {
    // The same input on a connection nobody cuts: ELIZA answers a new conversation the same way.
    const normal = await openChat(gateway.url);
    await sendMessage(normal.page, MESSAGE);
    await waitForAnswer(normal.page);
    const want = await contentOf(lastAssistant(normal.page)).textContent();
    assert.ok(want.split(" ").length >= 5, `a long enough answer to cut: ${want}`);

    const proxy = await chatProxy(gateway.url, 4);
    const { page, consoleErrors } = await openChat(proxy.url);
    await sendMessage(page, MESSAGE);
    await waitForAnswer(page, "done", 30_000);
    await screenshot(page, "resume-after-cut");

    assert.ok(proxy.seen.cut, "the first answer went through the proxy");
    assert.equal(proxy.seen.resumes.length, 1, `one resume: ${JSON.stringify(proxy.seen.resumes)}`);
    assert.equal(proxy.seen.resumes[0].lastEventId, "2", "resumed after the last whole event");
    const bubble = lastAssistant(page);
    assert.equal(await contentOf(bubble).textContent(), want);
    assert.equal(await bubble.getByText("Cut off.").count(), 0);
    // Chromium logs the dropped connection itself; nothing else may fail.
    assert.deepEqual(consoleErrors.filter((e) => !/ERR_INCOMPLETE_CHUNKED_ENCODING|net::ERR_/.test(e)), []);
  });
});
