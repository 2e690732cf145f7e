// The official openai SDK, unmodified: only baseURL and apiKey are set, no
// extra headers, no custom fetch. scripts/smoke.sh runs it against the
// CloudFront URL when the Lambda@Edge payload-hash function is on (the SDK
// cannot send x-amz-content-sha256 by itself), and against a local gateway
// in `make test`.
//
// Environment: SMOKE_BASE_URL (…/v1), SMOKE_API_KEY, CHATBOT_MODEL
// (default: the first model the gateway lists).
// Exit codes: 0 passed, 1 failed (the cause on stderr), 2 usage.

import OpenAI from 'openai';

const baseURL = process.env.SMOKE_BASE_URL;
const apiKey = process.env.SMOKE_API_KEY;
if (!baseURL || !apiKey) {
  console.error('cloudfront-smoke: set SMOKE_BASE_URL and SMOKE_API_KEY');
  process.exit(2);
}

const client = new OpenAI({ baseURL, apiKey, maxRetries: 0, timeout: 120_000 });
const messages = [{ role: 'user', content: 'Hello, I feel a little tired today.' }];

try {
  const model = process.env.CHATBOT_MODEL || (await client.models.list()).data[0]?.id;
  if (!model) {
    throw new Error('GET /v1/models listed no model');
  }

  const stream = await client.chat.completions.create({ model, messages, stream: true, max_tokens: 64 });
  let text = '';
  let finish = null;
  for await (const chunk of stream) {
    const delta = chunk.choices[0]?.delta?.content ?? '';
    text += delta;
    process.stdout.write(delta);
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  process.stdout.write('\n');
  if (text.trim() === '' || !finish) {
    throw new Error(`the stream ended without text or finish_reason (finish_reason: ${finish})`);
  }

  const completion = await client.chat.completions.create({ model, messages, max_tokens: 64 });
  if (completion.object !== 'chat.completion' || !completion.choices[0]?.message?.content) {
    throw new Error(`non-streaming answer is not a chat.completion: ${JSON.stringify(completion).slice(0, 200)}`);
  }
  console.error(`cloudfront-smoke: ok: ${model} streamed and answered through ${baseURL}`);
} catch (err) {
  const status = err?.status ? ` (HTTP ${err.status})` : '';
  console.error(`cloudfront-smoke: FAILED${status}: ${err?.message ?? err}`);
  process.exit(1);
}
