// Unit tests for the Lambda@Edge payload-hash function: node --test.
// The events are CloudFront origin-request events as Lambda@Edge delivers
// them (testdata/origin-request-post.json follows the documented shape), and
// the expected hashes are computed independently of the function.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EDGE_BODY_LIMIT, handler } from './payload_hash.mjs';

const fixture = readFileSync(new URL('./testdata/origin-request-post.json', import.meta.url), 'utf8');
const BODY = '{"model":"eliza","messages":[{"role":"user","content":"Hello"}],"stream":true}';
// echo -n "$BODY" | sha256sum
const BODY_SHA256 = 'fc82da3a44d497935f490c482d36b97bcc8a4312bbd2ff8d8afbcac8bb4ece63';
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** event returns a fresh copy of the fixture, changed by edit(request). */
function event(edit = () => {}) {
  const ev = JSON.parse(fixture);
  edit(ev.Records[0].cf.request);
  return ev;
}

const hashOf = (req) => req.headers['x-amz-content-sha256'];

test('the fixture is a base64 body of the documented shape', () => {
  const req = event().Records[0].cf.request;
  assert.equal(req.body.encoding, 'base64');
  assert.equal(Buffer.from(req.body.data, 'base64').toString('utf8'), BODY);
  assert.equal(createHash('sha256').update(BODY).digest('hex'), BODY_SHA256);
});

test('sets the hash of a base64 body', async () => {
  const out = await handler(event());
  assert.deepEqual(hashOf(out), [{ key: 'X-Amz-Content-Sha256', value: BODY_SHA256 }]);
  assert.equal(out.uri, '/v1/chat/completions');
  assert.equal(out.method, 'POST');
});

test('sets the hash of a text body', async () => {
  const out = await handler(
    event((r) => {
      r.body = { action: 'replace', encoding: 'text', data: BODY, inputTruncated: false };
    }),
  );
  assert.equal(hashOf(out)[0].value, BODY_SHA256);
});

test('hashes bytes, not characters, of a multi-byte body', async () => {
  const text = '{"messages":[{"role":"user","content":"Grüße, 世界 🌍"}]}';
  const want = createHash('sha256').update(Buffer.from(text, 'utf8')).digest('hex');
  for (const body of [
    { encoding: 'base64', data: Buffer.from(text, 'utf8').toString('base64') },
    { encoding: 'text', data: text },
  ]) {
    const out = await handler(event((r) => (r.body = { action: 'read-only', inputTruncated: false, ...body })));
    assert.equal(hashOf(out)[0].value, want, body.encoding);
  }
});

test('an empty body gets the empty-string hash', async () => {
  const out = await handler(event((r) => (r.body = { action: 'read-only', encoding: 'base64', data: '', inputTruncated: false })));
  assert.equal(hashOf(out)[0].value, EMPTY_SHA256);
});

test('keeps a hash the client sent, even a wrong one', async () => {
  for (const value of [BODY_SHA256, '0'.repeat(64), 'UNSIGNED-PAYLOAD']) {
    const out = await handler(
      event((r) => {
        r.headers['x-amz-content-sha256'] = [{ key: 'x-amz-content-sha256', value }];
      }),
    );
    assert.deepEqual(hashOf(out), [{ key: 'x-amz-content-sha256', value }]);
  }
});

test('a truncated body without a hash gets a 413 in the gateway error format', async () => {
  const out = await handler(
    event((r) => {
      r.body = {
        action: 'read-only',
        encoding: 'base64',
        data: Buffer.alloc(EDGE_BODY_LIMIT, 'a').toString('base64'),
        inputTruncated: true,
      };
    }),
  );
  assert.equal(out.status, '413');
  assert.equal(out.headers['content-type'][0].value, 'application/json');
  const { error } = JSON.parse(out.body);
  assert.equal(error.code, 'body_too_large');
  assert.equal(error.type, 'invalid_request_error');
  assert.equal(error.param, null);
  assert.match(error.message, /1048576/);
});

test('a truncated body with a client hash is forwarded for the gateway to judge', async () => {
  const out = await handler(
    event((r) => {
      r.body.inputTruncated = true;
      r.headers['x-amz-content-sha256'] = [{ key: 'X-Amz-Content-Sha256', value: BODY_SHA256 }];
    }),
  );
  assert.equal(out.status, undefined);
  assert.equal(hashOf(out)[0].value, BODY_SHA256);
});

test('GET, HEAD and OPTIONS pass untouched', async () => {
  for (const method of ['GET', 'HEAD', 'OPTIONS']) {
    const ev = event((r) => {
      r.method = method;
      delete r.body;
    });
    const before = structuredClone(ev.Records[0].cf.request);
    const out = await handler(ev);
    assert.deepEqual(out, before, method);
  }
});

test('without include_body the request passes unhashed rather than with a guessed hash', async () => {
  const out = await handler(event((r) => delete r.body));
  assert.equal(hashOf(out), undefined);
});

test('leaves every other header and the origin settings as they were', async () => {
  const ev = event();
  const before = structuredClone(ev.Records[0].cf.request);
  const out = await handler(ev);
  const { 'x-amz-content-sha256': added, ...rest } = out.headers;
  assert.ok(added);
  assert.deepEqual(rest, before.headers);
  assert.deepEqual(out.origin, before.origin);
  assert.deepEqual(out.body, before.body, 'the body must stay read-only');
});

test('the source logs no header values or bodies', () => {
  const source = readFileSync(new URL('./payload_hash.mjs', import.meta.url), 'utf8');
  const logCalls = source.match(/console\[[^\]]+\]\([^;]*\)/g) ?? [];
  assert.equal(logCalls.length, 1, 'one logging helper');
  assert.doesNotMatch(logCalls[0], /headers|body/);
  assert.doesNotMatch(source, /\b(require|process\.env)\b/, 'no CommonJS, no environment (Lambda@Edge has none)');
});
