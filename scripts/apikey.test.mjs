// Tests of `make apikey` (scripts/apikey.sh, scripts/apikey-secret.mjs):
// the secret edits, the local key file, and the keys they produce accepted
// by the real gateway, which reads the secret through the AWS SDK from a
// local Secrets Manager stand-in speaking the service's JSON protocol.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { buildGateway, startGateway } from '../web/e2e/gateway.mjs';
import { editSecret, parseSecret } from './apikey-secret.mjs';

const run = promisify(execFile);
const repoRoot = path.resolve(fileURLToPath(new URL('.', import.meta.url)), '..');
const script = path.join(repoRoot, 'scripts', 'apikey.sh');
const sha256 = (s) => createHash('sha256').update(s).digest('hex');

// The first version Terraform writes (terraform/secrets.tf: jsonencode of
// { api_keys = {}, token_signing_key = random_bytes...hex }).
const signingKey = randomBytes(32).toString('hex');
const terraformSecret = JSON.stringify({ api_keys: {}, token_signing_key: signingKey });

describe('editing the secret', () => {
  test('keys are added beside the signing key, which stays as it is', () => {
    const one = editSecret(terraformSecret, 'add', 'first', sha256('sk-a'));
    assert.deepEqual(JSON.parse(one), { api_keys: { first: sha256('sk-a') }, token_signing_key: signingKey });
    const two = JSON.parse(editSecret(one, 'add', 'second', sha256('sk-b')));
    assert.deepEqual(two, { api_keys: { first: sha256('sk-a'), second: sha256('sk-b') }, token_signing_key: signingKey });
  });

  test('revoking removes only that key, the last one too; the signing key stays', () => {
    const two = editSecret(editSecret(terraformSecret, 'add', 'a', sha256('sk-a')), 'add', 'b', sha256('sk-b'));
    const one = editSecret(two, 'revoke', 'a');
    assert.deepEqual(JSON.parse(one), { api_keys: { b: sha256('sk-b') }, token_signing_key: signingKey });
    assert.deepEqual(JSON.parse(editSecret(one, 'revoke', 'b')), { api_keys: {}, token_signing_key: signingKey });
  });

  test('a secret given with an active signing key keeps it', () => {
    const given = JSON.stringify({ api_keys: { a: sha256('sk-a') }, token_signing_key: signingKey, note: 'kept' });
    assert.deepEqual(JSON.parse(editSecret(given, 'add', 'b', sha256('sk-b'))), {
      api_keys: { a: sha256('sk-a'), b: sha256('sk-b') },
      token_signing_key: signingKey,
      note: 'kept',
    });
  });

  test('the plain list form becomes JSON', () => {
    const out = JSON.parse(editSecret(`old:${sha256('sk-old')}`, 'add', 'new', sha256('sk-new')));
    assert.deepEqual(out, { api_keys: { old: sha256('sk-old'), new: sha256('sk-new') } });
  });

  test('refuses duplicates, unknown names, bad names and raw keys', () => {
    const one = editSecret(terraformSecret, 'add', 'a', sha256('sk-a'));
    assert.throws(() => editSecret(one, 'add', 'a', sha256('sk-x')), /exists/);
    assert.throws(() => editSecret(one, 'add', 'b', sha256('sk-a')), /already/);
    assert.throws(() => editSecret(one, 'revoke', 'nope'), /no key named/);
    assert.throws(() => editSecret(one, 'add', 'a b', sha256('sk-c')), /key name/);
    assert.throws(() => editSecret(one, 'add', 'c', 'sk-' + 'x'.repeat(43)), /never the key itself/);
  });

  test('a broken secret is refused without echoing it', () => {
    assert.throws(() => parseSecret('{"token_signing_key": "TOPSECRET"'), (err) => !err.message.includes('TOPSECRET'));
  });
});

describe('the local key file', () => {
  let dir;
  before(() => (dir = mkdtempSync(path.join(tmpdir(), 'apikey-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  const env = () => ({ ...process.env, APIKEY_TARGET: 'local', APIKEY_FILE: path.join(dir, 'keys') });

  test('add prints the key alone on stdout and stores name:sha256hex', async () => {
    const { stdout } = await run(script, ['add', 'laptop'], { env: env() });
    const key = stdout.trim();
    assert.match(key, /^sk-[A-Za-z0-9_-]{43}$/);
    assert.equal(readFileSync(path.join(dir, 'keys'), 'utf8'), `laptop:${sha256(key)}\n`);
    await assert.rejects(run(script, ['add', 'laptop'], { env: env() }), (err) => err.code === 1);
    await run(script, ['revoke', 'laptop'], { env: env() });
    assert.equal(readFileSync(path.join(dir, 'keys'), 'utf8'), '');
    await assert.rejects(run(script, ['add', 'no spaces'], { env: env() }), (err) => err.code === 2);
  });
});

/** startSecretsManager answers GetSecretValue for one ARN with text(). */
async function startSecretsManager(arn, text) {
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const reply = (status, body) => {
        res.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
        res.end(JSON.stringify(body));
      };
      if (req.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') {
        return reply(400, { __type: 'UnknownOperationException', message: 'unsupported' });
      }
      const { SecretId } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
      if (SecretId !== arn) {
        return reply(400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
      }
      reply(200, { ARN: arn, Name: arn.split(':').at(-1), SecretString: text(), VersionId: '11111111-2222-3333-4444-555555555555', VersionStages: ['AWSCURRENT'], CreatedDate: 1704067200 });
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${server.address().port}`, stop: () => new Promise((r) => server.close(r)) };
}

/** cli pipes the secret through apikey-secret.mjs, as apikey.sh does. */
function cli(args, input) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(repoRoot, 'scripts', 'apikey-secret.mjs'), ...args]);
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`exit ${code}`))));
    child.stdin.end(input);
  });
}

describe('keys made this way work in the gateway', () => {
  const arn = 'arn:aws:secretsmanager:us-east-1:123456789012:secret:chatbot-dev-api-keys-AbCdEf';
  let secret = terraformSecret;
  let build;
  let sm;
  before(async () => {
    build = await buildGateway(repoRoot);
    sm = await startSecretsManager(arn, () => secret);
  });
  after(async () => {
    await sm?.stop();
    build?.cleanup();
  });

  const chat = (url, key) =>
    fetch(`${url}/v1/chat/completions`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` },
      body: JSON.stringify({ model: 'eliza', messages: [{ role: 'user', content: 'Hello' }] }),
    });

  async function gatewayWithSecret() {
    return startGateway(build.bin, {
      API_KEYS_SECRET_ARN: arn,
      AWS_ENDPOINT_URL_SECRETS_MANAGER: sm.url,
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE',
      AWS_SECRET_ACCESS_KEY: 'example',
    });
  }

  test('a key added to the Terraform secret chats and mints a token; revoked, it is refused', async () => {
    // The untouched first version must not stop the gateway from starting.
    let gw = await gatewayWithSecret();
    await gw.stop();

    const key = 'sk-' + randomBytes(32).toString('base64url');
    secret = await cli(['add', 'e2e', sha256(key)], secret);
    gw = await gatewayWithSecret();
    try {
      const res = await chat(gw.url, key);
      assert.equal(res.status, 200, await res.clone().text());
      const minted = await fetch(`${gw.url}/v1/tokens`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${key}` }, body: '{}' });
      assert.equal(minted.status, 200, await minted.clone().text());
      const { token } = await minted.json();
      assert.equal((await chat(gw.url, token)).status, 200);
    } finally {
      await gw.stop();
    }
    secret = await cli(['add', 'other', sha256('sk-' + randomBytes(32).toString('base64url'))], secret);
    secret = await cli(['revoke', 'e2e'], secret);
    gw = await gatewayWithSecret();
    try {
      assert.equal((await chat(gw.url, key)).status, 401);
    } finally {
      await gw.stop();
    }

    // Revoking the last key must leave a secret the gateway still starts with.
    secret = await cli(['revoke', 'other'], secret);
    gw = await gatewayWithSecret();
    await gw.stop();
  });

  test('a key from the local file chats when passed as API_KEY_SHA256S', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'apikey-'));
    try {
      const env = { ...process.env, APIKEY_TARGET: 'local', APIKEY_FILE: path.join(dir, 'keys') };
      const key = (await run(script, ['add', 'one'], { env })).stdout.trim();
      await run(script, ['add', 'two'], { env });
      const list = readFileSync(path.join(dir, 'keys'), 'utf8').trim().split('\n').join(',');
      const gw = await startGateway(build.bin, { API_KEY_SHA256S: list });
      try {
        assert.equal((await chat(gw.url, key)).status, 200);
        assert.equal((await chat(gw.url, 'sk-' + 'x'.repeat(43))).status, 401);
      } finally {
        await gw.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
