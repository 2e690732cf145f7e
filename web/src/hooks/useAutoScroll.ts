"use client";

// Keeps a scrolling list pinned to its end while content grows, until the
// user scrolls away; then it stays put and offers a jump back.

import { useCallback, useLayoutEffect, useRef, useState } from "react";

/** How close to the end (px) still counts as "at the end". */
const SLACK = 32;

export interface AutoScroll<T extends HTMLElement> {
  ref: React.RefObject<T | null>;
  onScroll(): void;
  /** False when the user has scrolled up from the end. */
  atEnd: boolean;
  /** Scrolls to the end and pins the list there again. */
  jumpToEnd(): void;
}

/**
 * content changes whenever the list grows; reset (e.g. the conversation id)
 * pins the list again when it changes.
 */
export function useAutoScroll<T extends HTMLElement>(content: unknown, reset: unknown): AutoScroll<T> {
  const ref = useRef<T>(null);
  const pinned = useRef(true);
  const [atEnd, setAtEnd] = useState(true);

  const toEnd = () => {
    const el = ref.current;
    if (el) {
      // Instant: a smooth scroll's intermediate positions would read as the user scrolling up.
      el.scrollTop = el.scrollHeight;
    }
  };

  useLayoutEffect(() => {
    pinned.current = true;
    setAtEnd(true);
    toEnd();
  }, [reset]);

  useLayoutEffect(() => {
    if (pinned.current) {
      toEnd();
    }
  }, [content]);

  const onScroll = useCallback(() => {
    const el = ref.current;
    if (!el) {
      return;
    }
    const end = el.scrollHeight - el.scrollTop - el.clientHeight <= SLACK;
    pinned.current = end;
    setAtEnd(end);
  }, []);

  const jumpToEnd = useCallback(() => {
    pinned.current = true;
    setAtEnd(true);
    toEnd();
  }, []);

  return { ref, onScroll, atEnd, jumpToEnd };
}
