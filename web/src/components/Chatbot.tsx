"use client";

// An accessible streaming chat: conversations kept across reloads, answers
// rendered as Markdown, and keyboard use throughout (Enter sends,
// Shift+Enter starts a new line, Esc stops an answer).

import { fetchUsage, usageLine } from "../api/usage";
import { ChatbotError } from "../api/errors";
import type { TokenProvider } from "../auth/tokenProvider";
import { useCallback, useEffect, useId, useMemo, useRef, useState, type FormEvent, type KeyboardEvent, type RefObject } from "react";
import { browserSessionStorage, sessionCredential, sessionTokenProvider } from "../auth/sessionKey";
import { lastUserIndex } from "../chat/conversation";
import { defaultModelId, modelLabel } from "../chat/modelNames";
import { useAutoScroll } from "../hooks/useAutoScroll";
import { useChatStream, type UIMessage, type UseChatStreamOptions } from "../hooks/useChatStream";
import { ConversationActions } from "./ConversationActions";
import { CredentialForm } from "./CredentialForm";
import { loadMarkdown, MessageItem } from "./MessageItem";
import { spokenText } from "./spokenText";
import styles from "./Chatbot.module.css";

export { describeError } from "./MessageItem";

export interface ChatbotProps extends UseChatStreamOptions {
  /** Heading shown above the conversation. */
  title?: string;
  /** 1 when the chat is the page, 2 (the default) when it is part of one. */
  headingLevel?: 1 | 2;
  placeholder?: string;
  className?: string;
  /**
   * On a 401, offer a field for an API key or minted token kept in this tab's
   * sessionStorage: on load when listing the models is refused, before the
   * first message, and under an answer that is refused. Only for a chat
   * served by the gateway it talks to (same origin), so the credential cannot
   * go anywhere else.
   */
  askForKey?: boolean;
}

export function Chatbot({ title = "Chat", headingLevel = 2, placeholder = "Type a message…", className, askForKey = false, ...options }: ChatbotProps) {
  const credential = useMemo(() => sessionCredential(browserSessionStorage()), []);
  const [hasKey, setHasKey] = useState(false);
  useEffect(() => setHasKey(askForKey && credential.get() !== undefined), [askForKey, credential]);
  const fallbackProvider = options.tokenProvider;
  const tokenProvider = useMemo(
    () => (askForKey ? sessionTokenProvider(credential, fallbackProvider) : fallbackProvider),
    [askForKey, credential, fallbackProvider],
  );

  const chat = useChatStream({ ...options, tokenProvider });
  const usage = useUsageLine(options.endpoint, tokenProvider, options.fetch, chat.streaming);
  // Fetched once the page is up, so the first answer renders at once.
  useEffect(() => void loadMarkdown(), []);
  const { messages, streaming, error, models } = chat;
  const [draft, setDraft] = useState("");
  const inputId = useId();
  const inputRef = useRef<HTMLTextAreaElement>(null);
  const scroll = useAutoScroll<HTMLOListElement>(messages, chat.currentId);
  const announcement = useAnnouncement(messages, streaming, scroll.ref);

  const focusInput = () => inputRef.current?.focus();

  const submit = () => {
    if (streaming || draft.trim() === "") {
      return;
    }
    chat.send(draft);
    setDraft("");
    scroll.jumpToEnd();
    focusInput();
  };
  const stop = () => {
    chat.stop();
    focusInput();
  };
  const regenerate = useCallback(() => {
    chat.regenerate();
    inputRef.current?.focus();
  }, [chat.regenerate]);
  const editLast = useCallback(
    (text: string) => {
      chat.editLast(text);
      inputRef.current?.focus();
    },
    [chat.editLast],
  );

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter inserts a newline; leave IME composition alone.
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };
  const onSectionKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape" && streaming) {
      e.preventDefault();
      stop();
    }
  };

  const submitKey = (value: string) => {
    if (!credential.set(value)) {
      return false;
    }
    setHasKey(true);
    chat.refreshModels();
    chat.retry();
    focusInput();
    return true;
  };
  const forgetKey = () => {
    credential.clear();
    setHasKey(false);
  };

  const last = messages[messages.length - 1];
  const lastUser = lastUserIndex(messages);
  // The model list was refused: the gateway wants a key before anything
  // else. A refused answer shows its own form under it instead.
  const keyFirst = askForKey && !streaming && chat.modelsError?.kind === "auth" && last?.error?.kind !== "auth";
  const Heading = headingLevel === 1 ? "h1" : "h2";
  const defaultModel = options.model ?? defaultModelId(models);
  const pickable = chat.conversations.some((c) => c.id !== chat.currentId);

  return (
    <section className={[styles.chat, className].filter(Boolean).join(" ")} aria-labelledby={`${inputId}-title`} onKeyDown={onSectionKeyDown}>
      <header className={styles.header}>
        <Heading id={`${inputId}-title`} className={styles.title}>
          {title}
        </Heading>
        {defaultModel && (
          <span className={styles.modelLabel} title={defaultModel} data-testid="default-model">
            {modelLabel(defaultModel)}
          </span>
        )}
        <div className={styles.headerActions}>
          {pickable && (
            <select
              aria-label="Saved conversations"
              className={styles.picker}
              value={chat.currentId}
              disabled={streaming}
              onChange={(e) => chat.selectConversation(e.target.value)}
            >
              {!chat.conversations.some((c) => c.id === chat.currentId) && <option value={chat.currentId}>New conversation</option>}
              {chat.conversations.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.title || "Untitled"}
                </option>
              ))}
            </select>
          )}
          {hasKey && (
            <button type="button" className={styles.action} onClick={forgetKey}>
              Forget key
            </button>
          )}
          <button
            type="button"
            className={styles.action}
            onClick={() => {
              chat.newChat();
              setDraft("");
              focusInput();
            }}
          >
            New chat
          </button>
        </div>
      </header>
      {chat.store === "server" && <ConversationActions stream={chat} />}
      <div className={styles.scrollArea}>
        <ol
          ref={scroll.ref}
          onScroll={scroll.onScroll}
          className={styles.messages}
          aria-label="Chat history"
          aria-busy={streaming}
          tabIndex={0}
          data-testid="messages"
        >
          {messages.length === 0 && <li className={styles.empty}>Say hello to start the conversation.</li>}
          {messages.map((m, i) => (
            <MessageItem
              key={m.id}
              message={m}
              last={m.role === "user" ? i === lastUser : i === messages.length - 1}
              busy={streaming}
              liveError={error !== null && m === last}
              onRegenerate={regenerate}
              onEdit={editLast}
              errorExtra={
                askForKey && m === last && m.error?.kind === "auth" && !streaming ? (
                  <CredentialForm refused={hasKey} onSubmit={submitKey} />
                ) : undefined
              }
            />
          ))}
        </ol>
        {!scroll.atEnd && (
          <button type="button" className={styles.jump} onClick={scroll.jumpToEnd}>
            Jump to latest <span aria-hidden="true">↓</span>
          </button>
        )}
      </div>
      {keyFirst && (
        <div className={styles.keyFirst}>
          <CredentialForm refused={hasKey} onSubmit={submitKey} />
        </div>
      )}
      <div className={styles.srOnly} role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
        {announcement}
      </div>
      <form className={styles.composer} onSubmit={onSubmit(submit)}>
        <label htmlFor={inputId} className={styles.srOnly}>
          Message
        </label>
        <textarea
          id={inputId}
          ref={inputRef}
          className={styles.input}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder={placeholder}
          aria-keyshortcuts="Enter Shift+Enter Escape"
          rows={2}
        />
        {streaming ? (
          <button type="button" className={`${styles.button} ${styles.stop}`} onClick={stop}>
            Stop
          </button>
        ) : (
          <button type="submit" className={styles.button} disabled={draft.trim() === ""}>
            Send
          </button>
        )}
      </form>
      {usage && (
        <p className={styles.usage} data-testid="usage">
          {usage}
        </p>
      )}
    </section>
  );
}

/**
 * The caller's usage today as one quiet line (see usageLine): read when the
 * page opens and after each answer; nothing when the gateway does not
 * record usage or cannot say.
 */
function useUsageLine(
  endpoint: string | undefined,
  tokenProvider: TokenProvider | undefined,
  doFetch: typeof fetch | undefined,
  streaming: boolean,
): string | undefined {
  const [line, setLine] = useState<string | undefined>();
  useEffect(() => {
    if (streaming) {
      return;
    }
    const ctl = new AbortController();
    void fetchUsage({ endpoint, getToken: tokenProvider ? () => tokenProvider.getToken() : undefined, fetch: doFetch, signal: ctl.signal }).then(
      (u) => {
        if (!ctl.signal.aborted) {
          setLine(u instanceof ChatbotError ? undefined : usageLine(u));
        }
      },
    );
    return () => ctl.abort();
  }, [endpoint, tokenProvider, doFetch, streaming]);
  return line;
}

const onSubmit = (submit: () => void) => (e: FormEvent) => {
  e.preventDefault();
  submit();
};

/**
 * What the polite live region says: that an answer started, then the whole
 * answer once it is complete, as rendered (list holds the messages): the
 * text the page shows, not its Markdown. Never per token, which would flood
 * a screen reader.
 */
function useAnnouncement(messages: UIMessage[], streaming: boolean, list: RefObject<HTMLOListElement | null>): string {
  const [text, setText] = useState("");
  const wasStreaming = useRef(false);
  useEffect(() => {
    if (streaming && !wasStreaming.current) {
      setText("The assistant is answering.");
    } else if (!streaming && wasStreaming.current) {
      const last = messages[messages.length - 1];
      if (last?.status === "done") {
        const shown = list.current?.querySelector('li[data-role="assistant"]:last-child [data-testid="content"]');
        setText(`The assistant said: ${shown ? spokenText(shown) : last.content}`);
      } else if (last?.status === "stopped") {
        setText("Answer stopped.");
      } else {
        setText(""); // a failure is announced by its own alert
      }
    }
    wasStreaming.current = streaming;
  }, [streaming, messages, list]);
  return text;
}
