// The options and the result of useChatStream, the chat component's state.

import type { ChatbotError, ChatRequest, ModelInfo } from "../api/chatbotApi";
import type { TokenProvider } from "../auth/tokenProvider";
import type { Conversation, UIMessage } from "../chat/conversation";
import type { KeyValueStore } from "../chat/storage";
import type { StoreKind } from "../chat/serverStore";

export interface UseChatStreamOptions {
  endpoint?: string;
  tokenProvider?: TokenProvider;
  /** Sent as the request's model; the gateway's default model when undefined. */
  model?: string;
  /** Prepended to every request as a system message. */
  systemPrompt?: string;
  /** Extra request fields such as max_tokens or temperature. */
  requestOptions?: Omit<ChatRequest, "messages" | "model">;
  /** Where conversations are kept across reloads; window.localStorage by default, null for nowhere. */
  storage?: KeyValueStore | null;
  /** Milliseconds on a monotonic clock, for reasoning durations. */
  now?: () => number;
  /** The fetch implementation; the global one by default. */
  fetch?: typeof fetch;
  /**
   * Keep conversations on the gateway when it has a store (it lists
   * GET /v1/conversations), so they follow the user to other browsers;
   * storage (localStorage) otherwise, and always when false (the default).
   */
  serverConversations?: boolean;
  /** Waits before each attempt to resume a cut answer; the clients' default when undefined. */
  resumeDelaysMs?: readonly number[];
}

export interface ChatStream {
  /** The messages of the current conversation. */
  messages: UIMessage[];
  /** Conversations with messages, newest first. */
  conversations: Conversation[];
  currentId: string;
  /** True while an answer is streaming. */
  streaming: boolean;
  /** The error of the last request, cleared by the next request. */
  error: ChatbotError | null;
  /** The gateway's models as GET /v1/models lists them; empty until listed. */
  models: ModelInfo[];
  /**
   * Why the last listing of the models failed (kind "auth" for a 401: the
   * gateway wants a credential before the first message); null once listed.
   */
  modelsError: ChatbotError | null;
  send(text: string): void;
  stop(): void;
  /** Answers the last user message again, replacing the last answer (failed or not). */
  regenerate(): void;
  /** The same as regenerate: sends the conversation again after a failure. */
  retry(): void;
  /** Replaces the last user message with text, drops what followed, and sends it. */
  editLast(text: string): void;
  /** Starts an empty conversation; the current one stays in the list. */
  newChat(): void;
  selectConversation(id: string): void;
  /** Lists the models again, e.g. after a credential was entered. */
  refreshModels(): void;
  /** Where conversations are kept: "server" when the gateway keeps them, "pending" until known. */
  store: StoreKind;
  /** Why the last operation on the gateway's conversations failed; null after one works. */
  storeError: ChatbotError | null;
  /** Renames a conversation the gateway keeps. */
  renameConversation(id: string, title: string): void;
  /** Deletes a conversation the gateway keeps. */
  deleteConversation(id: string): void;
  /** Deletes every conversation (and stored response) of the user on the gateway. */
  deleteAllConversations(): void;
}
