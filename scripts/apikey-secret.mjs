// Edits the API key secret's text: adds or removes one key hash and keeps
// everything else (the token signing key above all) as it was.
//
// The gateway reads either {"api_keys": {"name": "sha256hex"},
// "token_signing_key": "..."} or the plain API_KEY_SHA256S list
// "name:sha256hex,..."; the result is always the JSON form.
//
// The signing key stays as it is whatever keys come and go: with no key in
// the secret the gateway simply mints no tokens, and tokens never outlive
// their key (they carry a fingerprint of it).
//
// CLI (used by scripts/apikey.sh; the secret travels on stdin and stdout,
// never on a command line):
//   node scripts/apikey-secret.mjs add NAME SHA256HEX < old > new
//   node scripts/apikey-secret.mjs revoke NAME        < old > new
//   node scripts/apikey-secret.mjs names              < old    (one name a line)
// Exit codes: 0 done, 1 refused (message on stderr), 2 usage.

import { pathToFileURL } from 'node:url';

const NAME = /^[A-Za-z0-9._-]{1,64}$/;
const SHA256 = /^[0-9a-f]{64}$/;

/** parseSecret reads either form into { api_keys, ...rest }. */
export function parseSecret(text) {
  const trimmed = (text ?? '').trim();
  if (trimmed === '') {
    return { api_keys: {} };
  }
  if (!trimmed.startsWith('{')) {
    const api_keys = {};
    for (const item of trimmed.split(',').map((s) => s.trim()).filter(Boolean)) {
      const [name, sum] = item.split(':').map((s) => s.trim());
      api_keys[name] = sum;
    }
    return { api_keys };
  }
  let doc;
  try {
    doc = JSON.parse(trimmed);
  } catch {
    throw new Error('the secret is not valid JSON'); // never echo secret text
  }
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error('the secret is not a JSON object');
  }
  doc.api_keys = doc.api_keys ?? {};
  if (typeof doc.api_keys !== 'object' || Array.isArray(doc.api_keys)) {
    throw new Error('api_keys is not an object');
  }
  return doc;
}

/** editSecret returns the new secret text after op ("add" or "revoke"). */
export function editSecret(text, op, name, sum) {
  if (!NAME.test(name ?? '')) {
    throw new Error(`key name ${JSON.stringify(name)}: want 1-64 letters, digits, '.', '_' or '-'`);
  }
  const doc = parseSecret(text);
  if (op === 'add') {
    if (!SHA256.test(sum ?? '')) {
      throw new Error('want the key\'s SHA-256 as 64 lowercase hex digits, never the key itself');
    }
    if (Object.hasOwn(doc.api_keys, name)) {
      throw new Error(`a key named ${name} exists; revoke it first or choose another name`);
    }
    if (Object.values(doc.api_keys).includes(sum)) {
      throw new Error('this key is already in the secret under another name');
    }
    doc.api_keys[name] = sum;
  } else if (op === 'revoke') {
    if (!Object.hasOwn(doc.api_keys, name)) {
      throw new Error(`no key named ${name}`);
    }
    delete doc.api_keys[name];
  } else {
    throw new Error(`unknown operation ${op}`);
  }
  return JSON.stringify(doc);
}

async function main(argv) {
  const [op, name, sum] = argv;
  if (!['add', 'revoke', 'names'].includes(op)) {
    process.stderr.write('usage: apikey-secret.mjs add NAME SHA256HEX | revoke NAME | names  (secret on stdin)\n');
    return 2;
  }
  const chunks = [];
  for await (const c of process.stdin) {
    chunks.push(c);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    if (op === 'names') {
      const names = Object.keys(parseSecret(text).api_keys).sort();
      process.stdout.write(names.map((n) => n + '\n').join(''));
    } else {
      process.stdout.write(editSecret(text, op, name, sum));
    }
    return 0;
  } catch (err) {
    process.stderr.write(`apikey: ${err.message}\n`);
    return 1;
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.exitCode = await main(process.argv.slice(2));
}
