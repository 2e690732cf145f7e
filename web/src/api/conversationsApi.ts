// Client of the gateway's Conversations API (OpenAI's shapes, plus the
// gateway's documented extensions: listing the caller's conversations with
// titles, and deleting all of them). Every call resolves to its value or to
// a ChatbotError; none rejects.

import { ChatbotError, HttpError, NetworkError } from "./errors";
import { apiURL, authHeaders, describe, fetcher, sha256Hex, type RequestOptions } from "./request";
import { httpError } from "./responseErrors";

/** A stored conversation as the gateway lists it. */
export interface ServerConversation {
  id: string;
  object: "conversation";
  /** Unix seconds. */
  created_at: number;
  /** Unix seconds of the last change (extension). */
  updated_at: number;
  /** Extension: the gateway titles a conversation from its first user message. */
  title: string;
  metadata: Record<string, string>;
}

export interface ContentPart {
  type: string;
  text?: string;
}

/** One conversation item, as OpenAI shapes them; unknown types are kept and ignored. */
export type ConversationItem =
  | { type: "message"; id: string; role: "user" | "assistant" | "system" | "developer"; status?: string; content: ContentPart[] | string }
  | { type: "reasoning"; id: string; summary?: ContentPart[]; encrypted_content?: string }
  | { type: "function_call"; id: string; call_id: string; name: string; arguments: string; status?: string }
  | { type: "function_call_output"; id: string; call_id: string; output: string }
  | { type: string; id: string };

interface ListPage<T> {
  object: "list";
  data: T[];
  first_id?: string | null;
  last_id?: string | null;
  has_more: boolean;
}

export interface ClientOptions extends RequestOptions {
  /** Base URL of the gateway, without `/v1`; empty means same origin. */
  endpoint?: string;
}

/** Pages read at most when listing, so a runaway has_more cannot loop forever. */
export const MAX_PAGES = 20;
export const PAGE_SIZE = 100;

async function call<T>(
  method: "GET" | "POST" | "DELETE",
  path: string,
  options: ClientOptions,
  body?: unknown,
): Promise<{ status: number; value: T } | ChatbotError> {
  let response: Response;
  try {
    const headers: Record<string, string> = await authHeaders(options.getToken);
    let text: string | undefined;
    if (body !== undefined) {
      text = JSON.stringify(body);
      headers["Content-Type"] = "application/json";
      // The payload hash CloudFront's origin access control needs for a body.
      const hash = await sha256Hex(text);
      if (hash !== undefined) headers["x-amz-content-sha256"] = hash;
    }
    response = await fetcher(options)(apiURL(options.endpoint, path), {
      method,
      headers,
      body: text,
      signal: options.signal,
      cache: "no-store",
    });
  } catch (err) {
    return err instanceof ChatbotError ? err : new NetworkError(describe(err, "The request could not be sent."), err);
  }
  if (!response.ok) return httpError(response);
  try {
    return { status: response.status, value: (await response.json()) as T };
  } catch (err) {
    return new HttpError(response.status, describe(err, "The server's answer is not JSON."));
  }
}

const isConversation = (v: unknown): v is ServerConversation =>
  typeof v === "object" && v !== null && typeof (v as { id?: unknown }).id === "string" && (v as { id: string }).id !== "";

/** Fills in what an older or partial answer left out, so the page can rely on every field. */
function normalize(c: ServerConversation): ServerConversation {
  const created = typeof c.created_at === "number" ? c.created_at : 0;
  return {
    id: c.id,
    object: "conversation",
    created_at: created,
    updated_at: typeof c.updated_at === "number" ? c.updated_at : created,
    title: typeof c.title === "string" ? c.title : "",
    metadata: typeof c.metadata === "object" && c.metadata !== null ? c.metadata : {},
  };
}

function conversationOf(r: { status: number; value: unknown } | ChatbotError): ServerConversation | ChatbotError {
  if (r instanceof ChatbotError) return r;
  return isConversation(r.value) ? normalize(r.value) : new HttpError(r.status, "The conversation is malformed.");
}

/** Reads every page of a list (up to MAX_PAGES). */
async function listAll<T>(path: string, query: string, options: ClientOptions, keep: (v: unknown) => v is T): Promise<T[] | ChatbotError> {
  const out: T[] = [];
  let after: string | undefined;
  for (let page = 0; page < MAX_PAGES; page++) {
    const q = `${query}limit=${PAGE_SIZE}${after ? `&after=${encodeURIComponent(after)}` : ""}`;
    const r = await call<ListPage<unknown>>("GET", `${path}?${q}`, options);
    if (r instanceof ChatbotError) return r;
    if (!Array.isArray(r.value?.data)) return new HttpError(r.status, "The list is malformed.");
    out.push(...r.value.data.filter(keep));
    const last = r.value.last_id ?? undefined;
    if (!r.value.has_more || !last || last === after) return out;
    after = last;
  }
  return out;
}

/**
 * Whether the gateway keeps conversations: its list answers (the caller's
 * conversations, newest change first) or a 404 with code "not_found" (no
 * store: STATE_STORE=off, or a gateway without one) gives null. Any other
 * failure (a 401 before a key, the network) is returned: it does not say.
 */
export async function detectStore(options: ClientOptions = {}): Promise<ServerConversation[] | null | ChatbotError> {
  const r = await listConversations(options);
  if (r instanceof HttpError && r.status === 404) return null;
  return r;
}

/** Lists the caller's conversations, newest change first (`GET /v1/conversations`, every page). */
export async function listConversations(options: ClientOptions = {}): Promise<ServerConversation[] | ChatbotError> {
  const list = await listAll("/v1/conversations", "", options, isConversation);
  return list instanceof ChatbotError ? list : list.map(normalize);
}

/** Creates a conversation (`POST /v1/conversations`). */
export async function createConversation(
  body: { title?: string; metadata?: Record<string, string> },
  options: ClientOptions = {},
): Promise<ServerConversation | ChatbotError> {
  return conversationOf(await call("POST", "/v1/conversations", options, body));
}

/** Reads one conversation (`GET /v1/conversations/{id}`). */
export async function getConversation(id: string, options: ClientOptions = {}): Promise<ServerConversation | ChatbotError> {
  return conversationOf(await call("GET", `/v1/conversations/${encodeURIComponent(id)}`, options));
}

/** Renames a conversation or changes its metadata (`POST /v1/conversations/{id}`). */
export async function updateConversation(
  id: string,
  body: { title?: string; metadata?: Record<string, string> },
  options: ClientOptions = {},
): Promise<ServerConversation | ChatbotError> {
  return conversationOf(await call("POST", `/v1/conversations/${encodeURIComponent(id)}`, options, body));
}

/** Deletes a conversation (`DELETE /v1/conversations/{id}`); resolves to true once deleted. */
export async function deleteConversation(id: string, options: ClientOptions = {}): Promise<true | ChatbotError> {
  const r = await call<{ deleted?: unknown }>("DELETE", `/v1/conversations/${encodeURIComponent(id)}`, options);
  if (r instanceof ChatbotError) return r;
  return r.value?.deleted === true ? true : new HttpError(r.status, "The conversation was not deleted.");
}

/**
 * Deletes everything the caller stored: every conversation and stored
 * response (`DELETE /v1/conversations`, extension).
 */
export async function deleteAllConversations(options: ClientOptions = {}): Promise<true | ChatbotError> {
  const r = await call<{ deleted?: unknown }>("DELETE", "/v1/conversations", options);
  if (r instanceof ChatbotError) return r;
  return r.value?.deleted === true ? true : new HttpError(r.status, "The conversations were not deleted.");
}

const isItem = (v: unknown): v is ConversationItem =>
  typeof v === "object" && v !== null && typeof (v as { type?: unknown }).type === "string" && typeof (v as { id?: unknown }).id === "string";

/** Every item of a conversation, oldest first (`GET /v1/conversations/{id}/items?order=asc`). */
export async function listItems(id: string, options: ClientOptions = {}): Promise<ConversationItem[] | ChatbotError> {
  return listAll(`/v1/conversations/${encodeURIComponent(id)}/items`, "order=asc&", options, isItem);
}

/** Deletes one item (`DELETE /v1/conversations/{id}/items/{item_id}`). */
export async function deleteItem(id: string, itemId: string, options: ClientOptions = {}): Promise<ServerConversation | ChatbotError> {
  return conversationOf(await call("DELETE", `/v1/conversations/${encodeURIComponent(id)}/items/${encodeURIComponent(itemId)}`, options));
}
