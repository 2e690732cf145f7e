// The official OpenAI SDK, unmodified, against the real gateway binary: what
// works here works for any OpenAI client that only changes baseURL.

import assert from "node:assert/strict";
import { createHash, createSign, generateKeyPairSync, randomBytes } from "node:crypto";
import { createServer } from "node:http";
import path from "node:path";
import { after, before, describe, test } from "node:test";
import { fileURLToPath } from "node:url";
import OpenAI, { AuthenticationError, BadRequestError } from "openai";
import { buildGateway, startGateway } from "../../web/e2e/gateway.mjs";
import { runCleanups } from "../../web/e2e/harness.mjs";

const repoRoot = path.resolve(fileURLToPath(new URL(".", import.meta.url)), "..", "..");

let build;
const cleanups = [];

before(async () => {
  build = await buildGateway(repoRoot);
  cleanups.push(build.cleanup);
});

after(() => runCleanups(cleanups));

async function gateway(env) {
  const g = await startGateway(build.bin, env);
  cleanups.push(g.stop);
  return g;
}

/** A client with no retries, so an error surfaces at once and a test cannot hang on backoff. */
function client(url, apiKey = "unused", extra = {}) {
  return new OpenAI({ baseURL: `${url}/v1`, apiKey, maxRetries: 0, timeout: 20_000, ...extra });
}

const messages = [{ role: "user", content: "Hello, I am feeling anxious about my exams" }];

/** Streams a completion and returns the assembled text and the chunks. */
async function streamText(openai, params = {}) {
  const stream = await openai.chat.completions.create({ model: "eliza", messages, stream: true, ...params });
  const chunks = [];
  let text = "";
  for await (const chunk of stream) {
    chunks.push(chunk);
    text += chunk.choices[0]?.delta?.content ?? "";
  }
  return { text, chunks };
}

describe("without auth (local mode)", () => {
  let openai;

  before(async () => {
    const g = await gateway({});
    openai = client(g.url);
  });

  test("non-streaming create returns a chat.completion", async () => {
    const completion = await openai.chat.completions.create({ model: "eliza", messages });
    assert.equal(completion.object, "chat.completion");
    assert.match(completion.id, /^chatcmpl-/);
    assert.equal(typeof completion.created, "number");
    assert.equal(completion.model, "eliza");
    assert.equal(completion.choices.length, 1);
    const choice = completion.choices[0];
    assert.equal(choice.index, 0);
    assert.equal(choice.message.role, "assistant");
    assert.ok(choice.message.content.trim().length > 0, "empty answer");
    assert.ok(["stop", "length"].includes(choice.finish_reason), choice.finish_reason);
    assert.ok(completion.usage.completion_tokens > 0);
    assert.equal(completion.usage.total_tokens, completion.usage.prompt_tokens + completion.usage.completion_tokens);
  });

  test("streaming iteration assembles the same kind of answer", async () => {
    const { text, chunks } = await streamText(openai);
    assert.ok(text.trim().length > 0, "empty answer");
    assert.ok(chunks.length >= 3, `only ${chunks.length} chunks`);
    const ids = new Set(chunks.map((c) => c.id));
    assert.equal(ids.size, 1, "every chunk of one completion has the same id");
    for (const c of chunks) {
      assert.equal(c.object, "chat.completion.chunk");
      assert.equal(c.model, "eliza");
    }
    assert.equal(chunks[0].choices[0].delta.role, "assistant");
    const last = chunks[chunks.length - 1];
    assert.ok(["stop", "length"].includes(last.choices[0].finish_reason));
    assert.equal(last.usage ?? undefined, undefined, "usage only when include_usage is asked for");
  });

  test("include_usage adds a final chunk with usage and no choices", async () => {
    const { text, chunks } = await streamText(openai, { stream_options: { include_usage: true } });
    const last = chunks[chunks.length - 1];
    assert.deepEqual(last.choices, []);
    assert.ok(last.usage, "final chunk has usage");
    assert.ok(last.usage.prompt_tokens > 0);
    assert.ok(last.usage.completion_tokens > 0);
    assert.equal(last.usage.total_tokens, last.usage.prompt_tokens + last.usage.completion_tokens);
    for (const c of chunks.slice(0, -1)) {
      assert.ok(!c.usage, "only the final chunk carries usage");
    }
    assert.ok(text.length > 0);
  });

  test("models list names eliza", async () => {
    const ids = [];
    for await (const model of openai.models.list()) {
      assert.equal(model.object, "model");
      ids.push(model.id);
    }
    assert.ok(ids.includes("eliza"), `models: ${ids}`);
  });

  test("an invalid request raises BadRequestError with the server's message", async () => {
    await assert.rejects(
      openai.chat.completions.create({ model: "eliza", messages: [] }),
      (err) => {
        assert.ok(err instanceof BadRequestError, `got ${err?.constructor?.name}: ${err?.message}`);
        assert.equal(err.status, 400);
        assert.ok(err.error?.message, "the error object has a message");
        return true;
      },
    );
  });

  test("n > 1 raises BadRequestError naming the parameter", async () => {
    await assert.rejects(openai.chat.completions.create({ model: "eliza", messages, n: 2 }), (err) => {
      assert.ok(err instanceof BadRequestError, `got ${err?.constructor?.name}: ${err?.message}`);
      assert.equal(err.param, "n");
      return true;
    });
  });
});

describe("with JWT auth on", () => {
  let url;
  let signer;

  before(async () => {
    const jwks = await startJWKS();
    cleanups.push(jwks.stop);
    signer = jwks;
    const g = await gateway({ OIDC_ISSUER: jwks.url, OIDC_JWKS_URL: `${jwks.url}/jwks.json`, OIDC_AUDIENCE: "sdk-test" });
    url = g.url;
  });

  test("a missing or wrong token raises AuthenticationError", async () => {
    for (const apiKey of ["not-a-token", signer.sign({ aud: "someone-else" })]) {
      await assert.rejects(client(url, apiKey).chat.completions.create({ model: "eliza", messages }), (err) => {
        assert.ok(err instanceof AuthenticationError, `got ${err?.constructor?.name}: ${err?.message}`);
        assert.equal(err.status, 401);
        return true;
      });
    }
  });

  test("a valid JWT streams an answer", async () => {
    const { text } = await streamText(client(url, signer.sign({})));
    assert.ok(text.trim().length > 0);
  });
});

// API keys and minted browser tokens: POST /v1/tokens with an API key returns
// {"token","expires_at","scope"}; the token is accepted like a JWT.
//
// While the gateway does not serve POST /v1/tokens, the token tests run as
// TODO: they report their result without failing the run. Set this to false
// once the route exists.
describe("with API key auth on", () => {
  const apiKey = `sk-${randomBytes(32).toString("base64url")}`;
  let url;

  before(async () => {
    const sha = createHash("sha256").update(apiKey).digest("hex");
    const g = await gateway({
      AUTH_MODE: "apikey",
      API_KEY_SHA256S: `sdk-test:${sha}`,
      TOKEN_SIGNING_KEY: randomBytes(32).toString("hex"),
    });
    url = g.url;
  });

  test("the API key works as the SDK's apiKey", async () => {
    const completion = await client(url, apiKey).chat.completions.create({ model: "eliza", messages });
    assert.ok(completion.choices[0].message.content.length > 0);
    const { text } = await streamText(client(url, apiKey));
    assert.ok(text.length > 0);
  });

  test("a wrong API key raises AuthenticationError", async () => {
    const wrong = `sk-${randomBytes(32).toString("base64url")}`;
    await assert.rejects(client(url, wrong).chat.completions.create({ model: "eliza", messages }), AuthenticationError);
  });

  test("a minted token streams an answer and cannot mint another", async () => {
    const res = await fetch(`${url}/v1/tokens`, {
      method: "POST",
      headers: { Authorization: `Bearer ${apiKey}`, "Content-Type": "application/json" },
      body: JSON.stringify({ ttl_seconds: 120 }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const minted = await res.json();
    assert.equal(typeof minted.token, "string");
    assert.ok(minted.token.length > 0);
    assert.ok(minted.scope, "scope is present");
    const expires = typeof minted.expires_at === "number" ? minted.expires_at * 1000 : Date.parse(minted.expires_at);
    assert.ok(expires > Date.now() && expires <= Date.now() + 130_000, `expires_at ${minted.expires_at}`);

    const { text } = await streamText(client(url, minted.token));
    assert.ok(text.length > 0);

    const again = await fetch(`${url}/v1/tokens`, {
      method: "POST",
      headers: { Authorization: `Bearer ${minted.token}`, "Content-Type": "application/json" },
      body: JSON.stringify({ ttl_seconds: 60 }),
    });
    assert.ok([401, 403].includes(again.status), `a minted token minted again: ${again.status}`);
  });

  test("a tampered minted token raises AuthenticationError", async () => {
    const res = await fetch(`${url}/v1/tokens`, {
      method: "POST",
      headers: { "X-Api-Key": apiKey, "Content-Type": "application/json" },
      body: JSON.stringify({ ttl_seconds: 60 }),
    });
    assert.equal(res.status, 200, await res.clone().text());
    const { token } = await res.json();
    const flipped = token.slice(0, -2) + (token.at(-2) === "A" ? "B" : "A") + token.at(-1);
    await assert.rejects(client(url, flipped).chat.completions.create({ model: "eliza", messages }), AuthenticationError);
  });
});

describe("with the payload hash required (as behind CloudFront OAC)", () => {
  let url;

  before(async () => {
    url = (await gateway({ REQUIRE_CONTENT_SHA256: "true" })).url;
  });

  /** The fetch docs/clients.md shows: it adds x-amz-content-sha256 of the exact body. */
  const hashingFetch = (input, init) => {
    const headers = new Headers(init?.headers);
    const body = typeof init?.body === "string" ? init.body : "";
    headers.set("x-amz-content-sha256", createHash("sha256").update(body).digest("hex"));
    return fetch(input, { ...init, headers });
  };

  test("a plain SDK client is refused with BadRequestError", async () => {
    await assert.rejects(client(url).chat.completions.create({ model: "eliza", messages }), (err) => {
      assert.ok(err instanceof BadRequestError, `got ${err}`);
      assert.equal(err.code, "payload_hash_missing");
      return true;
    });
  });

  test("an SDK client with a hashing fetch streams an answer", async () => {
    const { text } = await streamText(client(url, "unused", { fetch: hashingFetch }));
    assert.ok(text.length > 0);
  });
});

/** Serves a JWKS with a fresh RSA key and signs RS256 tokens with it. */
async function startJWKS() {
  const { publicKey, privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const jwk = { ...publicKey.export({ format: "jwk" }), kid: "sdk", alg: "RS256", use: "sig" };
  const server = createServer((req, res) => {
    if (req.url === "/jwks.json") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  const url = `http://127.0.0.1:${server.address().port}`;
  const b64 = (v) => Buffer.from(JSON.stringify(v)).toString("base64url");
  return {
    url,
    sign(claims) {
      const now = Math.floor(Date.now() / 1000);
      const body = `${b64({ alg: "RS256", typ: "JWT", kid: "sdk" })}.${b64({
        iss: url,
        aud: "sdk-test",
        sub: "user-1",
        iat: now,
        exp: now + 300,
        ...claims,
      })}`;
      const sig = createSign("RSA-SHA256").update(body).sign(privateKey).toString("base64url");
      return `${body}.${sig}`;
    },
    stop: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
