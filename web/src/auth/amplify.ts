// Token provider backed by AWS Amplify (Cognito user pools). aws-amplify is
// imported dynamically so that pages which never use Cognito never load it.

import type { TokenProvider } from "./tokenProvider";

export interface AmplifyTokenProviderOptions {
  /**
   * Which Cognito token to send. "access" (the default) matches the gateway's
   * default COGNITO_TOKEN_USE=access; use "id" when the gateway is set to accept ID tokens.
   */
  tokenUse?: "access" | "id";
  /**
   * When set, Amplify is configured with this user pool on first use. Leave it
   * out when the app already calls Amplify.configure itself.
   */
  cognito?: { userPoolId: string; userPoolClientId: string };
}

/**
 * Returns a provider that reads the signed-in user's token with
 * fetchAuthSession, which refreshes it when it has expired. When nobody is
 * signed in it returns undefined and the gateway answers 401, which the chat
 * shows as a sign-in error.
 */
export function amplifyTokenProvider(options: AmplifyTokenProviderOptions = {}): TokenProvider {
  let configured: Promise<void> | undefined;
  const configure = (): Promise<void> => {
    configured ??= (async () => {
      if (!options.cognito) {
        return;
      }
      const { Amplify } = await import("aws-amplify");
      Amplify.configure({
        Auth: {
          Cognito: {
            userPoolId: options.cognito.userPoolId,
            userPoolClientId: options.cognito.userPoolClientId,
          },
        },
      });
    })();
    return configured;
  };

  return {
    async getToken() {
      await configure();
      const { fetchAuthSession } = await import("aws-amplify/auth");
      const session = await fetchAuthSession();
      const token = options.tokenUse === "id" ? session.tokens?.idToken : session.tokens?.accessToken;
      return token?.toString();
    },
  };
}
