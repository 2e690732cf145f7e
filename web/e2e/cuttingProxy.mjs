// A proxy in front of the real gateway that cuts one streamed answer in the
// middle of an event (the socket destroyed, as a dropped connection), and
// records (or refuses) the requests that resume it.

import http from "node:http";
import { cleanups } from "./browser.mjs";

/**
 * Forwards everything to target. The first request cuts(req) picks has its
 * answer cut inside the cutAfter-th event (the events before it arrive
 * whole). Requests resumes(req) picks are recorded in seen.resumes and, with
 * refuseResumes, answered 502 by the proxy instead of forwarded. seen.delivered
 * is the text of the cut answer that got through.
 */
export async function cuttingProxy(target, { cutAfter, cuts, resumes, refuseResumes = false }) {
  const seen = { cut: false, delivered: "", resumes: [] };
  const server = http.createServer((req, res) => {
    const cutThis = !seen.cut && cuts(req);
    if (resumes(req)) {
      seen.resumes.push({ url: req.url, lastEventId: req.headers["last-event-id"], authorization: req.headers["x-authorization"] });
      if (refuseResumes) {
        req.resume();
        res.writeHead(502, { "Content-Type": "text/plain" }).end("refused by the proxy");
        return;
      }
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
          seen.delivered += buf.subarray(0, at + 1).toString();
          res.write(buf.subarray(0, at + 1));
          upRes.destroy();
          res.socket.destroy();
          return;
        }
        seen.delivered += buf.toString();
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
