// Fakes for the stream client's tests: a fetch that records requests, and
// SSE bodies delivered as byte chunks split wherever a test wants.

export interface Captured {
  url: string;
  init: RequestInit;
  headers: Headers;
}

/** A fetch that records the request and answers with the given response. */
export function fakeFetch(respond: (signal: AbortSignal | undefined) => Response | Promise<Response>) {
  const calls: Captured[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    calls.push({ url: String(input), init: init ?? {}, headers: new Headers(init?.headers) });
    return respond(init?.signal ?? undefined);
  }) as typeof fetch;
  return { calls, fetchImpl };
}

/** A ReadableStream that yields the given byte chunks, then closes (or stays open). */
export function byteStream(chunks: Uint8Array[], opts: { keepOpen?: boolean; errorAtEnd?: Error } = {}) {
  let i = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      if (i < chunks.length) {
        controller.enqueue(chunks[i++]!);
        return;
      }
      if (opts.errorAtEnd) {
        controller.error(opts.errorAtEnd);
      } else if (!opts.keepOpen) {
        controller.close();
      }
      // keepOpen: never resolve further pulls, like a server that is still thinking.
      return new Promise<void>(() => undefined);
    },
  });
}

export function sse(body: string, init: ResponseInit = {}, split?: (bytes: Uint8Array) => Uint8Array[]) {
  const bytes = new TextEncoder().encode(body);
  const chunks = split ? split(bytes) : [bytes];
  return new Response(byteStream(chunks), {
    status: 200,
    headers: { "Content-Type": "text/event-stream" },
    ...init,
  });
}

export const chunk = (delta: Record<string, unknown>, finish: string | null = null, model = "eliza") =>
  `data: ${JSON.stringify({
    id: "chatcmpl-1",
    object: "chat.completion.chunk",
    created: 1,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  })}\n\n`;

