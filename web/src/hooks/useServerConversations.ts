"use client";

// The conversation list when the gateway keeps conversations: opening one
// loads its items, rename and delete go to the gateway, and the list is read
// again whenever the page comes back into view, so a conversation started or
// deleted in another browser shows here too. useChatStream owns the state;
// this hook changes it.

import { useEffect, useMemo, useState, type Dispatch, type RefObject, type SetStateAction } from "react";
import type { ClientOptions, ServerConversation } from "../api/conversationsApi";
import { ChatbotError, HttpError } from "../api/errors";
import { newConversation, titleOf, type Conversation } from "../chat/conversation";
import { changedSince, mergeList, serverOps, serverState, type StoreKind } from "../chat/serverStore";
import type { ChatState } from "../chat/storage";

export interface ServerConversationsDeps {
  setState: Dispatch<SetStateAction<ChatState>>;
  setError: (error: ChatbotError | null) => void;
  stateRef: RefObject<ChatState>;
  abortRef: RefObject<AbortController | null>;
  storeRef: RefObject<StoreKind>;
  clientOptions: () => ClientOptions;
}

export interface ServerConversations {
  error: ChatbotError | null;
  /** Shows the listed conversations, with a new one current. */
  showList(list: readonly ServerConversation[]): void;
  /** Loads a conversation's messages, and the list again. */
  open(id: string): void;
  /** Reads the list again, dropping what was deleted elsewhere. */
  refresh(): Promise<void>;
  /** The conversation convId now exists on the gateway as remote. */
  created(convId: string, remote: ServerConversation): void;
  /** An answer in convId ended: what the page shows is what the gateway holds. */
  answered(convId: string): void;
  rename(id: string, title: string): void;
  remove(id: string): void;
  removeAll(): void;
}

const patch = (conversations: Conversation[], id: string, change: (c: Conversation) => Conversation) =>
  conversations.map((c) => (c.id === id ? change(c) : c));

export function useServerConversations(deps: ServerConversationsDeps): ServerConversations {
  const [error, setStoreError] = useState<ChatbotError | null>(null);
  // deps holds only setters, refs and a reader of refs: the same behaviour every render.
  const ops = useMemo(() => {
    const { setState, setError, stateRef, abortRef, clientOptions } = deps;
    const find = (id: string) => stateRef.current.conversations.find((c) => c.id === id);
    const streamingIn = (id: string) => abortRef.current !== null && stateRef.current.currentId === id;

    // Focus and visibilitychange come together: one request serves both.
    let inFlight: Promise<void> | undefined;
    const refresh = () => (inFlight ??= readList().finally(() => (inFlight = undefined)));

    const readList = async () => {
      const list = await serverOps.list(clientOptions());
      if (list instanceof ChatbotError) {
        setStoreError(list);
        return;
      }
      setStoreError(null);
      const held = find(stateRef.current.currentId);
      setState((prev) => {
        const conversations = mergeList(prev.conversations, list, prev.currentId);
        if (conversations.some((c) => c.id === prev.currentId)) {
          return { conversations, currentId: prev.currentId };
        }
        const current = prev.conversations.find((c) => c.id === prev.currentId);
        if (current && abortRef.current) {
          return { conversations: [current, ...conversations], currentId: current.id }; // answering: kept until it ends
        }
        // Deleted in another browser: a new conversation takes its place.
        const fresh = newConversation(Date.now());
        return { conversations: [fresh, ...conversations], currentId: fresh.id };
      });
      if (held && !abortRef.current && changedSince(held, list)) {
        void load(held.id);
      }
    };

    const load = async (id: string) => {
      const remoteId = find(id)?.remoteId;
      if (!remoteId) return;
      const startedAt = Date.now();
      const messages = await serverOps.open(remoteId, clientOptions());
      if (messages instanceof ChatbotError) {
        setStoreError(messages);
        if (messages instanceof HttpError && messages.status === 404) void refresh();
        return;
      }
      if (streamingIn(id)) return; // an answer started meanwhile; it is newer than what was read
      setStoreError(null);
      setState((prev) => ({
        ...prev,
        conversations: patch(prev.conversations, id, (c) => ({ ...c, messages, loadedAt: startedAt, title: c.title || titleOf(messages) })),
      }));
    };

    const clearCurrent = () => {
      const fresh = newConversation(Date.now());
      setError(null);
      return fresh;
    };

    const ops: ServerConversations = {
      error: null,
      showList: (list) => setState(serverState(list, Date.now())),
      open: (id) => {
        void load(id).then(refresh);
      },
      refresh,
      created: (convId, remote) =>
        setState((prev) => ({
          ...prev,
          conversations: patch(
            prev.conversations.filter((c) => c.id === convId || c.remoteId !== remote.id),
            convId,
            (c) => ({ ...c, remoteId: remote.id, title: c.title || remote.title }),
          ),
        })),
      answered: (convId) =>
        setState((prev) => ({ ...prev, conversations: patch(prev.conversations, convId, (c) => ({ ...c, loadedAt: Date.now() })) })),
      rename: (id, title) => {
        const remoteId = find(id)?.remoteId;
        const t = title.replace(/\s+/g, " ").trim();
        if (!remoteId || t === "") return;
        setState((prev) => ({ ...prev, conversations: patch(prev.conversations, id, (c) => ({ ...c, title: t })) }));
        void serverOps.rename(remoteId, t, clientOptions()).then((r) => {
          if (r instanceof ChatbotError) {
            setStoreError(r);
            void refresh();
          } else {
            setStoreError(null);
          }
        });
      },
      remove: (id) => {
        const remoteId = find(id)?.remoteId;
        if (!remoteId) return;
        if (streamingIn(id)) abortRef.current?.abort();
        void serverOps.remove(remoteId, clientOptions()).then((r) => {
          // A 404 is a conversation already deleted elsewhere: gone either way.
          if (r instanceof ChatbotError && !(r instanceof HttpError && r.status === 404)) {
            setStoreError(r);
            return;
          }
          setStoreError(null);
          setState((prev) => {
            const conversations = prev.conversations.filter((c) => c.id !== id);
            if (prev.currentId !== id) return { ...prev, conversations };
            const fresh = clearCurrent();
            return { conversations: [fresh, ...conversations], currentId: fresh.id };
          });
        });
      },
      removeAll: () => {
        abortRef.current?.abort();
        void serverOps.removeAll(clientOptions()).then((r) => {
          if (r instanceof ChatbotError) {
            setStoreError(r);
            return;
          }
          setStoreError(null);
          setError(null);
          setState(serverState([], Date.now()));
        });
      },
    };
    return ops;
  }, []);

  // Another browser may have started, continued or deleted conversations.
  useEffect(() => {
    const sync = () => {
      if (deps.storeRef.current === "server" && document.visibilityState !== "hidden") {
        void ops.refresh();
      }
    };
    window.addEventListener("focus", sync);
    document.addEventListener("visibilitychange", sync);
    return () => {
      window.removeEventListener("focus", sync);
      document.removeEventListener("visibilitychange", sync);
    };
  }, [ops, deps.storeRef]);

  return useMemo(() => ({ ...ops, error }), [ops, error]);
}
