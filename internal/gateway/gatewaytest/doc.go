// Package gatewaytest decodes what the gateway sends, for tests and
// benchmarks: OpenAI chat.completion.chunk frames and in-band error frames,
// and Responses event streams, checked against the documented event
// sequence; all read from an SSE body with the spec-following parser of
// package ssetest.
//
// It is for tests only.
package gatewaytest
