// Package convstore keeps what a caller asked to keep on the server: stored
// responses (OpenAI's Responses API with store: true, read back by id and
// continued with previous_response_id) and conversations (the Conversations
// API: a titled, ordered list of items that responses append to).
//
// Everything is keyed by the caller first: every method takes the caller's
// identity and can only reach that caller's records, so another caller's id
// is simply not found. The store holds items as the API shows them (JSON),
// without interpreting them; the wire formats build and read them.
//
// Two stores implement Store: Memory, for one process (make run, tests),
// and Dynamo, one DynamoDB table shared by every instance (production).
// Records expire TTL after they were created: a response with everything
// it holds, a conversation with all of its items (one expiry for the whole
// conversation, so an old conversation is never cut short at its start).
// Records larger than one DynamoDB item are split into parts, never
// truncated.
//
// It is not a cache of model answers and it does not count against any
// rate limit or budget; its own caps (conversations per caller, items per
// conversation, bytes per record) are refused with a *CapError that names
// the cap.
package convstore
