// Package fakebedrock is a stand-in for the Amazon Bedrock runtime's
// InvokeModelWithResponseStream operation, for tests and local runs.
//
// It speaks the real wire protocol over real HTTP: a SigV4-signed POST to
// /model/{modelId}/invoke-with-response-stream answered with
// application/vnd.amazon.eventstream frames encoded by the AWS SDK's own
// codec, each chunk carrying model-native JSON in the shape of the model
// family named by the id. Scripted scenarios produce tokens at a chosen
// pace, HTTP errors, in-stream exceptions, cut connections and silences, so
// the production client can be tested end to end with the real SDK.
//
// New serves it on a free port of 127.0.0.1. NewPipe serves it over
// in-memory connections instead, for tests in a testing/synctest bubble,
// where the fake's pauses and the client's timers share one fake clock.
//
// It is not a model: the text is generated ("tok1 tok2 ..."), and it checks
// only the shape of the request, not its meaning.
package fakebedrock
