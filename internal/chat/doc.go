// Package chat holds the gateway's domain: the chat request a client makes,
// the answer a model streams back, and the Model interface that every model
// (ELIZA, Amazon Bedrock) implements.
//
// It knows nothing of HTTP, SSE or AWS. Adapters live around it: the gateway
// package turns HTTP requests into chat.Requests, and the model packages turn
// chat.Requests into answers.
package chat
