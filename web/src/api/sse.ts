// Server-sent events parser following the WHATWG HTML "event stream
// interpretation" rules. It works on decoded text, one chunk at a time, and
// keeps no I/O of its own: the caller owns the stream and the TextDecoder.
//
// https://html.spec.whatwg.org/multipage/server-sent-events.html#event-stream-interpretation

/** One dispatched event. */
export interface SSEEvent {
  /** The `event` field, or "message" when the event had none. */
  type: string;
  /** The `data` lines joined with "\n". */
  data: string;
  /** The last event ID seen so far in the stream (it persists across events). */
  lastEventId: string;
}

/** An incremental parser. */
export interface SSEParser {
  /** Parses the next chunk of text and returns the events it completed. */
  feed(chunk: string): SSEEvent[];
  /**
   * The reconnection time in milliseconds from the last valid `retry` field,
   * or undefined when the stream has sent none.
   */
  readonly retry: number | undefined;
  /**
   * Whether an event has started (a field was seen) but not yet been
   * dispatched by a blank line. At end of stream such an event is discarded,
   * as the specification requires.
   */
  readonly pending: boolean;
}

const BOM = "\uFEFF";

/** Creates a parser for one stream. */
export function createSSEParser(): SSEParser {
  let started = false; // BOM is only stripped at the very start of the stream
  let line = ""; // the incomplete line carried over from the previous chunk
  let skipLF = false; // the previous chunk ended with CR: an LF next is part of CRLF
  let data = "";
  let eventType = "";
  let lastEventId = "";
  let retry: number | undefined;
  let pending = false;

  function processLine(text: string, out: SSEEvent[]): void {
    if (text === "") {
      dispatch(out);
      return;
    }
    if (text.charCodeAt(0) === 0x3a /* ':' */) {
      return; // comment (heartbeats travel this way)
    }
    const colon = text.indexOf(":");
    let field: string;
    let value: string;
    if (colon === -1) {
      field = text;
      value = "";
    } else {
      field = text.slice(0, colon);
      value = text.slice(colon + 1);
      if (value.charCodeAt(0) === 0x20 /* ' ' */) {
        value = value.slice(1);
      }
    }
    switch (field) {
      case "event":
        eventType = value;
        pending = true;
        break;
      case "data":
        data += value + "\n";
        pending = true;
        break;
      case "id":
        if (!value.includes("\0")) {
          lastEventId = value;
        }
        break;
      case "retry":
        if (/^[0-9]+$/.test(value)) {
          retry = parseInt(value, 10);
        }
        break;
      default:
        break; // unknown fields are ignored
    }
  }

  function dispatch(out: SSEEvent[]): void {
    pending = false;
    if (data === "") {
      eventType = "";
      return;
    }
    out.push({
      type: eventType === "" ? "message" : eventType,
      data: data.endsWith("\n") ? data.slice(0, -1) : data,
      lastEventId,
    });
    data = "";
    eventType = "";
  }

  function feed(chunk: string): SSEEvent[] {
    const out: SSEEvent[] = [];
    let text = chunk;
    if (!started && text.length > 0) {
      started = true;
      if (line === "" && text.startsWith(BOM)) {
        text = text.slice(1);
      }
    }
    let start = 0;
    if (skipLF && text.length > 0) {
      skipLF = false;
      if (text.charCodeAt(0) === 0x0a) {
        start = 1;
      }
    }
    for (let i = start; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x0a && c !== 0x0d) {
        continue;
      }
      processLine(line + text.slice(start, i), out);
      line = "";
      if (c === 0x0d) {
        if (i + 1 < text.length) {
          if (text.charCodeAt(i + 1) === 0x0a) {
            i++;
          }
        } else {
          skipLF = true;
        }
      }
      start = i + 1;
    }
    line += text.slice(start);
    return out;
  }

  return {
    feed,
    get retry() {
      return retry;
    },
    get pending() {
      return pending || line !== "";
    },
  };
}

/** Parses a complete stream held in one string; a trailing unfinished event is discarded. */
export function parseSSE(text: string): { events: SSEEvent[]; retry: number | undefined } {
  const parser = createSSEParser();
  const events = parser.feed(text);
  return { events, retry: parser.retry };
}
