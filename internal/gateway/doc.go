// Package gateway is the HTTP face of the chatbot: one http.Handler that
// serves two OpenAI wire formats, Chat Completions (POST
// /v1/chat/completions) and Responses (POST /v1/responses, stateless), with
// GET /v1/models, a health check, and in local mode the chat page. Each wire
// format has its own files (complete.go and chunk.go; responses*.go) over
// the same model call (run), limits, auth and SSE writer.
//
// A request flows: read the body under a size limit → authenticate (JWT or
// API key, payload hash, CIDR, origin secret) → decode and validate → run the
// model → relay its text as SSE frames (or one JSON object). When a
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
