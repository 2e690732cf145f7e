package chat

import (
	"context"
	"errors"
)

// Role is who wrote a message.
type Role string

// The roles a conversation may contain.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
)

// Message is one turn of a conversation, reduced to plain text.
type Message struct {
	Role    Role
	Content string
}

// Request is what a model is asked to answer. The gateway has already
// validated it: Messages is non-empty and MaxTokens is positive and capped.
type Request struct {
	Model       string
	Messages    []Message
	MaxTokens   int
	Temperature *float64 // nil means the model's default
	TopP        *float64 // nil means the model's default
	Stop        []string
	User        string
}

// FinishReason says why a model stopped, in OpenAI's vocabulary.
type FinishReason string

// The finish reasons a Result may carry.
const (
	FinishStop          FinishReason = "stop"
	FinishLength        FinishReason = "length"
	FinishContentFilter FinishReason = "content_filter"
)

// Usage counts tokens. Models report their own counts where they have them.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
}

// Total is the sum of prompt and completion tokens.
func (u Usage) Total() int { return u.PromptTokens + u.CompletionTokens }

// Result is how a completed answer ended.
type Result struct {
	FinishReason FinishReason
	Usage        Usage
}

// Emit receives the answer's text as the model produces it, one piece per
// call, in order. An error from Emit (the client is gone, say) makes the
// model stop and return that error.
type Emit func(text string) error

// Model answers chat requests by streaming text.
//
// Stream calls emit for each piece of text, in order, and returns how the
// answer ended. It must stop promptly and return ctx.Err() (possibly wrapped)
// when ctx ends, and must not call emit after it returns. Implementations are
// safe for concurrent use.
type Model interface {
	Stream(ctx context.Context, req *Request, emit Emit) (Result, error)
}

// Sentinel errors that say whose fault a failure is. The gateway maps them
// to HTTP statuses in one place.
var (
	// ErrInvalidRequest: the request itself is wrong (HTTP 400).
	ErrInvalidRequest = errors.New("invalid request")
	// ErrUnavailable: the model cannot answer now (HTTP 503).
	ErrUnavailable = errors.New("model unavailable")
	// ErrUpstream: the service behind the model failed; neither the
	// client's fault nor the gateway's (HTTP 502).
	ErrUpstream = errors.New("upstream failure")
	// ErrUpstreamTimeout: the service behind the model stopped sending in
	// the middle of an answer (in-band code upstream_timeout; HTTP 504
	// without streaming).
	ErrUpstreamTimeout = errors.New("upstream stopped sending")
	// ErrDeadline: the answer was stopped because the invocation's
	// deadline is near.
	ErrDeadline = errors.New("deadline reached")
)

// PublicError is an error whose message is safe to show a client. Kind is
// one of the sentinel errors above, so errors.Is works on it.
type PublicError struct {
	Kind    error
	Message string
}

func (e *PublicError) Error() string { return e.Message }

// Unwrap returns the error's kind.
func (e *PublicError) Unwrap() error { return e.Kind }

// ModelFunc adapts a function to the Model interface, as http.HandlerFunc
// does for handlers.
type ModelFunc func(ctx context.Context, req *Request, emit Emit) (Result, error)

// Stream calls f(ctx, req, emit).
func (f ModelFunc) Stream(ctx context.Context, req *Request, emit Emit) (Result, error) {
	return f(ctx, req, emit)
}
