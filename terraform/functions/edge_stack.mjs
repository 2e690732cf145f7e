// The stack the CloudFront end-to-end tests run: the real gateway binary, with
// the payload hash required and the origin-verify secret set as on Lambda,
// behind two local CloudFront stand-ins (cloudfront_emulator.mjs) — one with
// the Lambda@Edge payload-hash function, one without it.

import { randomBytes } from 'node:crypto';
import { buildGateway, startGateway } from '../../web/e2e/gateway.mjs';
import { startCloudFront } from './cloudfront_emulator.mjs';

/**
 * Builds and starts the stack for the repository at root, with settings added
 * to the gateway's environment. Each part is pushed onto cleanups as it
 * starts, so a failure half way still stops what did start. Returns the two
 * stand-ins, { withEdge, withoutEdge }, each with its url.
 */
export async function startEdgeStack(cleanups, root, settings = {}) {
  const originVerify = randomBytes(24).toString('hex');
  const build = await buildGateway(root);
  cleanups.push(build.cleanup);
  const gw = await startGateway(build.bin, { REQUIRE_CONTENT_SHA256: 'true', ORIGIN_VERIFY_SECRET: originVerify, ...settings });
  cleanups.push(gw.stop);
  const withEdge = await startCloudFront({ origin: gw.url, edge: true, originVerify });
  cleanups.push(withEdge.stop);
  const withoutEdge = await startCloudFront({ origin: gw.url, edge: false, originVerify });
  cleanups.push(withoutEdge.stop);
  return { withEdge, withoutEdge };
}
