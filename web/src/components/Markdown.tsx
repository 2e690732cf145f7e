"use client";

// Model answers rendered as GitHub-flavoured Markdown, safely.
//
// Model output is untrusted: a prompt injection can make a model write
// anything. So raw HTML is never interpreted (react-markdown shows it as
// text, as there is no rehype-raw), links keep only http(s) and mailto
// URLs and open in a new tab without an opener or referrer, and images are
// never loaded: an image URL is how injected text smuggles the conversation
// out, so it is shown as a link the user may choose to follow.

import { memo, useMemo, type ComponentPropsWithoutRef } from "react";
import ReactMarkdown, { type Components, type ExtraProps } from "react-markdown";
import remarkGfm from "remark-gfm";
import { splitBlocks } from "../chat/markdownBlocks";
import { CodeBlock, codeText } from "./CodeBlock";
import styles from "./Markdown.module.css";

export interface MarkdownProps {
  text: string;
  /** Prefix for element ids (footnotes), unique per message. */
  idPrefix: string;
}

/** Renders text block by block; finished blocks are not parsed again as text streams in. */
export const Markdown = memo(function Markdown({ text, idPrefix }: MarkdownProps) {
  const blocks = useMemo(() => splitBlocks(text), [text]);
  return (
    <div className={styles.markdown}>
      {blocks.map((block, i) => (
        // Blocks only ever grow at the end, so the index is a stable key.
        <Block key={i} text={block} idPrefix={`${idPrefix}-${i}-`} />
      ))}
    </div>
  );
});

const Block = memo(function Block({ text, idPrefix }: { text: string; idPrefix: string }) {
  return (
    <ReactMarkdown
      remarkPlugins={remarkPlugins}
      remarkRehypeOptions={{ clobberPrefix: idPrefix }}
      urlTransform={safeUrl}
      components={components}
    >
      {text}
    </ReactMarkdown>
  );
});

const remarkPlugins = [remarkGfm];

/** Keeps absolute http(s) and mailto URLs and in-page anchors; anything else becomes "". */
export function safeUrl(url: string): string {
  const u = url.trim();
  if (u.startsWith("#")) {
    return u;
  }
  return /^(https?:\/\/|mailto:)/i.test(u) ? u : "";
}

type Props<T extends "a" | "img" | "pre" | "table" | "input"> = ComponentPropsWithoutRef<T> & ExtraProps;

const components: Components = {
  a({ href, children }: Props<"a">) {
    if (!href) {
      return <span className={styles.deadLink}>{children}</span>;
    }
    if (href.startsWith("#")) {
      return <a href={href}>{children}</a>;
    }
    return (
      <a href={href} target="_blank" rel="noopener noreferrer">
        {children}
      </a>
    );
  },
  img({ src, alt }: Props<"img">) {
    const label = `Image: ${alt || "untitled"}`;
    const url = typeof src === "string" ? src : "";
    if (!url) {
      return <span className={styles.deadLink}>[{label}]</span>;
    }
    return (
      <a href={url} target="_blank" rel="noopener noreferrer" className={styles.imageLink}>
        [{label}]
      </a>
    );
  },
  pre({ node, children }: Props<"pre">) {
    const { language, text } = codeText(node);
    return <CodeBlock language={language} text={text} fallback={children} />;
  },
  table({ children }: Props<"table">) {
    return (
      // A wide table scrolls inside the message instead of widening the page.
      <div className={styles.tableWrap} tabIndex={0} role="group" aria-label="Table">
        <table>{children}</table>
      </div>
    );
  },
  input({ type, checked }: Props<"input">) {
    // GFM task list items: shown, not editable.
    return type === "checkbox" ? <input type="checkbox" checked={Boolean(checked)} disabled aria-label="task" /> : null;
  },
};
