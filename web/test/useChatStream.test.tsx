// @vitest-environment happy-dom

// The conversation hook, rendered with renderHook: what the chat component
// sees as an answer streams, stops, fails and is regenerated, what it keeps
// across a reload, and a refused model list (the key form's cue). Requests
// go to a fetch that answers in the gateway's own SSE format.

import { act, renderHook, waitFor } from "@testing-library/react";
import { readFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { describe, expect, it } from "vitest";
import { useChatStream, type UseChatStreamOptions } from "../src/hooks/useChatStream";
import { STORAGE_KEY, type KeyValueStore } from "../src/chat/storage";
import { byteStream, chunk, fakeFetch, sse } from "./streamHelpers";

const models = () =>
  new Response(JSON.stringify({ object: "list", data: [{ id: "eliza", object: "model", owned_by: "chatbot" }] }), {
    headers: { "Content-Type": "application/json" },
  });
const answer = (...words: string[]) => sse(words.map((w) => chunk({ content: w })).join("") + chunk({}, "stop") + "data: [DONE]\n\n");

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

/**
 * Renders the hook against a fake gateway: /v1/models lists ELIZA (or
 * answers as list says); the nth chat request is answered by chat.
 */
function setup(
  chat: (signal: AbortSignal | undefined, n: number) => Response,
  options: UseChatStreamOptions = {},
  list: () => Response = models,
) {
  const isModels = (c: { url: string }) => c.url.endsWith("/v1/models");
  const g = fakeFetch((signal) => (isModels(g.calls.at(-1)!) ? list() : chat(signal, g.calls.filter((c) => !isModels(c)).length - 1)));
  const storage = options.storage === undefined ? memoryStore() : options.storage;
  const hook = renderHook((props: UseChatStreamOptions) => useChatStream(props), {
    initialProps: { endpoint: "http://gateway.test", fetch: g.fetchImpl, storage, ...options },
  });
  return { ...hook, calls: g.calls, fetchImpl: g.fetchImpl, storage };
}

describe("useChatStream", () => {
  it("lists the models on mount", async () => {
    const { result } = setup(() => answer("hi"));
    await waitFor(() => expect(result.current.models.map((m) => m.id)).toEqual(["eliza"]));
    expect(result.current.modelsError).toBeNull();
  });

  it("a refused model list is an auth error before any message, cleared once listing works", async () => {
    let status = 401;
    const refused = () =>
      status === 401
        ? new Response(JSON.stringify({ error: { message: "missing credential", type: "invalid_request_error", code: "invalid_api_key" } }), {
            status: 401,
            headers: { "Content-Type": "application/json" },
          })
        : models();
    const { result, calls } = setup(() => answer("hi"), {}, refused);
    await waitFor(() => expect(result.current.modelsError?.kind).toBe("auth"));
    expect(result.current.messages).toEqual([]);
    expect(calls.every((c) => c.url.endsWith("/v1/models"))).toBe(true);

    status = 200;
    act(() => result.current.refreshModels());
    await waitFor(() => expect(result.current.modelsError).toBeNull());
    expect(result.current.models.map((m) => m.id)).toEqual(["eliza"]);
  });

  it("streams an answer into a new assistant message, then settles and saves", async () => {
    const { result, calls, storage } = setup(() => answer("What", " is", " your", " mother", " like?"));
    await waitFor(() => expect(result.current.models).toHaveLength(1));
    act(() => result.current.send("  I am worried about my mother  "));
    expect(result.current.streaming).toBe(true);
    expect(result.current.messages.map((m) => [m.role, m.status])).toEqual([
      ["user", "done"],
      ["assistant", "streaming"],
    ]);
    await waitFor(() => expect(result.current.streaming).toBe(false));
    const [user, bot] = result.current.messages;
    expect(user!.content).toBe("I am worried about my mother");
    expect(bot!.content).toBe("What is your mother like?");
    expect(bot!.status).toBe("done");
    expect(bot!.model).toBe("eliza");
    expect(result.current.error).toBeNull();
    const body = JSON.parse(String(calls.at(-1)!.init.body));
    expect(body.messages).toEqual([{ role: "user", content: "I am worried about my mother" }]);
    expect(result.current.conversations).toHaveLength(1);
    expect(result.current.conversations[0]!.title).toBe("I am worried about my mother");
    await waitFor(() => expect(storage!.getItem(STORAGE_KEY) ?? "").toContain("What is your mother like?"));
  });

  it("ignores a blank message and a second send while one streams", async () => {
    const { result, calls } = setup(() => new Response(byteStream([new TextEncoder().encode(chunk({ content: "Hm" }))], { keepOpen: true }), {
      headers: { "Content-Type": "text/event-stream" },
    }));
    act(() => result.current.send("   "));
    expect(result.current.messages).toEqual([]);
    act(() => result.current.send("one"));
    act(() => result.current.send("two"));
    expect(result.current.messages.filter((m) => m.role === "user").map((m) => m.content)).toEqual(["one"]);
    act(() => result.current.stop());
    await waitFor(() => expect(result.current.streaming).toBe(false));
    expect(calls.filter((c) => c.url.endsWith("/v1/chat/completions"))).toHaveLength(1);
  });

  it("stop ends the answer as stopped, keeping what arrived", async () => {
    const { result } = setup(() =>
      new Response(byteStream([new TextEncoder().encode(chunk({ content: "Tell me" }))], { keepOpen: true }), {
        headers: { "Content-Type": "text/event-stream" },
      }),
    );
    act(() => result.current.send("hello"));
    await waitFor(() => expect(result.current.messages[1]!.content).toBe("Tell me"));
    act(() => result.current.stop());
    await waitFor(() => expect(result.current.streaming).toBe(false));
    expect(result.current.messages[1]!.status).toBe("stopped");
    expect(result.current.error).toBeNull();
  });

  it("a refusal is the hook's error and the answer's; regenerate replaces the failed answer", async () => {
    const { result } = setup((_, n) =>
      n === 0
        ? new Response(JSON.stringify({ error: { message: "slow down", type: "rate_limit_error", code: "rate_limit_exceeded" } }), {
            status: 429,
            headers: { "Content-Type": "application/json", "Retry-After": "3" },
          })
        : answer("Better", " now"),
    );
    act(() => result.current.send("hello"));
    await waitFor(() => expect(result.current.error?.kind).toBe("rate_limit"));
    expect(result.current.messages[1]!.status).toBe("error");
    expect(result.current.messages[1]!.error?.kind).toBe("rate_limit");

    act(() => result.current.regenerate());
    await waitFor(() => expect(result.current.messages.at(-1)!.status).toBe("done"));
    expect(result.current.messages.map((m) => m.content)).toEqual(["hello", "Better now"]);
    expect(result.current.error).toBeNull();
  });

  it("keeps conversations across a reload and starts new ones", async () => {
    const storage = memoryStore();
    const first = setup(() => answer("Go", " on"), { storage });
    act(() => first.result.current.send("first question"));
    await waitFor(() => expect(first.result.current.streaming).toBe(false));
    first.unmount();

    const again = setup(() => answer("Yes"), { storage });
    await waitFor(() => expect(again.result.current.messages.map((m) => m.content)).toEqual(["first question", "Go on"]));
    const oldId = again.result.current.currentId;
    act(() => again.result.current.newChat());
    expect(again.result.current.messages).toEqual([]);
    act(() => again.result.current.send("second"));
    await waitFor(() => expect(again.result.current.streaming).toBe(false));
    expect(again.result.current.conversations.map((c) => c.title)).toEqual(["second", "first question"]);
    act(() => again.result.current.selectConversation(oldId));
    expect(again.result.current.messages[0]!.content).toBe("first question");
  });

  it("sends with the options of the latest render", async () => {
    const { result, rerender, calls, fetchImpl, storage } = setup(() => answer("ok"));
    rerender({ endpoint: "http://other.test", fetch: fetchImpl, storage, model: "later-model", systemPrompt: "Be brief." });
    act(() => result.current.send("hello"));
    await waitFor(() => expect(result.current.streaming).toBe(false));
    const last = calls.at(-1)!;
    expect(last.url).toBe("http://other.test/v1/chat/completions");
    const body = JSON.parse(String(last.init.body));
    expect(body.model).toBe("later-model");
    expect(body.messages[0]).toEqual({ role: "system", content: "Be brief." });
  });
});

describe("useChatStream source", () => {
  it("writes no ref during render: .current is assigned only inside callbacks and effects", () => {
    const file = path.join(process.cwd(), "src/hooks/useChatStream.ts"); // vitest runs in web/
    const src = ts.createSourceFile("useChatStream.ts", readFileSync(file, "utf8"), ts.ScriptTarget.Latest, true);
    const hook = src.statements.find((s): s is ts.FunctionDeclaration => ts.isFunctionDeclaration(s) && s.name?.text === "useChatStream");
    expect(hook?.body).toBeDefined();
    const offenders: string[] = [];
    // Only the hook body's own statements run during render; nested functions run later.
    const visit = (node: ts.Node) => {
      if (ts.isFunctionLike(node)) return;
      if (
        ts.isBinaryExpression(node) &&
        node.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
        ts.isPropertyAccessExpression(node.left) &&
        node.left.name.text === "current"
      ) {
        offenders.push(node.getText(src));
      }
      ts.forEachChild(node, visit);
    };
    hook!.body!.statements.forEach(visit);
    expect(offenders).toEqual([]);
  });
});
