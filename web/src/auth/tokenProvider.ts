// Where the chat gets its bearer token. The gateway accepts a Cognito JWT, an
// OIDC JWT or a short-lived token minted by a backend; the chat only needs a
// function that returns the current one.

/** Supplies the bearer token sent with each chat request. */
export interface TokenProvider {
  /** Returns the current token, or undefined to send the request without one. */
  getToken(): Promise<string | undefined>;
}

/** Sends no token: for a gateway running without auth (local mode). */
export const noTokenProvider: TokenProvider = {
  getToken: async () => undefined,
};

/** Always sends the same token, e.g. one minted by a backend with POST /v1/tokens. */
export function staticTokenProvider(token: string): TokenProvider {
  return { getToken: async () => token };
}
