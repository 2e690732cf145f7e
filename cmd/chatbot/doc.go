// Command chatbot is the streaming chatbot gateway.
//
// With AWS_LAMBDA_RUNTIME_API set (on AWS Lambda) it serves function URL
// invocations in response-streaming mode through lambdaurl (behind
// app.LambdaHandler); otherwise it is
// a local HTTP server on CHATBOT_ADDR that also serves the chat page. Either
// way the configuration comes from environment variables, is checked once at
// start-up, and the handler with its AWS clients and key set is built once.
//
//	chatbot                 run the gateway
//	chatbot apikey [NAME]   generate an API key and the hash to configure
//	chatbot version         the version stamped at build time
//
// It holds no logic of its own beyond wiring: see internal/gateway.
package main
