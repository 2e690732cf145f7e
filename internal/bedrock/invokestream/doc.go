// Package invokestream reads the event stream of Bedrock's
// InvokeModelWithResponseStream in the caller's own goroutine.
//
// The AWS SDK's reader (bedrockruntime's ResponseStreamReader over
// smithy-go's EventStreamReader) runs three goroutines per stream and hands
// every event across two channels, allocating about 57 times per frame on
// the way. [Open] keeps the SDK client for everything up to the response
// (endpoint resolution, signing, retries, HTTP errors as typed API errors)
// and takes the response body from the operation's middleware stack before
// the SDK's event-stream deserializer would start its goroutines. A
// [Reader] then decodes the frames as they are asked for, allocating
// nothing for an ordinary chunk.
//
// Only the common frame is decoded here: a well-formed event frame of type
// "chunk" whose JSON payload is {"bytes":"<base64>"} (with or without the
// "p" padding member Bedrock adds to stream events). Every other frame (exceptions, error
// frames, unknown events, payloads of any other shape) is handed, as the
// same bytes, to the SDK's own event-stream codec, and from the first
// malformed frame on (a checksum mismatch, a length out of bounds, a
// truncated frame, headers that do not parse) the rest of the stream is
// read by that codec alone. The SDK therefore decides every event and
// every error that is not an ordinary chunk; FuzzReaderMatchesSDK holds
// the two readers to the same events and errors on any bytes.
package invokestream
