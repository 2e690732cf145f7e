// End to end: the real gateway binary, with the payload hash required as on
// Lambda, behind a local stand-in for the CloudFront distribution that runs
// the real viewer-request and payload-hash functions (cloudfront_emulator.mjs).
// Requests are written the way an unmodified OpenAI client writes them:
// Authorization: Bearer <key>, no x-amz-content-sha256.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEdgeStack } from './edge_stack.mjs';

const repoRoot = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..', '..');
const GATEWAY_BODY_LIMIT = 256 * 1024;
const PAGE_ORIGIN = 'https://chat.example.com';

const apiKey = 'sk-' + randomBytes(32).toString('base64url');
const keyHash = createHash('sha256').update(apiKey).digest('hex');

const cleanups = [];
let withEdge;
let withoutEdge;

before(async () => {
  ({ withEdge, withoutEdge } = await startEdgeStack(cleanups, repoRoot, {
    API_KEY_SHA256S: `e2e:${keyHash}`,
    TOKEN_SIGNING_KEY: randomBytes(32).toString('hex'),
    CHATBOT_MAX_BODY_BYTES: String(GATEWAY_BODY_LIMIT),
    ALLOWED_ORIGINS: PAGE_ORIGIN,
  }));
});

after(async () => {
  for (const cleanup of cleanups.reverse()) {
    await cleanup();
  }
});

const chat = (extra = {}) =>
  JSON.stringify({ model: 'eliza', stream: true, messages: [{ role: 'user', content: 'I feel tired today' }], ...extra });

function post(base, urlPath, body, headers = {}) {
  return fetch(base + urlPath, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${apiKey}`, ...headers },
    body,
  });
}

async function errorCode(res) {
  const text = await res.text();
  try {
    return JSON.parse(text).error.code;
  } catch {
    return `not JSON: ${text.slice(0, 200)}`;
  }
}

describe('through CloudFront with the payload-hash function', () => {
  test('a client that sends no hash streams an answer', async () => {
    const res = await post(withEdge.url, '/v1/chat/completions', chat());
    assert.equal(res.status, 200, await res.clone().text());
    assert.match(res.headers.get('content-type'), /^text\/event-stream/);
    const frames = (await res.text()).split('\n').filter((l) => l.startsWith('data: '));
    assert.equal(frames.at(-1), 'data: [DONE]');
    assert.ok(frames.length > 2, `only ${frames.length} frames`);
  });

  test('an API key mints a browser token, and the token chats', async () => {
    const minted = await post(withEdge.url, '/v1/tokens', JSON.stringify({ ttl_seconds: 60 }));
    assert.equal(minted.status, 200, await minted.clone().text());
    const { token, scope } = await minted.json();
    assert.equal(scope, 'chat');
    const res = await post(withEdge.url, '/v1/chat/completions', chat({ stream: false }), {
      Authorization: `Bearer ${token}`,
    });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal((await res.json()).object, 'chat.completion');
  });

  test('a wrong hash sent by the client is kept, and the gateway refuses it', async () => {
    const res = await post(withEdge.url, '/v1/chat/completions', chat(), { 'x-amz-content-sha256': '0'.repeat(64) });
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'payload_hash_mismatch');
  });

  test("a body over the gateway's limit gets the gateway's 413", async () => {
    const big = chat({ messages: [{ role: 'user', content: 'x'.repeat(GATEWAY_BODY_LIMIT) }] });
    const res = await post(withEdge.url, '/v1/chat/completions', big);
    assert.equal(res.status, 413);
    assert.equal(await errorCode(res), 'body_too_large');
  });

  test('a body the edge cannot hash gets a 413 from the edge', async () => {
    const huge = chat({ messages: [{ role: 'user', content: 'x'.repeat(1536 * 1024) }] });
    const res = await post(withEdge.url, '/v1/chat/completions', huge);
    assert.equal(res.status, 413);
    assert.equal(await errorCode(res), 'body_too_large');
  });

  test('GET passes without a hash', async () => {
    const res = await fetch(withEdge.url + '/v1/models', { headers: { Authorization: `Bearer ${apiKey}` } });
    assert.equal(res.status, 200, await res.clone().text());
  });
});

describe('a cross-origin page through CloudFront', () => {
  // The preflight a browser sends before a JSON POST with the openai SDK's
  // headers: the origin request policy must let Origin and both
  // Access-Control-Request-* headers through, or the gateway cannot allow
  // the headers the page asked for.
  test('its preflight is allowed the headers it asks for', async () => {
    const res = await fetch(withEdge.url + '/v1/chat/completions', {
      method: 'OPTIONS',
      headers: {
        Origin: PAGE_ORIGIN,
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'content-type, authorization, x-stainless-os',
      },
    });
    assert.equal(res.status, 204, await res.clone().text());
    assert.equal(res.headers.get('access-control-allow-origin'), PAGE_ORIGIN);
    const allowed = (res.headers.get('access-control-allow-headers') ?? '').split(/,\s*/);
    for (const name of ['content-type', 'authorization', 'x-stainless-os']) {
      assert.ok(allowed.includes(name), `${name} not allowed: ${allowed}`);
    }
  });

  test('its POST is answered with its origin allowed', async () => {
    const res = await post(withEdge.url, '/v1/chat/completions', chat(), { Origin: PAGE_ORIGIN });
    assert.equal(res.status, 200, await res.clone().text());
    assert.equal(res.headers.get('access-control-allow-origin'), PAGE_ORIGIN);
    await res.text();
  });
});

describe('through CloudFront without the function', () => {
  test('the same unmodified request is refused for want of a hash', async () => {
    const res = await post(withoutEdge.url, '/v1/chat/completions', chat());
    assert.equal(res.status, 400);
    assert.equal(await errorCode(res), 'payload_hash_missing');
  });
});
