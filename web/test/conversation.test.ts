import { describe, expect, it } from "vitest";
import {
  historyForEdit,
  historyForRegenerate,
  reasoningLabel,
  titleOf,
  toWire,
  type Conversation,
  type UIMessage,
} from "../src/chat/conversation";
import {
  MAX_CONVERSATIONS,
  MAX_MESSAGES,
  MAX_STORED_CHARS,
  SCHEMA_VERSION,
  STORAGE_KEY,
  loadState,
  saveState,
  type KeyValueStore,
} from "../src/chat/storage";
import { SESSION_KEY, sessionCredential, sessionTokenProvider } from "../src/auth/sessionKey";

/** A Storage with a size quota, like the browser's. */
class MemoryStore implements KeyValueStore {
  readonly data = new Map<string, string>();
  constructor(readonly quota = Infinity) {}
  getItem(k: string) {
    return this.data.get(k) ?? null;
  }
  setItem(k: string, v: string) {
    if (v.length > this.quota) {
      throw new DOMException("quota", "QuotaExceededError");
    }
    this.data.set(k, v);
  }
  removeItem(k: string) {
    this.data.delete(k);
  }
}

let seq = 0;
const user = (content: string): UIMessage => ({ id: `u${++seq}`, role: "user", content, status: "done" });
const answer = (content: string, status: UIMessage["status"] = "done"): UIMessage => ({
  id: `a${++seq}`,
  role: "assistant",
  content,
  status,
});
const conv = (id: string, updatedAt: number, messages: UIMessage[]): Conversation => ({ id, title: titleOf(messages), updatedAt, messages });

describe("conversation operations", () => {
  const chat = [user("Hi"), answer("Hello"), user("How are you?"), answer("Fine", "stopped")];

  it("regenerates the last answer from the history before it", () => {
    expect(historyForRegenerate(chat)).toEqual(chat.slice(0, 3));
    expect(historyForRegenerate(chat.slice(0, 3))).toEqual(chat.slice(0, 3)); // no answer yet: answer it
    expect(historyForRegenerate([])).toBeUndefined();
    expect(historyForRegenerate([answer("orphan")])).toBeUndefined();
  });

  it("edits the last user message and drops what followed", () => {
    const edited = historyForEdit(chat, "  How old are you?  ")!;
    expect(edited.map((m) => m.content)).toEqual(["Hi", "Hello", "How old are you?"]);
    expect(edited[2]!.id).not.toBe(chat[2]!.id);
    expect(historyForEdit(chat, "   ")).toBeUndefined();
    expect(historyForEdit([answer("x")], "y")).toBeUndefined();
  });

  it("sends no failed or empty answers to the model", () => {
    const history = [user("a"), answer("partial", "error"), user("b"), answer("")];
    expect(toWire(history, "Be brief.")).toEqual([
      { role: "system", content: "Be brief." },
      { role: "user", content: "a" },
      { role: "user", content: "b" },
    ]);
  });

  it("titles a conversation with its first user message on one line", () => {
    expect(titleOf([answer("x"), user("Plan\n  a trip to   Rome")])).toBe("Plan a trip to Rome");
    expect(titleOf([user("x".repeat(100))])).toHaveLength(48);
  });

  it("labels reasoning time in whole seconds", () => {
    expect(reasoningLabel(undefined)).toBe("Thinking…");
    expect(reasoningLabel(200)).toBe("Thought for less than a second");
    expect(reasoningLabel(4_400)).toBe("Thought for 4 s");
  });
});

describe("conversation storage", () => {
  it("round-trips conversations and the current one", () => {
    const store = new MemoryStore();
    const a = conv("a", 1, [user("one"), answer("uno")]);
    const b = conv("b", 2, [user("two"), answer("dos", "error")]);
    b.messages[1]!.error = { kind: "stream", message: "model failed" };
    expect(saveState(store, { conversations: [a, b], currentId: "a" })).toBe(true);
    const loaded = loadState(store, 99);
    expect(loaded.currentId).toBe("a");
    expect(loaded.conversations.map((c) => c.id).sort()).toEqual(["a", "b"]);
    expect(loaded.conversations.find((c) => c.id === "b")).toEqual(b);
    expect(JSON.parse(store.getItem(STORAGE_KEY)!).version).toBe(SCHEMA_VERSION);
  });

  it("stores an answer cut by a reload as stopped, never as streaming", () => {
    const store = new MemoryStore();
    saveState(store, { conversations: [conv("a", 1, [user("q"), answer("half", "streaming")])], currentId: "a" });
    expect(loadState(store, 0).conversations[0]!.messages[1]!.status).toBe("stopped");
  });

  it("starts fresh on missing, corrupt, foreign or future data", () => {
    for (const raw of [null, "not json", "[]", '{"version":2,"currentId":"a","conversations":[]}', '{"version":1}']) {
      const store = new MemoryStore();
      if (raw !== null) store.setItem(STORAGE_KEY, raw);
      const s = loadState(store, 5);
      expect(s.conversations).toHaveLength(1);
      expect(s.conversations[0]!.messages).toEqual([]);
      expect(s.currentId).toBe(s.conversations[0]!.id);
    }
    expect(loadState(undefined, 0).conversations).toHaveLength(1);
  });

  it("drops malformed messages and fields but keeps the rest", () => {
    const store = new MemoryStore();
    store.setItem(
      STORAGE_KEY,
      JSON.stringify({
        version: 1,
        currentId: "a",
        conversations: [
          {
            id: "a",
            title: 7,
            updatedAt: "x",
            messages: [
              { id: "1", role: "user", content: "ok", status: "done" },
              { id: "2", role: "system", content: "injected", status: "done" },
              { id: "3", role: "assistant", content: 5 },
              { id: "4", role: "assistant", content: "fine", status: "weird", model: 1, toolCalls: [{ bad: true }], error: { kind: "nope", message: "x" } },
            ],
          },
          { id: "", messages: [] },
          "junk",
        ],
      }),
    );
    const s = loadState(store, 0);
    expect(s.conversations).toHaveLength(1);
    expect(s.conversations[0]).toEqual({
      id: "a",
      title: "ok",
      updatedAt: 0,
      messages: [
        { id: "1", role: "user", content: "ok", status: "done" },
        { id: "4", role: "assistant", content: "fine", status: "done", toolCalls: [] },
      ],
    });
  });

  it("keeps at most MAX_CONVERSATIONS, dropping the oldest, and never empty ones", () => {
    const store = new MemoryStore();
    const many = Array.from({ length: MAX_CONVERSATIONS + 5 }, (_, i) => conv(`c${i}`, i, [user(`q${i}`)]));
    const empty = conv("empty", 1000, []);
    saveState(store, { conversations: [...many, empty], currentId: "c0" });
    const s = loadState(store, 0);
    const ids = s.conversations.map((c) => c.id);
    expect(ids).toHaveLength(MAX_CONVERSATIONS);
    expect(ids).toContain("c0"); // the current one survives though it is the oldest
    expect(ids).toContain(`c${MAX_CONVERSATIONS + 4}`);
    expect(ids).not.toContain("c1");
    expect(ids).not.toContain("empty");
  });

  it("keeps at most MAX_MESSAGES per conversation, the newest", () => {
    const store = new MemoryStore();
    const long = Array.from({ length: MAX_MESSAGES + 10 }, (_, i) => (i % 2 ? answer(`a${i}`) : user(`q${i}`)));
    saveState(store, { conversations: [conv("a", 1, long)], currentId: "a" });
    const kept = loadState(store, 0).conversations[0]!.messages;
    expect(kept).toHaveLength(MAX_MESSAGES);
    expect(kept[kept.length - 1]!.content).toBe(`a${MAX_MESSAGES + 9}`);
  });

  it("stays under MAX_STORED_CHARS by dropping old conversations, then old messages", () => {
    const store = new MemoryStore();
    const big = (id: string, t: number) => conv(id, t, [user("x".repeat(MAX_STORED_CHARS / 3)), answer("y")]);
    saveState(store, { conversations: [big("old", 1), big("mid", 2), big("cur", 3)], currentId: "cur" });
    expect(store.getItem(STORAGE_KEY)!.length).toBeLessThanOrEqual(MAX_STORED_CHARS);
    expect(loadState(store, 0).conversations.map((c) => c.id)).toEqual(["cur", "mid"]);

    const huge = conv("h", 1, [user("x".repeat(MAX_STORED_CHARS)), answer("a"), user("recent"), answer("b")]);
    saveState(store, { conversations: [huge], currentId: "h" });
    expect(loadState(store, 0).conversations[0]!.messages.map((m) => m.content)).toEqual(["recent", "b"]);
  });

  it("shrinks further when the browser's quota is smaller, and reports total refusal", () => {
    const store = new MemoryStore(3_000);
    const c = conv("a", 1, [user("x".repeat(4_000)), answer("a"), user("small"), answer("b")]);
    expect(saveState(store, { conversations: [c], currentId: "a" })).toBe(true);
    expect(loadState(store, 0).conversations[0]!.messages).toHaveLength(2);
    expect(saveState(new MemoryStore(10), { conversations: [c], currentId: "a" })).toBe(false);
  });
});

describe("tab credential", () => {
  it("keeps a pasted key, without a Bearer prefix, and sends it before the fallback", async () => {
    const store = new MemoryStore();
    const cred = sessionCredential(store);
    const provider = sessionTokenProvider(cred, { getToken: async () => "cognito" });
    expect(await provider.getToken()).toBe("cognito");
    expect(cred.set("  Bearer sk-abc_123  ")).toBe(true);
    expect(store.getItem(SESSION_KEY)).toBe("sk-abc_123");
    expect(await provider.getToken()).toBe("sk-abc_123");
    cred.clear();
    expect(cred.get()).toBeUndefined();
  });

  it("refuses text that cannot be a credential", () => {
    const cred = sessionCredential(new MemoryStore());
    for (const bad of ["", "   ", "two words", "line\nbreak", "x".repeat(9000), "ctl\u0001"]) {
      expect(cred.set(bad), JSON.stringify(bad)).toBe(false);
    }
    expect(sessionCredential(undefined).set("sk-x")).toBe(false);
  });
});
