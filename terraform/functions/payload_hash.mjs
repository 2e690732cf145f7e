// Lambda@Edge origin-request handler (Node.js, ES module, no dependencies).
//
// CloudFront's Origin Access Control signs each request to the Lambda
// function URL with SigV4, and for a body it uses the viewer's
// x-amz-content-sha256 header as the payload hash: Lambda refuses a POST
// without one. Browsers and scripts can send it; unmodified OpenAI SDKs,
// LiteLLM and similar clients cannot. This function, attached to the origin
// request event with include_body, computes the header from the body before
// CloudFront signs the request, so those clients work unchanged.
//
// Rules:
//   - GET, HEAD and OPTIONS pass untouched: CloudFront signs them without a
//     viewer hash, and the gateway does not check one.
//   - A hash the client sent is left exactly as it is, right or wrong: the
//     gateway compares it with the body and answers 400 when it differs.
//   - A body CloudFront truncated (over 1 MB for origin requests) cannot be
//     hashed; the function answers 413 itself, in the gateway's error format,
//     instead of forwarding a request Lambda would refuse with a bare 403.
//   - A request without a body object means include_body is off: nothing is
//     guessed (an empty-body hash would be wrong); the request passes and
//     fails at the origin, and the cause is logged.
//
// Nothing here logs header values or bodies: they carry credentials and
// conversations. Lambda@Edge has no environment variables, so the function
// has no settings.

import { createHash } from 'node:crypto';

/** Bytes of body CloudFront exposes to an origin-request function. */
export const EDGE_BODY_LIMIT = 1024 * 1024;

const HASH_HEADER = 'x-amz-content-sha256';
const UNHASHED_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** sha256Hex returns the lowercase hex SHA-256 of bytes. */
export function sha256Hex(bytes) {
  return createHash('sha256').update(bytes).digest('hex');
}

/** bodyBytes decodes a Lambda@Edge body object (base64, or text when a function replaced it). */
export function bodyBytes(body) {
  const data = body.data ?? '';
  return body.encoding === 'text' ? Buffer.from(data, 'utf8') : Buffer.from(data, 'base64');
}

function tooLarge() {
  const error = {
    message: `request body is larger than ${EDGE_BODY_LIMIT} bytes, the most CloudFront lets the edge hash; send x-amz-content-sha256 yourself or a smaller body`,
    type: 'invalid_request_error',
    param: null,
    code: 'body_too_large',
  };
  return {
    status: '413',
    statusDescription: 'Payload Too Large',
    headers: {
      'content-type': [{ key: 'Content-Type', value: 'application/json' }],
      'cache-control': [{ key: 'Cache-Control', value: 'no-store' }],
    },
    body: JSON.stringify({ error }),
  };
}

function log(level, msg, request) {
  // Method and path only: never headers or body.
  console[level](JSON.stringify({ level, msg, method: request.method, uri: request.uri }));
}

/** handler is the origin-request entry point: it returns the request to forward or a response. */
export async function handler(event) {
  const request = event.Records[0].cf.request;
  if (UNHASHED_METHODS.has(request.method)) {
    return request;
  }
  const headers = request.headers;
  if (headers[HASH_HEADER] && headers[HASH_HEADER].length > 0) {
    return request;
  }
  const body = request.body;
  if (!body) {
    log('error', 'no request body in the event: the trigger needs include_body = true; forwarding without a payload hash', request);
    return request;
  }
  if (body.inputTruncated) {
    log('warn', `body over ${EDGE_BODY_LIMIT} bytes without x-amz-content-sha256; answered 413`, request);
    return tooLarge();
  }
  headers[HASH_HEADER] = [{ key: 'X-Amz-Content-Sha256', value: sha256Hex(bodyBytes(body)) }];
  return request;
}
