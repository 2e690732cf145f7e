// A credential pasted into the page for this browser tab only: an API key or
// a token minted with POST /v1/tokens. It lives in sessionStorage, so it is
// gone when the tab closes and other tabs never see it. The chat sends it
// only to the gateway that served the page (see Chatbot's askForKey).

import type { TokenProvider } from "./tokenProvider";

export const SESSION_KEY = "chatbot.credential";
/** Longer pasted text is not a credential; refuse it rather than send it. */
export const MAX_CREDENTIAL_LENGTH = 8192;

type SessionStore = Pick<Storage, "getItem" | "setItem" | "removeItem">;

export interface SessionCredential {
  get(): string | undefined;
  /** Stores the trimmed credential; returns false for an empty or unusable one. */
  set(value: string): boolean;
  clear(): void;
}

/** The credential slot in store (window.sessionStorage in the page). */
export function sessionCredential(store: SessionStore | undefined): SessionCredential {
  return {
    get() {
      try {
        return store?.getItem(SESSION_KEY) || undefined;
      } catch {
        return undefined;
      }
    },
    set(value) {
      const v = value.trim().replace(/^Bearer\s+/i, "");
      // Header values cannot carry control characters or spaces inside a token.
      if (v === "" || v.length > MAX_CREDENTIAL_LENGTH || /[\s\x00-\x1f\x7f]/.test(v)) {
        return false;
      }
      try {
        store?.setItem(SESSION_KEY, v);
        return store !== undefined;
      } catch {
        return false;
      }
    },
    clear() {
      try {
        store?.removeItem(SESSION_KEY);
      } catch {
        // Storage disabled: nothing was stored either.
      }
    },
  };
}

/** Sends the tab's credential when one is set, else asks fallback. */
export function sessionTokenProvider(credential: SessionCredential, fallback?: TokenProvider): TokenProvider {
  return {
    async getToken() {
      return credential.get() ?? (await fallback?.getToken());
    },
  };
}

/** window.sessionStorage, or undefined where it is unavailable (server render, disabled storage). */
export function browserSessionStorage(): SessionStore | undefined {
  try {
    return typeof window === "undefined" ? undefined : window.sessionStorage;
  } catch {
    return undefined;
  }
}
