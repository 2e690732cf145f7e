// A local stand-in for the CloudFront distribution in terraform/, for
// end-to-end tests: it runs the real viewer-request function and the real
// Lambda@Edge origin-request function on each request, with the event shapes
// CloudFront uses, applies the origin request policy's header whitelist
// (read from cloudfront.tf), adds the X-Origin-Verify origin header, and
// forwards the result to a real gateway over HTTP, streaming the answer back.
//
// What it cannot reproduce is AWS itself: the OAC SigV4 signature and
// Lambda's check of it. Those are confirmed only by `make smoke` against a
// deployment.

import { readFileSync } from 'node:fs';
import { createServer, request as httpRequest } from 'node:http';
import vm from 'node:vm';
import { EDGE_BODY_LIMIT, handler as payloadHash } from './payload_hash.mjs';

const here = new URL('.', import.meta.url);

/** forwardedHeaders reads local.forwarded_headers from cloudfront.tf, lowercased. */
export function forwardedHeaders() {
  const tf = readFileSync(new URL('../cloudfront.tf', here), 'utf8');
  const list = tf.match(/forwarded_headers\s*=\s*\[([^\]]*)\]/);
  if (!list) {
    throw new Error('cloudfront.tf: no forwarded_headers list');
  }
  return [...list[1].matchAll(/"([^"]+)"/g)].map((m) => m[1].toLowerCase());
}

/** viewerFunction loads viewer_request.js the way CloudFront does: a bare script defining handler. */
export function viewerFunction() {
  const source = readFileSync(new URL('./viewer_request.js', here), 'utf8');
  const context = vm.createContext({});
  vm.runInContext(source, context, { filename: 'viewer_request.js' });
  return context.handler;
}

const WRITABLE = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

function readAll(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/**
 * startCloudFront listens on 127.0.0.1 and forwards to origin (a gateway URL).
 * Options: edge (attach the payload-hash function), originVerify (the
 * X-Origin-Verify value). Returns { url, stop() }.
 */
export async function startCloudFront({ origin, edge, originVerify }) {
  const whitelist = forwardedHeaders();
  const viewer = viewerFunction();
  const target = new URL(origin);

  const server = createServer(async (req, res) => {
    try {
      const body = await readAll(req);
      const path = new URL(req.url, 'http://edge');

      // 1. Viewer request: cloudfront-js-2.0 event, headers as { value }.
      const viewerHeaders = {};
      for (const [name, value] of Object.entries(req.headers)) {
        viewerHeaders[name] = { value: Array.isArray(value) ? value.join(', ') : value };
      }
      const viewerEvent = {
        version: '1.0',
        context: { eventType: 'viewer-request', distributionId: 'EDFDVBD6EXAMPLE' },
        viewer: { ip: req.socket.remoteAddress },
        request: { method: req.method, uri: path.pathname, querystring: {}, headers: viewerHeaders, cookies: {} },
      };
      const afterViewer = JSON.parse(JSON.stringify(viewer(viewerEvent)));

      // 2. Origin request policy: only whitelisted viewer headers travel on,
      // plus the CloudFront header the policy asks for.
      const originHeaders = {};
      for (const [name, { value }] of Object.entries(afterViewer.headers)) {
        if (whitelist.includes(name)) {
          originHeaders[name] = [{ key: name, value }];
        }
      }
      if (whitelist.includes('cloudfront-viewer-address')) {
        const addr = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
        originHeaders['cloudfront-viewer-address'] = [{ key: 'CloudFront-Viewer-Address', value: addr }];
      }

      // 3. Origin request: the Lambda@Edge event, with include_body.
      let originRequest = {
        clientIp: req.socket.remoteAddress,
        headers: originHeaders,
        method: req.method,
        querystring: '',
        uri: afterViewer.uri,
        origin: {
          custom: {
            customHeaders: { 'x-origin-verify': [{ key: 'X-Origin-Verify', value: originVerify }] },
            domainName: target.hostname,
            keepaliveTimeout: 5,
            path: '',
            port: Number(target.port),
            protocol: 'http',
            readTimeout: 60,
            sslProtocols: ['TLSv1.2'],
          },
        },
      };
      if (WRITABLE.has(req.method)) {
        originRequest.body = {
          action: 'read-only',
          encoding: 'base64',
          data: body.subarray(0, EDGE_BODY_LIMIT).toString('base64'),
          inputTruncated: body.length > EDGE_BODY_LIMIT,
        };
      }
      if (edge) {
        const event = {
          Records: [
            {
              cf: {
                config: {
                  distributionDomainName: 'd111111abcdef8.cloudfront.net',
                  distributionId: 'EDFDVBD6EXAMPLE',
                  eventType: 'origin-request',
                  requestId: 'local',
                },
                request: originRequest,
              },
            },
          ],
        };
        const out = await payloadHash(event);
        if (out.status) {
          const headers = {};
          for (const values of Object.values(out.headers ?? {})) {
            headers[values[0].key] = values[0].value;
          }
          res.writeHead(Number(out.status), out.statusDescription, headers);
          res.end(out.body ?? '');
          return;
        }
        originRequest = out;
      }

      // 4. To the origin: the (read-only) original body, the function's
      // headers and the origin custom headers.
      const headers = {};
      for (const group of [originRequest.headers, originRequest.origin.custom.customHeaders]) {
        for (const values of Object.values(group)) {
          headers[values[0].key] = values.map((v) => v.value).join(', ');
        }
      }
      headers['Content-Length'] = String(body.length);
      const upstream = httpRequest(
        { host: target.hostname, port: target.port, method: originRequest.method, path: originRequest.uri, headers },
        (up) => {
          res.writeHead(up.statusCode, up.headers);
          up.pipe(res);
        },
      );
      upstream.on('error', (err) => {
        res.writeHead(502, { 'content-type': 'text/plain' });
        res.end(`origin error: ${err.message}`);
      });
      upstream.end(body);
    } catch (err) {
      res.writeHead(502, { 'content-type': 'text/plain' });
      res.end(`edge error: ${err.message}`);
    }
  });

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
