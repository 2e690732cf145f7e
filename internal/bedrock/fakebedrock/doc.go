// Package fakebedrock is a stand-in for the Amazon Bedrock runtime's
// InvokeModelWithResponseStream and ConverseStream operations, for tests
// and local runs.
//
// It speaks the real wire protocol over real HTTP: a SigV4-signed POST to
// /model/{modelId}/invoke-with-response-stream answered with
// application/vnd.amazon.eventstream frames encoded by the AWS SDK's own
// codec, each chunk carrying model-native JSON in the shape of the model
// family named by the id. Scripted scenarios produce tokens at a chosen
// pace, HTTP errors, in-stream exceptions, cut connections and silences, so
// the production client can be tested end to end with the real SDK.
// POST /model/{modelId}/converse-stream answers ConverseStream events
// (messageStart … metadata) in the SDK's own shapes, for any model id.
//
// New serves it on a free port of 127.0.0.1. NewPipe serves it over
// in-memory connections instead, for tests in a testing/synctest bubble,
// where the fake's pauses and the client's timers share one fake clock.
//
// It is not a model: the text is generated ("tok1 tok2 ..."), and it checks
// only the shape of the request, not its meaning. It does read the request's
// tools, images and reasoning settings, in each family's shape: it calls a
// tool when tools are offered and the last user message names one (or the
// tool choice forces a call), answers from the tool results it is sent
// ("Tool result: …"), says what images it saw, and streams reasoning first
// when thinking is on (Claude's thinking blocks signed, so that a block
// sent back changed is refused). Bodies Bedrock would refuse — a tool
// result without its tool use, an image for a model without vision,
// thinking with a forced tool — get Bedrock's ValidationException.
package fakebedrock
