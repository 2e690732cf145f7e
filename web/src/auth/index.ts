export { amplifyTokenProvider, type AmplifyTokenProviderOptions } from "./amplify";
export { noTokenProvider, staticTokenProvider, type TokenProvider } from "./tokenProvider";
