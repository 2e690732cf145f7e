// Package responses is OpenAI's Responses API (POST /v1/responses),
// stateless, for the gateway core: Format decodes a request straight into
// a chat.Request, naming this format's parameters (input[i].content,
// reasoning.effort) in every refusal, and encodes the answer as the
// Responses event sequence (response.created … response.completed) or as
// one response object. A failure after the stream has started ends it with
// response.failed.
//
// Without a state store, what needs stored responses or conversations
// (previous_response_id, conversation) is refused by name; background needs
// the gateway's stream store, which keeps the answer to be read back.
package responses
