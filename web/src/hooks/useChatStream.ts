"use client";

// Conversation state for the chat component: the conversations, the stream in
// progress and its error. The component only renders what this returns.

import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { listModels, streamChatbotResponse, type ChatbotError, type ChatRequest, type ModelInfo } from "../api/chatbotApi";
import type { TokenProvider } from "../auth/tokenProvider";
import {
  historyForEdit,
  historyForRegenerate,
  newConversation,
  newId,
  titleOf,
  toWire,
  type Conversation,
  type UIMessage,
} from "../chat/conversation";
import { errorView } from "../chat/errorText";
import { loadState, saveState, type ChatState, type KeyValueStore } from "../chat/storage";

export type { Conversation, UIMessage } from "../chat/conversation";

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
}

const monotonic = () => (typeof performance !== "undefined" ? performance.now() : Date.now());

function defaultStorage(): KeyValueStore | undefined {
  try {
    return typeof window === "undefined" ? undefined : window.localStorage;
  } catch {
    return undefined; // storage disabled by the browser
  }
}

export function useChatStream(options: UseChatStreamOptions = {}): ChatStream {
  // The first render matches the static export; saved conversations load after mount.
  const [state, setState] = useState<ChatState>(() => {
    const c = newConversation(0);
    return { conversations: [c], currentId: c.id };
  });
  const [streaming, setStreaming] = useState(false);
  const [error, setError] = useState<ChatbotError | null>(null);
  const [models, setModels] = useState<ModelInfo[]>([]);
  const [modelsError, setModelsError] = useState<ChatbotError | null>(null);
  const abortRef = useRef<AbortController | null>(null);
  // Saving waits for the load, or the empty first state would overwrite the saved one.
  const [loaded, setLoaded] = useState(false);
  // The latest committed values, for callbacks that outlive a render. They
  // are written after commit, never during render: a render React discards
  // (concurrent rendering, StrictMode's second pass) must not leak into them.
  const stateRef = useRef(state);
  const optionsRef = useRef(options);
  const loadedRef = useRef(loaded);
  useLayoutEffect(() => {
    stateRef.current = state;
    optionsRef.current = options;
    loadedRef.current = loaded;
  });

  const storage = (): KeyValueStore | undefined =>
    optionsRef.current.storage === null ? undefined : (optionsRef.current.storage ?? defaultStorage());

  useEffect(() => {
    setState(loadState(storage(), Date.now()));
    setLoaded(true);
    const onHide = () => loadedRef.current && saveState(storage(), stateRef.current);
    window.addEventListener("pagehide", onHide);
    return () => {
      window.removeEventListener("pagehide", onHide);
      abortRef.current?.abort();
    };
  }, []);

  // Saved when an answer settles, not per token; pagehide covers a reload mid-answer.
  useEffect(() => {
    if (loaded && !streaming) {
      saveState(storage(), state);
    }
  }, [loaded, state, streaming]);

  const refreshModels = useCallback(() => {
    const opts = optionsRef.current;
    const tp = opts.tokenProvider;
    void listModels({ endpoint: opts.endpoint, getToken: tp ? () => tp.getToken() : undefined, fetch: opts.fetch }).then((list) => {
      if (Array.isArray(list)) {
        setModels(list);
        setModelsError(null);
      } else {
        setModelsError(list);
      }
    });
  }, []);
  useEffect(refreshModels, [refreshModels]);

  const setMessages = useCallback((convId: string, change: (messages: UIMessage[]) => UIMessage[]) => {
    setState((prev) => ({
      ...prev,
      conversations: prev.conversations.map((c) => {
        if (c.id !== convId) {
          return c;
        }
        const messages = change(c.messages);
        return { ...c, messages, title: c.title || titleOf(messages), updatedAt: Date.now() };
      }),
    }));
  }, []);

  // Streams an answer to history into a new assistant message.
  const run = useCallback(
    (history: UIMessage[]) => {
      const opts = optionsRef.current;
      const now = opts.now ?? monotonic;
      const convId = stateRef.current.currentId;
      const answerId = newId();
      const update = (patch: (m: UIMessage) => UIMessage) =>
        setMessages(convId, (ms) => ms.map((m) => (m.id === answerId ? patch(m) : m)));

      setMessages(convId, () => [...history, { id: answerId, role: "assistant", content: "", status: "streaming" }]);
      setError(null);
      setStreaming(true);
      const controller = new AbortController();
      abortRef.current = controller;

      // Text is applied once per frame: a fast model must not cost a render per token.
      let pendingText = "";
      let pendingReasoning = "";
      let model: string | undefined;
      let frame: number | undefined;
      let reasoningStart: number | undefined;
      let reasoningMs: number | undefined;
      const endReasoning = () => {
        if (reasoningStart !== undefined && reasoningMs === undefined) {
          reasoningMs = now() - reasoningStart;
        }
      };
      const flush = () => {
        if (frame !== undefined) {
          cancelFrame(frame);
          frame = undefined;
        }
        if (pendingText === "" && pendingReasoning === "" && model === undefined) {
          return;
        }
        const text = pendingText;
        const reasoning = pendingReasoning;
        const ms = reasoningMs;
        const answeredBy = model;
        pendingText = "";
        pendingReasoning = "";
        update((m) => ({
          ...m,
          content: m.content + text,
          reasoning: reasoning === "" ? m.reasoning : (m.reasoning ?? "") + reasoning,
          reasoningMs: ms ?? m.reasoningMs,
          model: answeredBy ?? m.model,
        }));
      };
      const schedule = () => {
        frame ??= requestFrame(() => {
          frame = undefined;
          flush();
        });
      };

      const tp = opts.tokenProvider;
      void streamChatbotResponse(
        { ...opts.requestOptions, model: opts.model, messages: toWire(history, opts.systemPrompt) },
        {
          onReasoning: (delta, chunk) => {
            reasoningStart ??= now();
            pendingReasoning += delta;
            model = chunk.model || model;
            schedule();
          },
          onToolCalls: (calls) => {
            endReasoning();
            flush();
            update((m) => ({ ...m, toolCalls: calls, reasoningMs: reasoningMs ?? m.reasoningMs }));
          },
          onData: (delta, chunk) => {
            endReasoning();
            pendingText += delta;
            model = chunk.model || model;
            schedule();
          },
          onComplete: (result) => {
            endReasoning();
            flush();
            update((m) => ({
              ...m,
              status: result.status === "aborted" ? "stopped" : "done",
              model: result.model ?? m.model,
              reasoningMs: reasoningMs ?? m.reasoningMs,
            }));
          },
          onError: (err) => {
            endReasoning();
            flush();
            update((m) => ({
              ...m,
              status: "error",
              reasoningMs: reasoningMs ?? m.reasoningMs,
              error: errorView(err),
            }));
            setError(err);
          },
        },
        { endpoint: opts.endpoint, getToken: tp ? () => tp.getToken() : undefined, signal: controller.signal, fetch: opts.fetch },
      ).finally(() => {
        if (abortRef.current === controller) {
          abortRef.current = null;
          setStreaming(false);
        }
      });
    },
    [setMessages],
  );

  const current = (): UIMessage[] =>
    stateRef.current.conversations.find((c) => c.id === stateRef.current.currentId)?.messages ?? [];

  const send = useCallback(
    (text: string) => {
      const content = text.trim();
      if (content !== "" && !abortRef.current) {
        run([...current(), { id: newId(), role: "user", content, status: "done" }]);
      }
    },
    [run],
  );

  const stop = useCallback(() => abortRef.current?.abort(), []);

  const regenerate = useCallback(() => {
    const history = abortRef.current ? undefined : historyForRegenerate(current());
    if (history) {
      run(history);
    }
  }, [run]);

  const editLast = useCallback(
    (text: string) => {
      const history = abortRef.current ? undefined : historyForEdit(current(), text);
      if (history) {
        run(history);
      }
    },
    [run],
  );

  const newChat = useCallback(() => {
    abortRef.current?.abort();
    setError(null);
    setState((prev) => {
      const cur = prev.conversations.find((c) => c.id === prev.currentId);
      if (cur && cur.messages.length === 0) {
        return prev;
      }
      const c = newConversation(Date.now());
      return { conversations: [c, ...prev.conversations.filter((x) => x.messages.length > 0)], currentId: c.id };
    });
  }, []);

  const selectConversation = useCallback((id: string) => {
    if (abortRef.current) {
      return;
    }
    setError(null);
    setState((prev) =>
      prev.conversations.some((c) => c.id === id)
        ? { conversations: prev.conversations.filter((c) => c.id === id || c.messages.length > 0), currentId: id }
        : prev,
    );
  }, []);

  const messages = useMemo(
    () => state.conversations.find((c) => c.id === state.currentId)?.messages ?? [],
    [state],
  );
  const conversations = useMemo(
    () => state.conversations.filter((c) => c.messages.length > 0).sort((a, b) => b.updatedAt - a.updatedAt),
    [state],
  );

  return {
    messages,
    conversations,
    currentId: state.currentId,
    streaming,
    error,
    models,
    modelsError,
    send,
    stop,
    regenerate,
    retry: regenerate,
    editLast,
    newChat,
    selectConversation,
    refreshModels,
  };
}

const requestFrame = (cb: () => void): number =>
  typeof requestAnimationFrame === "function" ? requestAnimationFrame(cb) : (setTimeout(cb, 16) as unknown as number);
const cancelFrame = (id: number) =>
  typeof cancelAnimationFrame === "function" ? cancelAnimationFrame(id) : clearTimeout(id);
