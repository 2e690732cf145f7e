// Build-time settings of the bundled chat page. Next.js inlines NEXT_PUBLIC_*
// variables when it builds, so these are fixed in the static export.

import { amplifyTokenProvider } from "./auth/amplify";
import { noTokenProvider, type TokenProvider } from "./auth/tokenProvider";

export interface PageConfig {
  /** Gateway base URL; empty means the page's own origin. */
  endpoint: string;
  tokenProvider: TokenProvider;
  /** Whether Cognito sign-in is configured. */
  cognito: boolean;
  /**
   * Whether to offer a field for an API key on a 401: only without Cognito
   * and when the page talks to the gateway that served it (local mode).
   */
  askForKey: boolean;
}

export function pageConfig(): PageConfig {
  const endpoint = process.env.NEXT_PUBLIC_CHATBOT_API_ENDPOINT ?? "";
  const userPoolId = process.env.NEXT_PUBLIC_COGNITO_USER_POOL_ID ?? "";
  const userPoolClientId = process.env.NEXT_PUBLIC_COGNITO_CLIENT_ID ?? "";
  const tokenUse = process.env.NEXT_PUBLIC_COGNITO_TOKEN_USE === "id" ? "id" : "access";
  if (userPoolId && userPoolClientId) {
    return {
      endpoint,
      cognito: true,
      askForKey: false,
      tokenProvider: amplifyTokenProvider({ tokenUse, cognito: { userPoolId, userPoolClientId } }),
    };
  }
  return { endpoint, cognito: false, askForKey: endpoint === "", tokenProvider: noTokenProvider };
}
