"use client";

// Conversation state for the chat component: the conversations, the stream in
// progress and its error. The component only renders what this returns.

import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import {
  ChatbotError,
  listModels,
  streamChatbotResponse,
  type ModelInfo,
  type StreamResult,
  type ToolCall,
} from "../api/chatbotApi";
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
import { detectStore, type ClientOptions } from "../api/conversationsApi";
import { responsesFields, sendThroughServer, type StoreKind } from "../chat/serverStore";
import { useServerConversations } from "./useServerConversations";

import type { ChatStream, UseChatStreamOptions } from "./chatStreamTypes";

export type { Conversation, UIMessage } from "../chat/conversation";
export type { ChatStream, UseChatStreamOptions } from "./chatStreamTypes";

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
  const [store, setStore] = useState<StoreKind>(options.serverConversations ? "pending" : "local");
  const abortRef = useRef<AbortController | null>(null);
  // Saving waits for the load, or the empty first state would overwrite the saved one.
  const [loaded, setLoaded] = useState(false);
  // The latest committed values, for callbacks that outlive a render. They
  // are written after commit, never during render: a render React discards
  // (concurrent rendering, StrictMode's second pass) must not leak into them.
  const stateRef = useRef(state);
  const optionsRef = useRef(options);
  const loadedRef = useRef(loaded);
  const storeRef = useRef(store);
  useLayoutEffect(() => {
    stateRef.current = state;
    optionsRef.current = options;
    loadedRef.current = loaded;
    storeRef.current = store;
  });
  // Asked again when the models are listed again: a refusal (no key yet) did not say which store.
  const detectAgainRef = useRef(false);

  const storage = (): KeyValueStore | undefined =>
    optionsRef.current.storage === null ? undefined : (optionsRef.current.storage ?? defaultStorage());

  const clientOptions = (): ClientOptions => {
    const opts = optionsRef.current;
    const tp = opts.tokenProvider;
    return { endpoint: opts.endpoint, getToken: tp ? () => tp.getToken() : undefined, fetch: opts.fetch };
  };
  const server = useServerConversations({ setState, setError, stateRef, abortRef, storeRef, clientOptions });

  const chooseStore = useCallback(async () => {
    // The caller's conversations, null when the gateway keeps none (404), or why it could not say.
    const found = await detectStore(clientOptions());
    // A failure (a 401 before a key was entered, the network) did not say which store: ask again
    // later; so does an answer that started before the store was known, which is not cut.
    detectAgainRef.current = found instanceof ChatbotError || abortRef.current !== null;
    if (Array.isArray(found)) {
      if (storeRef.current !== "server" && !abortRef.current) {
        setLoaded(false); // nothing more goes to localStorage
        setStore("server");
        server.showList(found);
      }
    } else if (storeRef.current === "pending") {
      setState(loadState(storage(), Date.now()));
      setLoaded(true);
      setStore("local");
    }
  }, []);

  useEffect(() => {
    if (optionsRef.current.serverConversations) {
      void chooseStore();
    } else {
      setState(loadState(storage(), Date.now()));
      setLoaded(true);
    }
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
    if (detectAgainRef.current) {
      void chooseStore();
    }
    void listModels(clientOptions()).then((list) => {
      if (Array.isArray(list)) {
        setModels(list);
        setModelsError(null);
      } else {
        setModelsError(list);
      }
    });
  }, [chooseStore]);
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
    (history: UIMessage[], resend = false) => {
      const opts = optionsRef.current;
      const now = opts.now ?? monotonic;
      const convId = stateRef.current.currentId;
      const conversation = stateRef.current.conversations.find((c) => c.id === convId);
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

      const callbacks = {
        onReasoning: (delta: string, chunk: { model: string }) => {
          reasoningStart ??= now();
          pendingReasoning += delta;
          model = chunk.model || model;
          schedule();
        },
        onToolCalls: (calls: ToolCall[]) => {
          endReasoning();
          flush();
          update((m) => ({ ...m, toolCalls: calls, reasoningMs: reasoningMs ?? m.reasoningMs }));
        },
        onData: (delta: string, chunk: { model: string }) => {
          endReasoning();
          pendingText += delta;
          model = chunk.model || model;
          schedule();
        },
        onComplete: (result: StreamResult) => {
          endReasoning();
          flush();
          update((m) => ({
            ...m,
            status: result.status === "aborted" ? "stopped" : "done",
            model: result.model ?? m.model,
            reasoningMs: reasoningMs ?? m.reasoningMs,
          }));
        },
        onError: (err: ChatbotError) => {
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
      };
      const streamOptions = { ...clientOptions(), signal: controller.signal, resumeDelaysMs: opts.resumeDelaysMs };
      const answered =
        storeRef.current === "server" && conversation
          ? sendThroughServer(
              { conversation, history, resend, request: responsesFields(opts.model, opts.systemPrompt, opts.requestOptions), onCreated: (remote) => server.created(convId, remote) },
              callbacks,
              streamOptions,
            ).finally(() => server.answered(convId))
          : streamChatbotResponse({ ...opts.requestOptions, model: opts.model, messages: toWire(history, opts.systemPrompt) }, callbacks, streamOptions);
      void answered.finally(() => {
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
      run(history, true);
    }
  }, [run]);

  const editLast = useCallback(
    (text: string) => {
      const history = abortRef.current ? undefined : historyForEdit(current(), text);
      if (history) {
        run(history, true);
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
      return { conversations: [c, ...prev.conversations.filter(kept)], currentId: c.id };
    });
  }, []);

  const selectConversation = useCallback((id: string) => {
    if (abortRef.current) {
      return;
    }
    setError(null);
    setState((prev) =>
      prev.conversations.some((c) => c.id === id)
        ? { conversations: prev.conversations.filter((c) => c.id === id || kept(c)), currentId: id }
        : prev,
    );
    if (storeRef.current === "server") {
      server.open(id);
    }
  }, []);

  const messages = useMemo(
    () => state.conversations.find((c) => c.id === state.currentId)?.messages ?? [],
    [state],
  );
  const conversations = useMemo(
    () => state.conversations.filter(kept).sort((a, b) => b.updatedAt - a.updatedAt),
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
    store,
    storeError: server.error,
    renameConversation: server.rename,
    deleteConversation: server.remove,
    deleteAllConversations: server.removeAll,
  };
}

/** Listed: a conversation with messages, or one the gateway keeps (its messages load when opened). */
const kept = (c: Conversation) => c.messages.length > 0 || c.remoteId !== undefined;

const requestFrame = (cb: () => void): number =>
  typeof requestAnimationFrame === "function" ? requestAnimationFrame(cb) : (setTimeout(cb, 16) as unknown as number);
const cancelFrame = (id: number) =>
  typeof cancelAnimationFrame === "function" ? cancelAnimationFrame(id) : clearTimeout(id);
