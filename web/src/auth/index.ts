export { amplifyTokenProvider, type AmplifyTokenProviderOptions } from "./amplify";
export { browserSessionStorage, sessionCredential, sessionTokenProvider, type SessionCredential } from "./sessionKey";
export { noTokenProvider, staticTokenProvider, type TokenProvider } from "./tokenProvider";
