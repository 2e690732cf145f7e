// What every call to the gateway shares: the URL under the endpoint, the
// bearer token, the payload hash CloudFront's origin access control needs
// for a body, and the POST that opens a streamed answer (both protocols).

import { AuthError, ChatbotError, NetworkError, TruncatedError } from "./errors";
import { httpError } from "./responseErrors";

/** How a call reaches the gateway. */
export interface RequestOptions {
  /** Returns the bearer token to send, or undefined to send none. */
  getToken?: () => Promise<string | undefined>;
  /** Aborting stops the request. */
  signal?: AbortSignal;
  /** The fetch implementation; defaults to the global one. */
  fetch?: typeof fetch;
}

/** Joins the endpoint and the API path; an empty endpoint means same origin. */
export function apiURL(endpoint: string | undefined, path: string): string {
  return `${(endpoint ?? "").replace(/\/+$/, "")}${path}`;
}

/** options.fetch, or the global one bound to its global (called unbound, it throws "Illegal invocation"). */
export function fetcher(options: RequestOptions): typeof fetch {
  return options.fetch ?? globalThis.fetch.bind(globalThis);
}

/** The token header, or none; a getToken failure throws an AuthError. */
export async function authHeaders(getToken: RequestOptions["getToken"]): Promise<Record<string, string>> {
  let token: string | undefined;
  try {
    token = await getToken?.();
  } catch (err) {
    throw new AuthError(describe(err, "Could not get a sign-in token."));
  }
  return token ? { "X-Authorization": `Bearer ${token}` } : {};
}

/**
 * POSTs request with `stream: true` to url: the answer's body, "aborted"
 * when signal fired, or the error (a refused token, the network, an error
 * answer, an empty body). Never rejects.
 */
export async function postStream(
  url: string,
  request: object,
  options: RequestOptions,
): Promise<ReadableStream<Uint8Array> | "aborted" | ChatbotError> {
  const { signal } = options;
  let response: Response;
  try {
    const body = JSON.stringify({ ...request, stream: true });
    const headers: Record<string, string> = { "Content-Type": "application/json", ...(await authHeaders(options.getToken)) };
    const hash = await sha256Hex(body);
    if (hash !== undefined) {
      headers["x-amz-content-sha256"] = hash;
    }
    response = await fetcher(options)(url, { method: "POST", headers, body, signal, cache: "no-store" });
  } catch (err) {
    if (signal?.aborted) {
      return "aborted";
    }
    return err instanceof ChatbotError ? err : new NetworkError(describe(err, "The request could not be sent."), err);
  }
  if (!response.ok) {
    return httpError(response);
  }
  return response.body ?? new TruncatedError("The server sent an empty response.");
}

/** Lowercase hex SHA-256 of the UTF-8 bytes of text, or undefined without WebCrypto. */
export async function sha256Hex(text: string): Promise<string | undefined> {
  const subtle = globalThis.crypto?.subtle;
  if (!subtle) {
    // Only secure contexts (https, localhost) have WebCrypto; the gateway then
    // rejects the request if it requires the header, which names the problem.
    return undefined;
  }
  const digest = await subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The fallback sentence, with the cause's own message when it has one. */
export function describe(err: unknown, fallback: string): string {
  return err instanceof Error && err.message ? `${fallback} (${err.message})` : fallback;
}
