// Package gateway is the HTTP face of the chatbot: one http.Handler that
// serves the OpenAI Chat Completions protocol (POST /v1/chat/completions,
// GET /v1/models), a health check, and in local mode the chat page.
//
// A request flows: read the body under a size limit → authenticate (JWT or
// API key, payload hash, CIDR, origin secret) → decode and validate → run the
// model → relay its text as SSE chunk frames (or one JSON completion). When a
// model fails before its first token and the fallback policy allows it, the
// fallback model (ELIZA) answers instead.
//
// The same handler runs under net/http locally and under lambdaurl on AWS
// Lambda, so it never relies on http.Flusher, recovers its own panics, and
// ends every stream a margin before the request context's deadline.
//
// Errors are mapped to HTTP statuses and OpenAI error objects in exactly one
// place (errors.go); internal error text never reaches a client.
package gateway
