// Package authtest helps tests and benchmarks of code that sits behind
// package auth: an OIDC issuer on 127.0.0.1 that serves a JWKS of keys
// generated in the test and counts its fetches, Cognito-shaped ID and
// access tokens signed by it, the environment that points the gateway's
// configuration at it, API keys and payload hashes.
//
// It is for tests only; nothing in it is safe for production use.
package authtest
