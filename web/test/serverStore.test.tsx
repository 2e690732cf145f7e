// @vitest-environment happy-dom

// Conversations kept by the gateway: how stored items read as messages,
// which items Regenerate and Edit replace, how the server's list merges with
// the page's, and the hook choosing the store — the gateway's when it lists
// conversations, localStorage as before when it answers 404.

import { act, renderHook, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import type { ConversationItem } from "../src/api/conversationsApi";
import { reasoningLabel, type Conversation } from "../src/chat/conversation";
import { itemsToMessages, itemsToResend, mergeList } from "../src/chat/serverStore";
import { STORAGE_KEY, type KeyValueStore } from "../src/chat/storage";
import { useChatStream, type UseChatStreamOptions } from "../src/hooks/useChatStream";
import { fakeStore } from "./responsesHelpers";
import { chunk, fakeFetch, sse } from "./streamHelpers";

const user = (id: string, text: string): ConversationItem => ({ type: "message", id, role: "user", status: "completed", content: [{ type: "input_text", text }] });
const assistant = (id: string, text: string, status = "completed"): ConversationItem => ({
  type: "message",
  id,
  role: "assistant",
  status,
  content: [{ type: "output_text", text }],
});

describe("itemsToMessages", () => {
  it("a user message, then one answer from reasoning, calls and text", () => {
    const items: ConversationItem[] = [
      user("msg_1", "Weather in Paris?"),
      { type: "reasoning", id: "rs_1", summary: [{ type: "summary_text", text: "Needs the tool." }], encrypted_content: "x" },
      { type: "function_call", id: "fc_1", call_id: "call_1", name: "weather", arguments: '{"city":"Paris"}', status: "completed" },
      { type: "function_call_output", id: "fco_1", call_id: "call_1", output: "sunny" },
      assistant("msg_2", "It is sunny."),
      user("msg_3", "Thanks"),
      assistant("msg_4", "You're", "incomplete"),
    ];
    expect(itemsToMessages(items)).toEqual([
      { id: "msg_1", role: "user", content: "Weather in Paris?", status: "done" },
      {
        id: "rs_1",
        role: "assistant",
        content: "It is sunny.",
        status: "done",
        reasoning: "Needs the tool.",
        toolCalls: [{ index: 0, id: "call_1", type: "function", name: "weather", arguments: '{"city":"Paris"}' }],
      },
      { id: "msg_3", role: "user", content: "Thanks", status: "done" },
      { id: "msg_4", role: "assistant", content: "You're", status: "stopped" },
    ]);
  });

  it("reasoning read back has no duration: labelled as thoughts, not as still thinking", () => {
    const [, answer] = itemsToMessages([user("u", "hi"), { type: "reasoning", id: "r", summary: [{ type: "summary_text", text: "Hm." }] }, assistant("a", "Hello")]);
    expect(reasoningLabel(answer!.reasoningMs, answer!.status === "streaming")).toBe("Thoughts");
    expect(reasoningLabel(undefined)).toBe("Thinking…");
  });

  it("skips instructions and unknown items", () => {
    const items = [{ type: "message", id: "s", role: "system", content: "Be brief." }, { type: "web_search_call", id: "w" }, user("u", "hi")] as ConversationItem[];
    expect(itemsToMessages(items).map((m) => m.id)).toEqual(["u"]);
  });
});

describe("itemsToResend", () => {
  const items = [user("u1", "a"), assistant("a1", "A"), user("u2", "b"), { type: "reasoning", id: "r2" } as ConversationItem, assistant("a2", "B")];
  const cases = [
    { name: "the last exchange when the page shows as many user messages", users: 2, want: ["u2", "r2", "a2"] },
    { name: "nothing when the failed exchange was never stored", users: 3, want: [] },
    { name: "from the first exchange", users: 1, want: ["u1", "a1", "u2", "r2", "a2"] },
    { name: "nothing without a user message", users: 0, want: [] },
  ];
  for (const tc of cases) {
    it(tc.name, () => expect(itemsToResend(items, tc.users)).toEqual(tc.want));
  }
});

describe("mergeList", () => {
  const held: Conversation[] = [
    { id: "local", title: "", updatedAt: 0, messages: [] },
    { id: "conv_1", remoteId: "conv_1", title: "One", updatedAt: 1000, messages: [{ id: "m", role: "user", content: "hi", status: "done" }] },
    { id: "conv_gone", remoteId: "conv_gone", title: "Gone", updatedAt: 1000, messages: [] },
  ];
  const s = (id: string, updated: number, title = id) => ({ id, object: "conversation" as const, created_at: 1, updated_at: updated, title, metadata: {} });

  it("follows the server: new ones in, deleted ones out, loaded messages kept, the unsaved current first", () => {
    const merged = mergeList(held, [s("conv_2", 9), s("conv_1", 5, "Renamed")], "local");
    expect(merged.map((c) => [c.id, c.title, c.messages.length, c.updatedAt])).toEqual([
      ["local", "", 0, 0],
      ["conv_2", "conv_2", 0, 9000],
      ["conv_1", "Renamed", 1, 5000],
    ]);
  });

  it("an unsaved conversation that is not current is dropped", () => {
    expect(mergeList(held, [], "conv_1").map((c) => c.id)).toEqual([]);
  });
});

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return { data, getItem: (k) => data.get(k) ?? null, setItem: (k, v) => void data.set(k, v), removeItem: (k) => void data.delete(k) };
}

function renderChat(fetchImpl: typeof fetch, storage = memoryStore(), extra: UseChatStreamOptions = {}) {
  const hook = renderHook(() => useChatStream({ endpoint: "http://gw.test", fetch: fetchImpl, storage, serverConversations: true, ...extra }));
  return { ...hook, storage };
}

describe("useChatStream with serverConversations", () => {
  it("without a store (404) keeps conversations in localStorage as before", async () => {
    const storage = memoryStore();
    storage.setItem(
      STORAGE_KEY,
      JSON.stringify({ version: 1, currentId: "c1", conversations: [{ id: "c1", title: "Kept", updatedAt: 1, messages: [{ id: "m1", role: "user", content: "Kept", status: "done" }] }] }),
    );
    const g = fakeFetch(() => {
      const url = g.calls.at(-1)!.url;
      if (url.includes("/v1/conversations")) return new Response(JSON.stringify({ error: { message: "no store", code: "not_found" } }), { status: 404 });
      if (url.endsWith("/v1/models")) return new Response(JSON.stringify({ object: "list", data: [] }));
      return sse(chunk({ content: "Hello" }) + chunk({}, "stop") + "data: [DONE]\n\n");
    });
    const { result } = renderChat(g.fetchImpl, storage);
    expect(result.current.store).toBe("pending");
    await waitFor(() => expect(result.current.store).toBe("local"));
    expect(result.current.messages.map((m) => m.content)).toEqual(["Kept"]);
    act(() => result.current.send("Next"));
    await waitFor(() => expect(result.current.streaming).toBe(false));
    expect(g.calls.filter((c) => c.url.endsWith("/v1/chat/completions"))).toHaveLength(1);
    expect(g.calls.some((c) => c.url.endsWith("/v1/responses"))).toBe(false);
    await waitFor(() => expect(storage.getItem(STORAGE_KEY) ?? "").toContain("Hello"));
  });

  it("a refusal on load (no key yet) keeps localStorage until the models are listed again, then uses the store", async () => {
    const gw = fakeStore();
    let refuse = true;
    const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) =>
      refuse
        ? new Response(JSON.stringify({ error: { message: "missing credential", code: "invalid_api_key" } }), { status: 401 })
        : gw.fetchImpl(input, init)) as typeof fetch;
    const { result } = renderChat(fetchImpl);
    await waitFor(() => expect(result.current.store).toBe("local"));
    expect(result.current.modelsError?.kind).toBe("auth");
    refuse = false;
    act(() => result.current.refreshModels());
    await waitFor(() => expect(result.current.store).toBe("server"));
    act(() => result.current.send("Now with a key"));
    await waitFor(() => expect(result.current.streaming).toBe(false));
    expect(gw.conversations.get("conv_1")!.items).toHaveLength(2);
  });

  it("with a store: creates the conversation, sends only the new message, and nothing goes to localStorage", async () => {
    const gw = fakeStore();
    const { result, storage } = renderChat(gw.fetchImpl);
    await waitFor(() => expect(result.current.store).toBe("server"));
    act(() => result.current.send("I am worried"));
    await waitFor(() => expect(result.current.streaming).toBe(false));
    expect(result.current.messages.map((m) => [m.role, m.content, m.status])).toEqual([
      ["user", "I am worried", "done"],
      ["assistant", "You said I am worried", "done"],
    ]);
    act(() => result.current.send("Still"));
    await waitFor(() => expect(result.current.messages).toHaveLength(4));
    await waitFor(() => expect(result.current.streaming).toBe(false));
    const posts = gw.requests.filter((r) => r.method === "POST");
    expect(posts.map((r) => [r.url, r.body])).toEqual([
      ["/v1/conversations", { title: "I am worried" }],
      ["/v1/responses", { input: "I am worried", conversation: "conv_1", stream: true }],
      ["/v1/responses", { input: "Still", conversation: "conv_1", stream: true }],
    ]);
    expect(result.current.conversations.map((c) => c.remoteId)).toEqual(["conv_1"]);
    expect(storage.data.size).toBe(0);
  });

  it("opens a conversation kept by another browser and continues it; regenerate replaces the stored answer", async () => {
    const gw = fakeStore();
    const other = renderChat(gw.fetchImpl);
    await waitFor(() => expect(other.result.current.store).toBe("server"));
    act(() => other.result.current.send("From the laptop"));
    await waitFor(() => expect(other.result.current.streaming).toBe(false));

    const { result } = renderChat(gw.fetchImpl);
    await waitFor(() => expect(result.current.conversations.map((c) => c.title)).toEqual(["From the laptop"]));
    act(() => result.current.selectConversation("conv_1"));
    await waitFor(() => expect(result.current.messages.map((m) => m.content)).toEqual(["From the laptop", "You said From the laptop"]));
    act(() => result.current.send("On the phone"));
    await waitFor(() => expect(result.current.messages).toHaveLength(4));
    await waitFor(() => expect(result.current.streaming).toBe(false));
    expect(gw.conversations.get("conv_1")!.items).toHaveLength(4);

    act(() => result.current.regenerate());
    await waitFor(() => expect(result.current.streaming).toBe(false));
    const stored = gw.conversations.get("conv_1")!.items.map((i) => (i.content as Array<{ text: string }>)[0]!.text);
    expect(stored).toEqual(["From the laptop", "You said From the laptop", "On the phone", "You said On the phone"]);
    expect(gw.requests.filter((r) => r.method === "DELETE").map((r) => r.url)).toHaveLength(2);

    // The first browser sees the new exchange when it comes back into view.
    act(() => {
      other.result.current.selectConversation(other.result.current.currentId);
      window.dispatchEvent(new Event("focus"));
    });
    await waitFor(() => expect(other.result.current.messages).toHaveLength(4));
  });

  it("rename, delete and delete all go to the gateway; a conversation deleted elsewhere leaves on focus", async () => {
    const gw = fakeStore();
    const { result } = renderChat(gw.fetchImpl);
    await waitFor(() => expect(result.current.store).toBe("server"));
    for (const text of ["first", "second"]) {
      act(() => result.current.newChat());
      act(() => result.current.send(text));
      await waitFor(() => expect(result.current.streaming).toBe(false));
    }
    const [second, first] = result.current.conversations;
    act(() => result.current.renameConversation(first!.id, "  Renamed   one "));
    await waitFor(() => expect(gw.conversations.get(first!.remoteId!)!.title).toBe("Renamed one"));
    expect(result.current.conversations.find((c) => c.id === first!.id)!.title).toBe("Renamed one");

    act(() => result.current.deleteConversation(second!.id));
    await waitFor(() => expect(result.current.conversations.map((c) => c.id)).toEqual([first!.id]));
    expect(gw.conversations.has(second!.remoteId!)).toBe(false);
    expect(result.current.messages).toEqual([]); // it was open: a new conversation took its place

    gw.conversations.delete(first!.remoteId!); // deleted in another browser
    act(() => void window.dispatchEvent(new Event("focus")));
    await waitFor(() => expect(result.current.conversations).toEqual([]));

    act(() => result.current.send("third"));
    await waitFor(() => expect(result.current.streaming).toBe(false));
    act(() => result.current.deleteAllConversations());
    await waitFor(() => expect(result.current.conversations).toEqual([]));
    expect(gw.conversations.size).toBe(0);
    expect(gw.requests.at(-1)).toMatchObject({ method: "DELETE", url: "/v1/conversations" });
    expect(result.current.storeError).toBeNull();
  });
});
