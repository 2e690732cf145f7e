"use client";

// Shown when the gateway keeps the conversations: rename or delete the open
// one, and delete every conversation the user has stored. Deleting asks
// first; nothing here is shown when conversations stay in this browser.

import { useId, useState, type FormEvent } from "react";
import { describeError, errorView } from "../chat/errorText";
import type { ChatStream } from "../hooks/useChatStream";
import chat from "./Chatbot.module.css";
import styles from "./ConversationActions.module.css";

export interface ConversationActionsProps {
  stream: Pick<ChatStream, "conversations" | "currentId" | "streaming" | "storeError" | "renameConversation" | "deleteConversation" | "deleteAllConversations">;
  /** Asks the user to confirm; window.confirm by default. */
  confirm?: (question: string) => boolean;
}

export function ConversationActions({ stream, confirm = (q) => window.confirm(q) }: ConversationActionsProps) {
  const current = stream.conversations.find((c) => c.id === stream.currentId && c.remoteId);
  const [renaming, setRenaming] = useState(false);
  const [title, setTitle] = useState("");
  const fieldId = useId();

  const startRename = () => {
    setTitle(current?.title ?? "");
    setRenaming(true);
  };
  const rename = (e: FormEvent) => {
    e.preventDefault();
    if (current && title.trim() !== "") {
      stream.renameConversation(current.id, title);
    }
    setRenaming(false);
  };
  const remove = () => {
    if (current && confirm(`Delete the conversation “${current.title || "Untitled"}”? This cannot be undone.`)) {
      stream.deleteConversation(current.id);
    }
  };
  const removeAll = () => {
    if (confirm("Delete all your conversations, on every device? This cannot be undone.")) {
      stream.deleteAllConversations();
    }
  };

  return (
    <div className={styles.bar} role="group" aria-label="Conversations on the server" data-testid="conversation-actions">
      {renaming && current ? (
        <form className={styles.rename} onSubmit={rename}>
          <label htmlFor={fieldId} className={chat.srOnly}>
            Conversation name
          </label>
          <input
            id={fieldId}
            className={styles.field}
            value={title}
            maxLength={200}
            autoFocus
            onChange={(e) => setTitle(e.target.value)}
            onKeyDown={(e) => e.key === "Escape" && (e.stopPropagation(), setRenaming(false))}
          />
          <button type="submit" className={chat.action} disabled={title.trim() === ""}>
            Save name
          </button>
        </form>
      ) : (
        current && (
          <>
            <button type="button" className={chat.action} onClick={startRename} disabled={stream.streaming}>
              Rename
            </button>
            <button type="button" className={chat.action} onClick={remove}>
              Delete
            </button>
          </>
        )
      )}
      <button type="button" className={`${chat.action} ${styles.danger}`} onClick={removeAll}>
        Delete all my conversations
      </button>
      {stream.storeError && (
        <p className={styles.error} role="alert" data-testid="store-error">
          {describeError(errorView(stream.storeError))}
        </p>
      )}
    </div>
  );
}
