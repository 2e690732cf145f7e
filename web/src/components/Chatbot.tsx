"use client";

// An accessible streaming chat. Text from the model is rendered as plain text
// (React escapes it); no HTML from the model ever reaches the DOM.

import { useEffect, useId, useRef, useState, type FormEvent, type KeyboardEvent } from "react";
import type { ChatbotError } from "../api/errors";
import { useChatStream, type UIMessage, type UseChatStreamOptions } from "../hooks/useChatStream";
import styles from "./Chatbot.module.css";

export interface ChatbotProps extends UseChatStreamOptions {
  /** Heading shown above the conversation. */
  title?: string;
  placeholder?: string;
  className?: string;
}

export function Chatbot({ title = "Chat", placeholder = "Type a message…", className, ...options }: ChatbotProps) {
  const { messages, streaming, error, send, stop, retry } = useChatStream(options);
  const [draft, setDraft] = useState("");
  const inputId = useId();
  const listRef = useRef<HTMLOListElement>(null);

  useEffect(() => {
    const list = listRef.current;
    if (list) {
      list.scrollTop = list.scrollHeight;
    }
  }, [messages]);

  const submit = () => {
    if (streaming || draft.trim() === "") {
      return;
    }
    send(draft);
    setDraft("");
  };

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    submit();
  };

  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    // Enter sends, Shift+Enter inserts a newline; leave IME composition alone.
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      submit();
    }
  };

  return (
    <section className={[styles.chat, className].filter(Boolean).join(" ")} aria-label={title}>
      <h2 className={styles.title}>{title}</h2>
      <ol ref={listRef} className={styles.messages} aria-live="polite" aria-busy={streaming} data-testid="messages">
        {messages.length === 0 && <li className={styles.empty}>Say hello to start the conversation.</li>}
        {messages.filter(isShown).map((m) => (
          <li key={m.id} className={`${styles.message} ${styles[m.role]}`} data-role={m.role} data-status={m.status}>
            <span className={styles.sender}>{m.role === "user" ? "You" : "Assistant"}</span>
            <p className={styles.text}>
              {m.content}
              {m.status === "streaming" && <span className={styles.cursor} aria-hidden="true" />}
            </p>
            {m.role === "assistant" && (m.model || m.status === "stopped") && (
              <span className={styles.meta}>
                {m.model && <span data-testid="model">{m.model}</span>}
                {m.status === "stopped" && <span> · stopped</span>}
              </span>
            )}
          </li>
        ))}
      </ol>
      {error && <ErrorNotice error={error} onRetry={retry} />}
      <form className={styles.composer} onSubmit={onSubmit}>
        <label htmlFor={inputId} className={styles.srOnly}>
          Message
        </label>
        <textarea
          id={inputId}
          className={styles.input}
          value={draft}
          onChange={(e) => setDraft(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder={placeholder}
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
    </section>
  );
}

// A failed answer with no text is represented by the error notice alone.
const isShown = (m: UIMessage) => !(m.status === "error" && m.content === "");

function ErrorNotice({ error, onRetry }: { error: ChatbotError; onRetry: () => void }) {
  return (
    <div className={styles.error} role="alert" data-kind={error.kind}>
      <span>{describeError(error)}</span>
      <button type="button" className={styles.retry} onClick={onRetry}>
        Retry
      </button>
    </div>
  );
}

/** A short sentence for the user; the server's own message is kept where it helps. */
export function describeError(error: ChatbotError): string {
  switch (error.kind) {
    case "auth":
      return `Sign-in required: ${error.message}`;
    case "http":
      return `The server refused the request: ${error.message}`;
    case "stream":
      return `The answer failed: ${error.message}`;
    case "truncated":
      return "The answer was cut off before it finished.";
    case "network":
      return "Could not reach the chat service. Check your connection.";
    default:
      return error.message;
  }
}
