// Conversations kept in the browser's localStorage across reloads.
//
// The stored value is versioned JSON. Everything read back is checked field
// by field: the store belongs to the page's origin and anything there may be
// old, foreign or edited by hand. The store is bounded in conversations,
// messages and bytes, because localStorage is small (about 5 MB per origin)
// and a full store must not break the chat.

import type { ChatbotErrorKind, LimitKind } from "../api/errors";
import type { ToolCall } from "../api/types";
import { newConversation, titleOf, type Conversation, type MessageStatus, type UIMessage } from "./conversation";

export const STORAGE_KEY = "chatbot.conversations";
export const SCHEMA_VERSION = 1;
export const MAX_CONVERSATIONS = 20;
export const MAX_MESSAGES = 200;
/** Characters of JSON; UTF-16 makes that about twice as many bytes. */
export const MAX_STORED_CHARS = 1_000_000;

/** The part of the Web Storage API used here; tests pass a Map-backed one. */
export type KeyValueStore = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export interface ChatState {
  conversations: Conversation[];
  currentId: string;
}

interface StoredV1 {
  version: 1;
  currentId: string;
  conversations: Conversation[];
}

/** Reads the saved state; a missing, unreadable or unknown one gives a fresh state. */
export function loadState(store: KeyValueStore | undefined, now: number): ChatState {
  const fresh = (): ChatState => {
    const c = newConversation(now);
    return { conversations: [c], currentId: c.id };
  };
  let parsed: unknown;
  try {
    const raw = store?.getItem(STORAGE_KEY);
    if (!raw) {
      return fresh();
    }
    parsed = JSON.parse(raw);
  } catch {
    return fresh();
  }
  const v = parsed as Partial<StoredV1> | null;
  if (typeof v !== "object" || v === null || v.version !== SCHEMA_VERSION || !Array.isArray(v.conversations)) {
    return fresh();
  }
  const conversations = v.conversations
    .map(readConversation)
    .filter((c): c is Conversation => c !== undefined && c.messages.length > 0)
    .slice(0, MAX_CONVERSATIONS);
  const current = conversations.find((c) => c.id === v.currentId);
  if (!current) {
    const c = newConversation(now);
    return { conversations: [c, ...conversations], currentId: c.id };
  }
  return { conversations, currentId: current.id };
}

/**
 * Saves the state, dropping empty conversations, the oldest ones beyond the
 * bounds and, if the current one alone is too large, its oldest messages.
 * Returns false when the browser refused to store even that.
 */
export function saveState(store: KeyValueStore | undefined, state: ChatState): boolean {
  if (!store) {
    return false;
  }
  const current = state.conversations.find((c) => c.id === state.currentId);
  const others = state.conversations
    .filter((c) => c.id !== state.currentId && c.messages.length > 0)
    .sort((a, b) => b.updatedAt - a.updatedAt);
  let kept = [...(current && current.messages.length > 0 ? [settle(current)] : []), ...others.map(settle)];
  kept = kept.slice(0, MAX_CONVERSATIONS);
  for (;;) {
    const json = JSON.stringify({ version: SCHEMA_VERSION, currentId: state.currentId, conversations: kept } satisfies StoredV1);
    if (json.length <= MAX_STORED_CHARS || kept.length === 0) {
      try {
        store.setItem(STORAGE_KEY, json);
        return true;
      } catch {
        // Quota exceeded (other data of this origin): shrink and try again.
        if (kept.length === 0) {
          return false;
        }
      }
    }
    kept = shrink(kept);
  }
}

/** Removes the oldest conversation, or when only one is left, its oldest exchange. */
function shrink(kept: Conversation[]): Conversation[] {
  if (kept.length > 1) {
    return kept.slice(0, -1);
  }
  const only = kept[0];
  if (!only || only.messages.length <= 2) {
    return [];
  }
  return [{ ...only, messages: only.messages.slice(2) }];
}

/** A conversation as stored: bounded, and no answer left "streaming". */
function settle(c: Conversation): Conversation {
  const messages = c.messages.slice(-MAX_MESSAGES).map((m) => (m.status === "streaming" ? { ...m, status: "stopped" as const } : m));
  return { ...c, messages };
}

const STATUSES: readonly MessageStatus[] = ["streaming", "done", "stopped", "error"];
const ERROR_KINDS: readonly ChatbotErrorKind[] = [
  "auth",
  "http",
  "rate_limit",
  "unavailable",
  "stream",
  "truncated",
  "network",
  "callback",
];
const LIMIT_KINDS: readonly LimitKind[] = ["requests_per_minute", "tokens_per_day", "concurrent_streams", "rate_limited", "throttled"];

function readConversation(value: unknown): Conversation | undefined {
  if (typeof value !== "object" || value === null) {
    return undefined;
  }
  const c = value as Record<string, unknown>;
  if (typeof c.id !== "string" || c.id === "" || !Array.isArray(c.messages)) {
    return undefined;
  }
  const messages = c.messages
    .map(readMessage)
    .filter((m): m is UIMessage => m !== undefined)
    .slice(-MAX_MESSAGES);
  return {
    id: c.id,
    title: typeof c.title === "string" ? c.title : titleOf(messages),
    updatedAt: typeof c.updatedAt === "number" && Number.isFinite(c.updatedAt) ? c.updatedAt : 0,
    messages,
  };
}

function readMessage(value: unknown): UIMessage | undefined {
  if (typeof value !== "object" || value === null) {
    return undefined;
  }
  const m = value as Record<string, unknown>;
  if (typeof m.id !== "string" || (m.role !== "user" && m.role !== "assistant") || typeof m.content !== "string") {
    return undefined;
  }
  const status = STATUSES.includes(m.status as MessageStatus) ? (m.status as MessageStatus) : "done";
  const out: UIMessage = { id: m.id, role: m.role, content: m.content, status: status === "streaming" ? "stopped" : status };
  if (typeof m.model === "string") out.model = m.model;
  if (typeof m.reasoning === "string") out.reasoning = m.reasoning;
  if (typeof m.reasoningMs === "number" && Number.isFinite(m.reasoningMs)) out.reasoningMs = m.reasoningMs;
  if (Array.isArray(m.toolCalls)) out.toolCalls = m.toolCalls.filter(isToolCall);
  const e = m.error as Record<string, unknown> | undefined;
  if (typeof e === "object" && e !== null && typeof e.message === "string" && ERROR_KINDS.includes(e.kind as ChatbotErrorKind)) {
    // retryAfter is left behind: "try again in 40 s" is only true when it was said.
    out.error = { kind: e.kind as ChatbotErrorKind, message: e.message };
    if (LIMIT_KINDS.includes(e.limit as LimitKind)) out.error.limit = e.limit as LimitKind;
    if (typeof e.code === "string") out.error.code = e.code;
  }
  return out;
}

function isToolCall(value: unknown): value is ToolCall {
  const t = value as Record<string, unknown> | null;
  return (
    typeof t === "object" &&
    t !== null &&
    typeof t.index === "number" &&
    typeof t.id === "string" &&
    t.type === "function" &&
    typeof t.name === "string" &&
    typeof t.arguments === "string"
  );
}
