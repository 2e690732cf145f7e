import { describe, expect, it } from "vitest";
import { createSSEParser, parseSSE, type SSEEvent } from "../src/api/sse";

interface Case {
  name: string;
  input: string;
  want: Array<Partial<SSEEvent> & { data: string }>;
  retry?: number;
}

const ev = (data: string, type = "message", lastEventId = ""): SSEEvent => ({ type, data, lastEventId });

const cases: Case[] = [
  { name: "single event LF", input: "data: hello\n\n", want: [ev("hello")] },
  { name: "single event CRLF", input: "data: hello\r\n\r\n", want: [ev("hello")] },
  { name: "CRLF between data lines", input: "data: a\r\ndata: b\r\n\r\n", want: [ev("a\nb")] },
  { name: "single event CR", input: "data: hello\r\r", want: [ev("hello")] },
  { name: "mixed line ends", input: "data: a\rdata: b\r\ndata: c\n\r\n", want: [ev("a\nb\nc")] },
  { name: "two events", input: "data: one\n\ndata: two\n\n", want: [ev("one"), ev("two")] },
  { name: "multi-line data", input: "data: line1\ndata: line2\n\n", want: [ev("line1\nline2")] },
  { name: "empty data line adds a newline", input: "data\ndata\n\n", want: [ev("\n")] },
  { name: "data with empty value then text", input: "data:\ndata: x\n\n", want: [ev("\nx")] },
  { name: "only one leading space is stripped", input: "data:  two spaces\n\n", want: [ev(" two spaces")] },
  { name: "no space after colon", input: "data:tight\n\n", want: [ev("tight")] },
  { name: "colon inside value kept", input: "data: a: b:c\n\n", want: [ev("a: b:c")] },
  { name: "comment ignored", input: ": ping\ndata: x\n\n", want: [ev("x")] },
  { name: "comment alone dispatches nothing", input: ": ping\n\n", want: [] },
  { name: "heartbeat between events", input: "data: a\n\n: ping\n\ndata: b\n\n", want: [ev("a"), ev("b")] },
  { name: "event type", input: "event: update\ndata: x\n\n", want: [ev("x", "update")] },
  { name: "event type resets after dispatch", input: "event: update\ndata: x\n\ndata: y\n\n", want: [ev("x", "update"), ev("y")] },
  { name: "event type without data is dropped", input: "event: update\n\ndata: y\n\n", want: [ev("y")] },
  { name: "empty event name means message", input: "event:\ndata: x\n\n", want: [ev("x")] },
  { name: "id persists across events", input: "id: 7\ndata: a\n\ndata: b\n\n", want: [ev("a", "message", "7"), ev("b", "message", "7")] },
  { name: "empty id resets", input: "id: 7\ndata: a\n\nid\ndata: b\n\n", want: [ev("a", "message", "7"), ev("b", "message", "")] },
  { name: "id with NUL ignored", input: "id: 1\n\nid: a\0b\ndata: x\n\n", want: [ev("x", "message", "1")] },
  { name: "id set without data still applies later", input: "id: 3\n\ndata: x\n\n", want: [ev("x", "message", "3")] },
  { name: "retry sets reconnection time", input: "retry: 1500\ndata: x\n\n", want: [ev("x")], retry: 1500 },
  { name: "invalid retry ignored", input: "retry: 10\nretry: 1.5\nretry: abc\nretry: \n\n", want: [], retry: 10 },
  { name: "field without colon", input: "data\n\n", want: [ev("")] },
  { name: "unknown field ignored", input: "foo: bar\ndata: x\nbaz\n\n", want: [ev("x")] },
  { name: "field names are case sensitive", input: "Data: x\n\n", want: [] },
  { name: "leading BOM stripped", input: "\uFEFFdata: x\n\n", want: [ev("x")] },
  { name: "only the first BOM is stripped", input: "\uFEFF\uFEFFdata: x\n\ndata: y\n\n", want: [ev("y")] },
  { name: "BOM later is data", input: "data: \uFEFFx\n\n", want: [ev("\uFEFFx")] },
  { name: "no trailing blank line: not dispatched", input: "data: a\n\ndata: b\n", want: [ev("a")] },
  { name: "no trailing newline: not dispatched", input: "data: a\n\ndata: b", want: [ev("a")] },
  { name: "blank lines before first event", input: "\n\n\r\ndata: x\n\n", want: [ev("x")] },
  { name: "unicode data", input: "data: héllo 世界 🙂\n\n", want: [ev("héllo 世界 🙂")] },
  {
    name: "openai stream",
    input:
      'data: {"choices":[{"delta":{"content":"Hi"}}]}\n\n: ping\n\ndata: {"choices":[{"delta":{"content":" there"}}]}\n\ndata: [DONE]\n\n',
    want: [ev('{"choices":[{"delta":{"content":"Hi"}}]}'), ev('{"choices":[{"delta":{"content":" there"}}]}'), ev("[DONE]")],
  },
];

function feedAll(chunks: string[]) {
  const parser = createSSEParser();
  const events = chunks.flatMap((c) => parser.feed(c));
  return { events, retry: parser.retry };
}

describe("SSE parser", () => {
  for (const tc of cases) {
    describe(tc.name, () => {
      it("whole input", () => {
        const got = parseSSE(tc.input);
        expect(got.events).toEqual(tc.want);
        expect(got.retry).toBe(tc.retry);
      });

      it("split at every boundary into two chunks", () => {
        for (let i = 0; i <= tc.input.length; i++) {
          const got = feedAll([tc.input.slice(0, i), tc.input.slice(i)]);
          expect(got.events, `split at ${i}`).toEqual(tc.want);
          expect(got.retry, `split at ${i}`).toBe(tc.retry);
        }
      });

      it("split at every boundary into three chunks", () => {
        for (let i = 0; i <= tc.input.length; i++) {
          for (let j = i; j <= tc.input.length; j++) {
            const got = feedAll([tc.input.slice(0, i), tc.input.slice(i, j), tc.input.slice(j)]);
            expect(got.events, `split at ${i},${j}`).toEqual(tc.want);
          }
        }
      });

      it("one character per chunk", () => {
        const got = feedAll(Array.from(tc.input.split("")));
        expect(got.events).toEqual(tc.want);
        expect(got.retry).toBe(tc.retry);
      });

      it("bytes through a streaming TextDecoder, one byte per chunk", () => {
        const bytes = new TextEncoder().encode(tc.input);
        // TextDecoder strips a leading BOM by default; keep it so the parser sees it.
        const decoder = new TextDecoder("utf-8", { ignoreBOM: true });
        const chunks: string[] = [];
        for (const b of bytes) {
          chunks.push(decoder.decode(new Uint8Array([b]), { stream: true }));
        }
        chunks.push(decoder.decode());
        expect(feedAll(chunks).events).toEqual(tc.want);
      });
    });
  }

  it("dispatches as soon as a CR ends the blank line, before any LF arrives", () => {
    const parser = createSSEParser();
    expect(parser.feed("data: x\r\r")).toEqual([ev("x")]);
    // The LF that may follow is part of the CRLF, not another blank line.
    expect(parser.feed("\ndata: y\r\n\r\n")).toEqual([ev("y")]);
  });

  it("reports a pending event at end of stream", () => {
    const parser = createSSEParser();
    parser.feed("data: a\n\n");
    expect(parser.pending).toBe(false);
    parser.feed("data: b\n");
    expect(parser.pending).toBe(true);
    parser.feed("\n");
    expect(parser.pending).toBe(false);
    parser.feed("dat");
    expect(parser.pending).toBe(true);
  });
});
