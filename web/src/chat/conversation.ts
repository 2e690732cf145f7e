// The chat's data: messages as the page shows them, conversations, and the
// pure operations on them. No React and no storage here, so every rule is
// testable on its own.

import type { ChatMessage, ToolCall } from "../api/types";
import type { ErrorView } from "./errorText";

export type MessageStatus = "streaming" | "done" | "stopped" | "error";

/** A message as shown in the list. */
export interface UIMessage {
  id: string;
  role: "user" | "assistant";
  content: string;
  /** For assistant messages: streaming, done, stopped by the user, or failed. */
  status: MessageStatus;
  /** The model that answered, as reported by the server. */
  model?: string;
  /** Reasoning text the model streamed before its answer. */
  reasoning?: string;
  /** How long the model reasoned, in milliseconds; unset while it still is. */
  reasoningMs?: number;
  /** Tool calls the model made, as streamed. */
  toolCalls?: ToolCall[];
  /** Why a failed answer failed, as shown on it. */
  error?: ErrorView;
}

export interface Conversation {
  id: string;
  /** A short label: the start of the first user message. */
  title: string;
  /** Milliseconds since the epoch of the last change. */
  updatedAt: number;
  messages: UIMessage[];
  /** The gateway's id (conv_…) when the gateway keeps the conversation. */
  remoteId?: string;
  /** When the messages were last read from the gateway (ms since the epoch); unset until opened. */
  loadedAt?: number;
}

/** A random id that is unique enough for messages and conversations. */
export function newId(): string {
  const c = globalThis.crypto;
  if (c && typeof c.randomUUID === "function") {
    return c.randomUUID();
  }
  return `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
}

export function newConversation(now: number): Conversation {
  return { id: newId(), title: "", updatedAt: now, messages: [] };
}

const TITLE_LENGTH = 48;

/** The conversation's label: its first user message, shortened to one line. */
export function titleOf(messages: readonly UIMessage[]): string {
  const first = messages.find((m) => m.role === "user");
  if (!first) {
    return "";
  }
  const line = first.content.replace(/\s+/g, " ").trim();
  return line.length > TITLE_LENGTH ? `${line.slice(0, TITLE_LENGTH - 1)}…` : line;
}

/**
 * The request messages for a history: the system prompt, then every message
 * with text. Failed answers are left out, so a retry does not feed the model
 * its own broken text.
 */
export function toWire(history: readonly UIMessage[], systemPrompt?: string): ChatMessage[] {
  const wire: ChatMessage[] = [];
  if (systemPrompt) {
    wire.push({ role: "system", content: systemPrompt });
  }
  for (const m of history) {
    if (m.status !== "error" && m.content !== "") {
      wire.push({ role: m.role, content: m.content });
    }
  }
  return wire;
}

/**
 * The history to answer again when the last answer is regenerated or
 * retried: everything before that answer. Undefined when the conversation
 * does not end with an answer to a user message.
 */
export function historyForRegenerate(messages: readonly UIMessage[]): UIMessage[] | undefined {
  const last = messages[messages.length - 1];
  if (!last) {
    return undefined;
  }
  const history = last.role === "assistant" ? messages.slice(0, -1) : messages.slice();
  return history[history.length - 1]?.role === "user" ? history : undefined;
}

/** The index of the last user message, or -1. */
export function lastUserIndex(messages: readonly UIMessage[]): number {
  for (let i = messages.length - 1; i >= 0; i--) {
    if (messages[i]?.role === "user") {
      return i;
    }
  }
  return -1;
}

/**
 * The history after editing the last user message: the messages before it,
 * then the new text. Undefined when there is no user message or the text is
 * blank.
 */
export function historyForEdit(messages: readonly UIMessage[], text: string): UIMessage[] | undefined {
  const i = lastUserIndex(messages);
  const content = text.trim();
  const old = messages[i];
  if (!old || content === "") {
    return undefined;
  }
  return [...messages.slice(0, i), { ...old, id: newId(), content }];
}

/**
 * Whole seconds of reasoning as shown to the user ("Thought for 4 s").
 * Without a duration: "Thinking…" while streaming, else "Thoughts" (an
 * answer read back from the gateway, which keeps no duration).
 */
export function reasoningLabel(ms: number | undefined, streaming = true): string {
  if (ms === undefined) {
    return streaming ? "Thinking…" : "Thoughts";
  }
  const s = Math.round(ms / 1000);
  return s < 1 ? "Thought for less than a second" : `Thought for ${s} s`;
}
