// Unit tests for the CloudFront viewer-request function: node --test.
// The function file is plain cloudfront-js-2.0 code (no exports), so it is
// loaded into a fresh context the way CloudFront loads it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import vm from 'node:vm';

const source = readFileSync(new URL('./viewer_request.js', import.meta.url), 'utf8');

function load() {
  // No console in the context: a log call would throw and fail the test.
  const context = vm.createContext({});
  vm.runInContext(source, context, { filename: 'viewer_request.js' });
  return context.handler;
}

function event(headers) {
  return {
    version: '1.0',
    context: { eventType: 'viewer-request' },
    viewer: { ip: '203.0.113.7' },
    request: { method: 'POST', uri: '/v1/chat/completions', querystring: {}, headers, cookies: {} },
  };
}

const cases = [
  {
    name: 'copies Authorization into X-Authorization',
    headers: { authorization: { value: 'Bearer viewer.jwt' } },
    want: { 'x-authorization': { value: 'Bearer viewer.jwt' } },
  },
  {
    name: 'keeps an explicit X-Authorization when both are sent',
    headers: {
      authorization: { value: 'Bearer other.jwt' },
      'x-authorization': { value: 'Bearer explicit.jwt' },
    },
    want: { 'x-authorization': { value: 'Bearer explicit.jwt' } },
  },
  {
    name: 'leaves X-Authorization alone when it is the only one',
    headers: { 'x-authorization': { value: 'Bearer only.jwt' } },
    want: { 'x-authorization': { value: 'Bearer only.jwt' } },
  },
  {
    name: 'adds nothing when no credential is sent',
    headers: {},
    want: {},
  },
  {
    name: 'keeps unrelated headers',
    headers: {
      authorization: { value: 'Bearer a.b.c' },
      'content-type': { value: 'application/json' },
      'x-amz-content-sha256': { value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    },
    want: {
      'x-authorization': { value: 'Bearer a.b.c' },
      'content-type': { value: 'application/json' },
      'x-amz-content-sha256': { value: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855' },
    },
  },
];

for (const tc of cases) {
  test(tc.name, () => {
    const handler = load();
    const ev = event(structuredClone(tc.headers));
    const out = handler(ev);
    assert.equal(out.method, 'POST');
    assert.equal(out.uri, '/v1/chat/completions');
    // The object was built in another realm; compare its JSON form.
    assert.deepEqual(JSON.parse(JSON.stringify(out.headers)), tc.want);
    assert.equal('authorization' in out.headers, false, 'Authorization must never reach the origin');
  });
}

test('does not log', () => {
  assert.doesNotMatch(source, /console\./);
});

test('uses only cloudfront-js-2.0 friendly syntax (no modules)', () => {
  assert.doesNotMatch(source, /\b(import|export|require)\b/);
});
