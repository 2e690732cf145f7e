// The text of a rendered answer as a screen reader should hear it in one
// announcement: what the page shows, not the Markdown it came from (no
// asterisks, backticks, link targets or fence markers), with block
// boundaries kept as spaces so that paragraphs and list items do not run
// together, and without the controls around code blocks (label, Copy).

const BLOCKS = new Set([
  "ADDRESS", "BLOCKQUOTE", "BR", "DD", "DIV", "DL", "DT", "FIGCAPTION", "FIGURE", "H1", "H2", "H3", "H4", "H5", "H6",
  "HR", "LI", "OL", "P", "PRE", "SECTION", "TABLE", "TD", "TH", "TR", "UL",
]);

/** The spoken text of el; elements marked data-announce="skip", buttons and aria-hidden ones are left out. */
export function spokenText(el: Element): string {
  const parts: string[] = [];
  const walk = (node: Node) => {
    if (node.nodeType === 3 /* text */) {
      parts.push(node.nodeValue ?? "");
      return;
    }
    if (node.nodeType !== 1 /* element */) {
      return;
    }
    const e = node as Element;
    if (e.tagName === "BUTTON" || e.getAttribute("aria-hidden") === "true" || e.getAttribute("data-announce") === "skip") {
      return;
    }
    const block = BLOCKS.has(e.tagName);
    if (block) parts.push(" ");
    e.childNodes.forEach(walk);
    if (block) parts.push(" ");
  };
  walk(el);
  return parts.join("").replace(/\s+/g, " ").trim();
}
