// Responses streams in the gateway's wire format (event: line, then a data:
// line with the event's JSON, as internal/responses encodes them), and an
// in-memory stand-in for the gateway's Conversations API for the hook tests.

import { sse } from "./streamHelpers";

let seq = 0;
/** One event as the gateway writes it. */
export const event = (type: string, fields: Record<string, unknown> = {}) =>
  `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: seq++, ...fields })}\n\n`;

const envelope = (status: string, extra: Record<string, unknown> = {}) => ({
  id: "resp_1",
  object: "response",
  created_at: 1,
  status,
  model: "eliza",
  output: [],
  ...extra,
});

export const created = () => event("response.created", { response: envelope("in_progress") }) + event("response.in_progress", { response: envelope("in_progress") });
export const textDelta = (delta: string, itemId = "msg_1") =>
  event("response.output_text.delta", { item_id: itemId, output_index: 0, content_index: 0, logprobs: [], delta });
export const reasoningDelta = (delta: string) => event("response.reasoning_summary_text.delta", { item_id: "rs_1", output_index: 0, summary_index: 0, delta });
export const messageAdded = (itemId = "msg_1") =>
  event("response.output_item.added", { output_index: 0, item: { type: "message", id: itemId, role: "assistant", status: "in_progress", content: [] } });
export const callAdded = (id: string, callId: string, name: string) =>
  event("response.output_item.added", { output_index: 1, item: { type: "function_call", id, call_id: callId, name, arguments: "", status: "in_progress" } });
export const argsDelta = (id: string, delta: string) => event("response.function_call_arguments.delta", { item_id: id, output_index: 1, delta });
export const callDone = (id: string, callId: string, name: string, args: string) =>
  event("response.output_item.done", { output_index: 1, item: { type: "function_call", id, call_id: callId, name, arguments: args, status: "completed" } });
export const completed = () =>
  event("response.completed", { response: envelope("completed", { usage: { input_tokens: 5, output_tokens: 3, total_tokens: 8 } }) });
export const incomplete = (reason: string) => event("response.incomplete", { response: envelope("incomplete", { incomplete_details: { reason } }) });
export const failed = (code: string, message: string) => event("response.failed", { response: envelope("failed", { error: { code, message } }) });

/** A whole answer: created, one message with the words, completed. */
export const answerStream = (...words: string[]) => created() + messageAdded() + words.map((w) => textDelta(w)).join("") + completed();

const json = (value: unknown, status = 200) => new Response(JSON.stringify(value), { status, headers: { "Content-Type": "application/json" } });
const notFound = (message: string) => json({ error: { message, type: "not_found_error", param: null, code: "not_found" } }, 404);

interface StoredConversation {
  id: string;
  title: string;
  created_at: number;
  updated_at: number;
  items: Array<Record<string, unknown> & { id: string }>;
}

/**
 * The gateway's conversation store as the page sees it, in memory: lists
 * newest change first with pagination, items in order, and a Responses
 * request that appends its input and an answer (answer(input) words).
 */
export function fakeStore(answer: (input: string) => string[] = (input) => [`You said `, input]) {
  const conversations = new Map<string, StoredConversation>();
  let next = 1;
  let clock = 1000;
  const requests: Array<{ method: string; url: string; body: unknown }> = [];
  const view = (c: StoredConversation) => ({ id: c.id, object: "conversation", created_at: c.created_at, updated_at: c.updated_at, title: c.title, metadata: {} });
  const page = <T extends { id: string }>(all: T[], url: URL) => {
    const limit = Number(url.searchParams.get("limit") ?? 20);
    const after = url.searchParams.get("after");
    const start = after ? all.findIndex((x) => x.id === after) + 1 : 0;
    const data = all.slice(start, start + limit);
    return { object: "list", data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: start + limit < all.length };
  };
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input));
    const method = init?.method ?? "GET";
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    requests.push({ method, url: url.pathname + url.search, body });
    const path = url.pathname;
    if (path === "/v1/models") return json({ object: "list", data: [{ id: "eliza", object: "model" }] });
    if (path === "/v1/conversations") {
      if (method === "GET") {
        const all = [...conversations.values()].sort((a, b) => b.updated_at - a.updated_at).map(view);
        return json(page(all, url));
      }
      if (method === "DELETE") {
        conversations.clear();
        return json({ object: "conversation.deleted_all", deleted: true });
      }
      const c = { id: `conv_${next++}`, title: body?.title ?? "", created_at: clock, updated_at: clock++, items: [] };
      conversations.set(c.id, c);
      return json(view(c));
    }
    const m = path.match(/^\/v1\/conversations\/([^/]+)(?:\/items(?:\/([^/]+))?)?$/);
    if (m) {
      const c = conversations.get(decodeURIComponent(m[1]!));
      if (!c) return notFound("no such conversation");
      if (path.endsWith("/items")) return json(page(c.items, url));
      if (m[2]) {
        c.items = c.items.filter((i) => i.id !== decodeURIComponent(m[2]!));
        c.updated_at = clock++;
        return json(view(c));
      }
      if (method === "DELETE") {
        conversations.delete(c.id);
        return json({ id: c.id, object: "conversation.deleted", deleted: true });
      }
      if (method === "POST") {
        c.title = body?.title ?? c.title;
        c.updated_at = clock++;
      }
      return json(view(c));
    }
    if (path === "/v1/responses") {
      const c = conversations.get(body?.conversation);
      if (!c) return notFound("no such conversation");
      const words = answer(String(body.input));
      c.items.push({ type: "message", id: `msg_${next++}`, role: "user", status: "completed", content: [{ type: "input_text", text: body.input }] });
      c.items.push({ type: "message", id: `msg_${next++}`, role: "assistant", status: "completed", content: [{ type: "output_text", text: words.join(""), annotations: [] }] });
      c.title ||= String(body.input);
      c.updated_at = clock++;
      return sse(answerStream(...words));
    }
    return notFound(`no route ${path}`);
  }) as typeof fetch;
  return { conversations, requests, fetchImpl, tick: () => clock++ };
}
