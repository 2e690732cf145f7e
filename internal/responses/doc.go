// Package responses is OpenAI's Responses API (POST /v1/responses),
// stateless, for the gateway core: Format decodes a request straight into
// a chat.Request, naming this format's parameters (input[i].content,
// reasoning.effort) in every refusal, and encodes the answer as the
// Responses event sequence (response.created … response.completed) or as
// one response object. A failure after the stream has started ends it with
// response.failed.
//
// The gateway keeps no state, so what needs stored responses or
// conversations (previous_response_id, store: true, background) is refused
// by name.
package responses
