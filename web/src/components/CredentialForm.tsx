"use client";

// Shown under a 401 when the page runs on a local gateway with auth on: a
// field for an API key (`make apikey`) or a token minted with POST /v1/tokens,
// kept for this tab only.

import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import styles from "./Chatbot.module.css";

export interface CredentialFormProps {
  /** A credential is already set, so this one was refused. */
  refused: boolean;
  /** Stores the credential; returns false when it cannot be used. */
  onSubmit(value: string): boolean;
}

export function CredentialForm({ refused, onSubmit }: CredentialFormProps) {
  const [value, setValue] = useState("");
  const [invalid, setInvalid] = useState(false);
  const id = useId();
  const hintId = useId();
  const ref = useRef<HTMLInputElement>(null);
  // The field is the next thing to do, so it takes the focus when it appears.
  useEffect(() => ref.current?.focus(), []);

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (onSubmit(value)) {
      setValue("");
      setInvalid(false);
    } else {
      setInvalid(true);
    }
  };

  return (
    <form className={styles.credential} onSubmit={submit} data-testid="credential-form">
      <label htmlFor={id}>{refused ? "The gateway refused that key. Paste another" : "This gateway needs an API key"}</label>
      <p id={hintId} className={styles.hint}>
        Paste an API key (<code>make apikey</code>) or a token from <code>POST /v1/tokens</code>. It is kept for this tab only and
        sent only to this gateway.
      </p>
      <div className={styles.credentialRow}>
        <input
          id={id}
          ref={ref}
          type="password"
          autoComplete="off"
          spellCheck={false}
          className={styles.keyInput}
          value={value}
          onChange={(e) => setValue(e.target.value)}
          aria-describedby={hintId}
          aria-invalid={invalid || undefined}
        />
        <button type="submit" className={styles.button} disabled={value.trim() === ""}>
          Use key
        </button>
      </div>
      {invalid && <p className={styles.hint}>That is not a usable key: it must be one line without spaces.</p>}
    </form>
  );
}
