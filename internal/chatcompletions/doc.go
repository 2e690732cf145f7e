// Package chatcompletions is OpenAI's Chat Completions wire format (POST
// /v1/chat/completions) for the gateway core: Format decodes a request
// straight into a chat.Request, naming this format's parameters
// (messages[i].content, reasoning_effort) in every refusal, and encodes
// the answer as chat.completion.chunk frames ending with [DONE], or as one
// chat.completion object. A failure after the stream has started ends it
// with an error frame and no [DONE].
//
// The chunk encoder appends to one reused buffer: the relay path runs once
// per token and allocates nothing per frame.
package chatcompletions
