"use client";

// One message of the conversation. User text is shown exactly as typed;
// assistant text is rendered as Markdown (see Markdown.tsx for why that is
// safe). Reasoning is folded away, tool calls take one line each, and a
// failed answer says so on the bubble itself.

import { lazy, memo, Suspense, useEffect, useId, useRef, useState, type KeyboardEvent, type ReactNode } from "react";
import { describeToolCall } from "../api/toolCalls";
import { reasoningLabel, type UIMessage } from "../chat/conversation";
import { describeError } from "../chat/errorText";
import { modelLabel } from "../chat/modelNames";

// The Markdown renderer (react-markdown, remark-gfm, the code blocks) is a
// third of the page's script and the first paint shows no answer: it loads
// on demand (Chatbot asks for it once the page is up), and until it is there
// an answer shows as plain text.
export const loadMarkdown = () => import("./Markdown");
const Markdown = lazy(() => loadMarkdown().then((m) => ({ default: m.Markdown })));
import styles from "./Chatbot.module.css";

export { describeError };

export interface MessageItemProps {
  message: UIMessage;
  /** The last answer (shows Regenerate) or the last user message (shows Edit). */
  last: boolean;
  /** No new request may start (an answer is streaming). */
  busy: boolean;
  /** The error is from this visit, so it is announced (role="alert"). */
  liveError: boolean;
  onRegenerate(): void;
  onEdit(text: string): void;
  /** Extra content under a failed answer, such as the credential form. */
  errorExtra?: ReactNode;
}

export const MessageItem = memo(function MessageItem(props: MessageItemProps) {
  const { message: m, last, busy } = props;
  const [editing, setEditing] = useState(false);
  const failed = m.status === "error";

  if (m.role === "assistant" && failed && m.content === "" && !m.reasoning && !m.toolCalls?.length) {
    // Nothing arrived: the notice stands for the answer.
    return (
      <li className={styles.notice} data-role="assistant" data-status="error" data-kind={m.error?.kind}>
        <ErrorLine {...props} />
      </li>
    );
  }

  const className = [styles.message, styles[m.role], m.status === "streaming" ? styles.streaming : "", failed ? styles.failed : ""]
    .filter(Boolean)
    .join(" ");
  return (
    <li className={className} data-role={m.role} data-status={m.status}>
      <span className={styles.sender}>{m.role === "user" ? "You" : "Assistant"}</span>
      {m.reasoning && (
        <details className={styles.reasoning} data-testid="reasoning">
          <summary>{reasoningLabel(m.reasoningMs, m.status === "streaming")}</summary>
          <p className={styles.reasoningText}>{m.reasoning}</p>
        </details>
      )}
      {m.toolCalls?.map((call) => (
        <p key={call.index} className={styles.toolCall} data-testid="tool-call" title={`${call.name}(${call.arguments})`}>
          <span aria-hidden="true">⚙</span> Called <code>{describeToolCall(call)}</code>
        </p>
      ))}
      {m.role === "user" ? (
        editing ? (
          <EditBox
            initial={m.content}
            onCancel={() => setEditing(false)}
            onSave={(text) => {
              setEditing(false);
              props.onEdit(text);
            }}
          />
        ) : (
          <p className={styles.text} data-testid="content">
            {m.content}
          </p>
        )
      ) : (
        <div data-testid="content" className={styles.answer}>
          <Suspense fallback={<p className={styles.text}>{m.content}</p>}>
            <Markdown text={m.content} idPrefix={`m-${m.id}`} />
          </Suspense>
          {m.status === "streaming" && m.content === "" && <span className={styles.pending}>…</span>}
        </div>
      )}
      {failed && <ErrorLine {...props} />}
      {m.role === "assistant" && (m.model || m.status === "stopped") && (
        <span className={styles.meta}>
          {m.model && (
            <span data-testid="model" title={m.model}>
              {modelLabel(m.model)}
            </span>
          )}
          {m.status === "stopped" && <span> · stopped</span>}
        </span>
      )}
      {last && !busy && !editing && (
        <div className={styles.actions}>
          {m.role === "assistant" && !failed && (
            <button type="button" className={styles.action} onClick={props.onRegenerate}>
              Regenerate
            </button>
          )}
          {m.role === "user" && (
            <button type="button" className={styles.action} onClick={() => setEditing(true)}>
              Edit
            </button>
          )}
        </div>
      )}
    </li>
  );
});

function ErrorLine({ message: m, liveError, busy, onRegenerate, errorExtra }: MessageItemProps) {
  const cut = m.content !== "";
  return (
    <div className={styles.errorLine} role={liveError ? "alert" : undefined} data-kind={m.error?.kind}>
      <span>
        {cut && <strong>Cut off. </strong>}
        {describeError(m.error ?? { kind: "truncated", message: "" })}
      </span>
      <button type="button" className={styles.retry} onClick={onRegenerate} disabled={busy}>
        Retry
      </button>
      {errorExtra}
    </div>
  );
}

function EditBox({ initial, onSave, onCancel }: { initial: string; onSave(text: string): void; onCancel(): void }) {
  const [text, setText] = useState(initial);
  const ref = useRef<HTMLTextAreaElement>(null);
  const id = useId();
  useEffect(() => {
    const el = ref.current;
    el?.focus();
    el?.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>) => {
    if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing) {
      e.preventDefault();
      if (text.trim() !== "") onSave(text);
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      onCancel();
    }
  };
  return (
    <form
      className={styles.editBox}
      onSubmit={(e) => {
        e.preventDefault();
        if (text.trim() !== "") onSave(text);
      }}
    >
      <label htmlFor={id} className={styles.srOnly}>
        Edit message
      </label>
      <textarea id={id} ref={ref} className={styles.input} value={text} onChange={(e) => setText(e.target.value)} onKeyDown={onKeyDown} rows={3} />
      <div className={styles.actions}>
        <button type="submit" className={styles.action} disabled={text.trim() === ""}>
          Send edit
        </button>
        <button type="button" className={styles.action} onClick={onCancel}>
          Cancel
        </button>
      </div>
    </form>
  );
}
