// Package app is the one place that reads the gateway's configuration and
// assembles it.
//
// [Load] reads every environment variable, in one grammar, and reports all
// problems at once; [New] builds the HTTP handler from a [Config]: the models
// (Amazon Bedrock, ELIZA), the auth guard (with API keys read from Secrets
// Manager), metrics and the chat page; [Serve] runs it as the local server
// (with [NewServer]'s limits on slow clients) and [LambdaHandler] as the
// Lambda function, with a check of each event.
// The command (cmd/chatbot), the benchmark rig and the end-to-end tests all
// build the gateway through New, so what they measure is what runs.
//
// No other package reads the environment: they take plain configuration
// structs and keep their own validation functions, which Load calls.
package app
