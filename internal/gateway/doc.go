// Package gateway is the core of the chatbot's HTTP face: one http.Handler
// that routes, checks and records every request, and drives the wire
// formats that speak to clients. It knows no wire format itself: each
// implements Format (internal/chatcompletions for POST
// /v1/chat/completions, internal/responses for POST /v1/responses) and
// internal/app hands them over in Config.Formats. The core also serves GET
// /v1/models, POST /v1/tokens, a health check and, in local mode, the chat
// page.
//
// A model request flows through one path, whatever its format: CORS and
// the loopback-host check → read the body under a size limit →
// authenticate (Authenticator) → decode (Format.Decode, under Limits) →
// pick the model and check its capabilities → admit the caller (Limiter)
// → bound the deadline → run the model (and the fallback model when it
// fails before its first token) → relay its deltas through the format's
// Stream as SSE events, every one through Events.Emit, or Collect them
// into one JSON object.
//
// A failure before the status line has left is answered with its own
// status (a stream's status waits for the first event: deferred.go); after
// it, the format's Stream.Fail ends the stream in-band. A panic takes the
// same two ways. Errors become statuses and OpenAI error objects in one
// place (errors.go); internal error text never reaches a client, and
// errors of other packages say how a client is told them through
// PublicError. Each request leaves one Record: the log line and metrics.
//
// The same handler runs under net/http locally and under lambdaurl on AWS
// Lambda, so it never relies on http.Flusher, recovers its own panics, and
// ends every stream a margin before the request context's deadline.
//
// Both formats decode the same things the same way through the exported
// helpers of decode.go, images.go, tooldefs.go and thinking.go, each naming
// its own parameters.
package gateway
