// Package bedrock answers chat requests with Amazon Bedrock foundation models
// through InvokeModelWithResponseStream (each family's own body and chunks)
// or ConverseStream (one format for every model, in the SDK's own types),
// chosen per model ([Config.APIOf]).
//
// It owns the parts that depend on Bedrock: configuration from the
// environment, the request body and stream chunk shape of each supported
// model family (Anthropic Claude, Amazon Nova, Meta Llama 3/4, Mistral,
// Amazon Titan Text, OpenAI gpt-oss, DeepSeek R1 and V3, Qwen3), one file
// per family, with the tools, images and reasoning each one takes (its
// Capabilities; what it lacks it refuses by name), what each model can do
// by its AWS model card ([CardOf]), the retry policy before
// the first token, and
// [FallbackReason], the one place that decides whether a failure should be
// answered by the built-in model instead, and which failures are
// configuration errors (a retired, missing or forbidden model).
//
// It is not an HTTP handler and knows nothing of SSE: a [Model] streams
// chat.Deltas (text, reasoning, tool call pieces) through a chat.Emit
// callback. Deadline margins and the fallback
// itself belong to the caller.
//
// Package fakebedrock, below this one, is a Bedrock stand-in that speaks the
// real eventstream wire protocol, for tests and local runs.
package bedrock
