// Splitting streamed Markdown into top-level blocks, so that a growing answer
// re-parses only its last block: blocks before it never change as text is
// appended, and the renderer memoises them by their text.
//
// A block ends at a blank line outside a fenced code block when the next line
// starts at the left margin (an indented line continues a list item or an
// indented code block). The cost of splitting this way: a reference-style
// link or footnote whose definition sits in another block is not resolved,
// and a loose list renders as consecutive lists. Models rarely write either.

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Splits text into blocks whose concatenation is text. */
export function splitBlocks(text: string): string[] {
  const blocks: string[] = [];
  let start = 0;
  let fence: string | undefined; // the opening run of the fence we are in
  let blankBefore = false;
  let pos = 0;
  while (pos < text.length) {
    const nl = text.indexOf("\n", pos);
    const end = nl === -1 ? text.length : nl + 1;
    const line = text.slice(pos, nl === -1 ? text.length : nl);
    const blank = line.trim() === "";
    if (fence !== undefined) {
      const close = FENCE.exec(line);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length && line.trim() === close[1]) {
        fence = undefined;
      }
    } else if (!blank) {
      if (blankBefore && pos > start && !/^[ \t]/.test(line)) {
        blocks.push(text.slice(start, pos));
        start = pos;
      }
      const open = FENCE.exec(line);
      // A backtick fence's info string cannot contain a backtick (CommonMark 4.5).
      if (open && !(open[1]![0] === "`" && line.slice(open[0].length).includes("`"))) {
        fence = open[1];
      }
    }
    blankBefore = fence === undefined && blank;
    pos = end;
  }
  if (start < text.length) {
    blocks.push(text.slice(start));
  }
  return blocks;
}
