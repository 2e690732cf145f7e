// Conversations kept by the gateway (its Conversations API) instead of the
// browser's localStorage: which store the page uses, how stored items read
// as messages, how the list from the server merges with what the page
// holds, and how an answer is sent — only the new message, with the
// conversation's id; the gateway appends the input and the answer itself.

import {
  createConversation,
  deleteAllConversations,
  deleteConversation,
  deleteItem,
  listConversations,
  listItems,
  updateConversation,
  type ClientOptions,
  type ContentPart,
  type ConversationItem,
  type ServerConversation,
} from "../api/conversationsApi";
import { ChatbotError } from "../api/errors";
import type { StreamResult } from "../api/chatbotApi";
import { streamResponse, type ResponsesCallbacks, type ResponsesOptions, type ResponsesRequest } from "../api/responsesStream";
import type { ToolCall } from "../api/types";
import { newConversation, titleOf, type Conversation, type UIMessage } from "./conversation";

/** Which store holds the conversations: not known yet, localStorage, or the gateway. */
export type StoreKind = "pending" | "local" | "server";

/** A listed conversation as the page holds it: messages load when it is opened. */
export function fromServer(c: ServerConversation): Conversation {
  return { id: c.id, remoteId: c.id, title: c.title, updatedAt: c.updated_at * 1000, messages: [] };
}

/**
 * The page's conversations after the server listed them: the server's, in
 * its order, keeping the messages already loaded; the current conversation
 * stays when it is not stored yet. A stored conversation the server no
 * longer lists was deleted elsewhere and goes.
 */
export function mergeList(held: readonly Conversation[], list: readonly ServerConversation[], currentId: string): Conversation[] {
  const byRemote = new Map(held.filter((c) => c.remoteId).map((c) => [c.remoteId!, c]));
  const merged = list.map((s) => {
    const have = byRemote.get(s.id);
    return have ? { ...have, title: s.title || have.title, updatedAt: Math.max(have.updatedAt, s.updated_at * 1000) } : fromServer(s);
  });
  const current = held.find((c) => c.id === currentId);
  if (current && !current.remoteId) merged.unshift(current);
  return merged;
}

/** True when the server changed a conversation after the page last read it. */
export function changedSince(held: Conversation | undefined, list: readonly ServerConversation[]): boolean {
  if (!held?.remoteId || held.loadedAt === undefined) return false;
  const s = list.find((c) => c.id === held.remoteId);
  return s !== undefined && s.updated_at * 1000 > held.loadedAt;
}

const textOf = (content: ContentPart[] | string | undefined): string =>
  typeof content === "string" ? content : (content ?? []).map((p) => (typeof p.text === "string" ? p.text : "")).join("");

/**
 * Stored items as the page's messages: each user message, then one answer
 * made of everything up to the next user message (reasoning summaries,
 * function calls, the assistant's text). Instructions are not shown.
 */
export function itemsToMessages(items: readonly ConversationItem[]): UIMessage[] {
  const out: UIMessage[] = [];
  let answer: UIMessage | undefined;
  const open = (id: string): UIMessage => {
    if (!answer) {
      answer = { id, role: "assistant", content: "", status: "done" };
      out.push(answer);
    }
    return answer;
  };
  for (const item of items) {
    if (item.type === "message") {
      const m = item as Extract<ConversationItem, { type: "message" }>;
      if (m.role === "user") {
        answer = undefined;
        out.push({ id: m.id, role: "user", content: textOf(m.content), status: "done" });
      } else if (m.role === "assistant") {
        const a = open(m.id);
        a.content += textOf(m.content);
        if (m.status === "incomplete") a.status = "stopped";
      }
    } else if (item.type === "reasoning") {
      const r = item as Extract<ConversationItem, { type: "reasoning" }>;
      const text = textOf(r.summary);
      if (text !== "") {
        const a = open(r.id);
        a.reasoning = (a.reasoning ?? "") + text;
      }
    } else if (item.type === "function_call") {
      const f = item as Extract<ConversationItem, { type: "function_call" }>;
      const a = open(f.id);
      const calls: ToolCall[] = a.toolCalls ?? [];
      calls.push({ index: calls.length, id: f.call_id, type: "function", name: f.name, arguments: f.arguments });
      a.toolCalls = calls;
    }
    // function_call_output and unknown items are the model's inputs, not shown.
  }
  return out;
}

/**
 * The ids of the stored items to delete before the last user message is
 * sent again (Regenerate, Retry, Edit): that message and everything after
 * it. userMessages is how many user messages the page shows; when the
 * server holds fewer (the failed exchange was never stored), nothing is
 * deleted, so an earlier exchange is never lost.
 */
export function itemsToResend(items: readonly ConversationItem[], userMessages: number): string[] {
  const userAt = items.flatMap((item, i) => (item.type === "message" && (item as { role?: string }).role === "user" ? [i] : []));
  if (userMessages < 1 || userAt.length < userMessages) return [];
  return items.slice(userAt[userMessages - 1]).map((item) => item.id);
}

/** What the page needs to send one answer through the gateway's store. */
export interface ServerSend {
  /** The conversation as the page holds it; without remoteId it is created first. */
  conversation: Conversation;
  /** The history to answer: ends with the user message to send. */
  history: readonly UIMessage[];
  /** Regenerate, Retry or Edit: the stored last exchange is replaced. */
  resend: boolean;
  /** Fields of the request besides the input and the conversation. */
  request: Omit<ResponsesRequest, "input" | "conversation">;
  /** Called once the conversation exists on the server. */
  onCreated: (remote: ServerConversation) => void;
}

/**
 * Sends the last user message of history as a Responses request continuing
 * the stored conversation. The same contract as streamResponse: exactly one
 * of onComplete or onError, never rejects; a failure before the answer
 * (creating the conversation, deleting the replaced exchange) is onError.
 */
export async function sendThroughServer(
  send: ServerSend,
  callbacks: ResponsesCallbacks,
  options: ClientOptions & Pick<ResponsesOptions, "resumeDelaysMs">,
): Promise<StreamResult | ChatbotError> {
  const fail = (error: ChatbotError) => {
    callbacks.onError?.(error);
    return error;
  };
  const aborted = () => {
    const result: StreamResult = { status: "aborted", text: "", reasoning: "", toolCalls: [], finishReason: null, model: undefined, id: undefined, usage: undefined };
    callbacks.onComplete?.(result);
    return result;
  };
  const last = send.history[send.history.length - 1];
  if (!last || last.role !== "user") return fail(new ChatbotError("callback", "There is no message to send."));

  let remoteId = send.conversation.remoteId;
  if (!remoteId) {
    const created = await createConversation({ title: titleOf(send.history) }, options);
    if (created instanceof ChatbotError) return options.signal?.aborted ? aborted() : fail(created);
    remoteId = created.id;
    send.onCreated(created);
  } else if (send.resend) {
    const items = await listItems(remoteId, options);
    if (items instanceof ChatbotError) return options.signal?.aborted ? aborted() : fail(items);
    const userMessages = send.history.filter((m) => m.role === "user").length;
    // Newest first: a failure part-way leaves a shorter, still ordered conversation.
    for (const id of itemsToResend(items, userMessages).reverse()) {
      const r = await deleteItem(remoteId, id, options);
      if (r instanceof ChatbotError) return options.signal?.aborted ? aborted() : fail(r);
    }
  }
  if (options.signal?.aborted) return aborted();
  return streamResponse({ ...send.request, input: last.content, conversation: remoteId }, callbacks, options);
}

/** The Responses request fields that match the chat request's model, system prompt and options. */
export function responsesFields(
  model: string | undefined,
  systemPrompt: string | undefined,
  options: { max_tokens?: number; max_completion_tokens?: number; temperature?: number; top_p?: number } = {},
): ServerSend["request"] {
  return {
    model,
    instructions: systemPrompt || undefined,
    max_output_tokens: options.max_completion_tokens ?? options.max_tokens,
    temperature: options.temperature,
    top_p: options.top_p,
  };
}

/** The server operations the page offers besides sending. */
export const serverOps = {
  list: listConversations,
  open: async (remoteId: string, options: ClientOptions): Promise<UIMessage[] | ChatbotError> => {
    const items = await listItems(remoteId, options);
    return items instanceof ChatbotError ? items : itemsToMessages(items);
  },
  rename: (remoteId: string, title: string, options: ClientOptions) => updateConversation(remoteId, { title }, options),
  remove: deleteConversation,
  removeAll: deleteAllConversations,
};

/** A fresh state for the server store: a new, unsaved conversation first, then the listed ones. */
export function serverState(list: readonly ServerConversation[], now: number): { conversations: Conversation[]; currentId: string } {
  const c = newConversation(now);
  return { conversations: [c, ...list.map(fromServer)], currentId: c.id };
}
