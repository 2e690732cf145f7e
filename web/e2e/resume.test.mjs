// End-to-end: the connection drops mid-answer and the page resumes by itself.
// A proxy in front of the real gateway (ELIZA, paced words) destroys the
// socket of the first chat answer after a few events; the page asks
// GET /v1/chat/completions/{id}/stream with Last-Event-ID and the bubble
// completes with the text of an answer that was never cut.

import assert from "node:assert/strict";
import http from "node:http";
import { before, describe, test } from "node:test";
import { contentOf, lastAssistant, openChat, screenshot, sendMessage, setup, startPageGateway, waitForAnswer, cleanups } from "./browser.mjs";

setup();

const MESSAGE = "I remember the long summer evenings by the river with my brother";

/**
 * Forwards everything to target; the first POST /v1/chat/completions answer
 * is cut (socket destroyed) in the middle of the event after cutAfter events.
 */
async function cuttingProxy(target, cutAfter) {
  const seen = { cut: false, resumes: [] };
  const server = http.createServer((req, res) => {
    const cutThis = !seen.cut && req.method === "POST" && req.url === "/v1/chat/completions";
    if (req.method === "GET" && /^\/v1\/chat\/completions\/[^/]+\/stream/.test(req.url)) {
      seen.resumes.push({ url: req.url, lastEventId: req.headers["last-event-id"] });
    }
    if (cutThis) seen.cut = true;
    // The gateway answers only requests addressed to its own port; to it the page is its own origin.
    const headers = { ...req.headers, host: new URL(target).host };
    if (headers.origin) headers.origin = target;
    const up = http.request(`${target}${req.url}`, { method: req.method, headers }, (upRes) => {
      res.writeHead(upRes.statusCode, upRes.headers);
      if (!cutThis) {
        upRes.pipe(res);
        return;
      }
      let events = 0;
      upRes.on("data", (buf) => {
        let at = -2;
        while (events < cutAfter && (at = buf.indexOf("\n\n", at + 2)) !== -1) {
          events++;
        }
        if (events >= cutAfter) {
          // The cutAfter-th event goes out without its closing blank line: the cut lands inside it.
          res.write(buf.subarray(0, at + 1));
          upRes.destroy();
          res.socket.destroy();
          return;
        }
        res.write(buf);
      });
    });
    up.on("error", () => res.socket?.destroy());
    req.pipe(up);
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  cleanups.push(() => {
    server.closeAllConnections();
    return new Promise((resolve) => server.close(resolve));
  });
  return { url: `http://127.0.0.1:${server.address().port}`, seen };
}

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

    const proxy = await cuttingProxy(gateway.url, 4);
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
