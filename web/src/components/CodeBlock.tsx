"use client";

// A fenced code block: its language as a label, a Copy button, and the code
// in a box that scrolls sideways rather than widening the message.

import { useEffect, useRef, useState, type ReactNode } from "react";
import styles from "./Markdown.module.css";

interface HastNode {
  type: string;
  tagName?: string;
  value?: string;
  properties?: { className?: unknown };
  children?: HastNode[];
}

/** The language (from the fence's info string) and the text of a `<pre>` node. */
export function codeText(node: unknown): { language: string; text: string } {
  const pre = node as HastNode | undefined;
  const code = pre?.children?.find((c) => c.type === "element" && c.tagName === "code");
  const classes = Array.isArray(code?.properties?.className) ? (code.properties.className as unknown[]) : [];
  const lang = classes.map(String).find((c) => c.startsWith("language-"));
  return { language: cleanLanguage(lang?.slice("language-".length) ?? ""), text: textOf(code ?? pre) };
}

function textOf(node: HastNode | undefined): string {
  if (!node) {
    return "";
  }
  if (node.type === "text") {
    return node.value ?? "";
  }
  return (node.children ?? []).map(textOf).join("");
}

/** A short label from the model's info string; nothing else of it is shown. */
function cleanLanguage(lang: string): string {
  return lang.replace(/[^A-Za-z0-9+#._-]/g, "").slice(0, 24);
}

export function CodeBlock({ language, text, fallback }: { language: string; text: string; fallback: ReactNode }) {
  const [copied, setCopied] = useState<"idle" | "done" | "failed">("idle");
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  const copy = async () => {
    const ok = await copyText(text.replace(/\n$/, ""));
    setCopied(ok ? "done" : "failed");
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setCopied("idle"), 2000);
  };

  return (
    <figure className={styles.code} data-language={language || undefined}>
      {/* Controls, not content: left out of the answer's announcement. */}
      <figcaption className={styles.codeHeader} data-announce="skip">
        <span className={styles.codeLanguage}>{language || "text"}</span>
        <button type="button" className={styles.copy} onClick={() => void copy()} data-copied={copied}>
          {copied === "done" ? (
            "Copied"
          ) : copied === "failed" ? (
            "Copy failed"
          ) : (
            <>
              Copy<span className={styles.srOnly}> code</span>
            </>
          )}
        </button>
      </figcaption>
      {/* Focusable so that a keyboard can scroll a long line into view. */}
      <pre tabIndex={0}>{fallback}</pre>
    </figure>
  );
}

/** Writes text to the clipboard; the Clipboard API needs a secure context, so fall back to execCommand. */
async function copyText(text: string): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = document.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.style.position = "fixed";
    area.style.opacity = "0";
    document.body.appendChild(area);
    area.select();
    try {
      return document.execCommand("copy");
    } catch {
      return false;
    } finally {
      area.remove();
    }
  }
}
