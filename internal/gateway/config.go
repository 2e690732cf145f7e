package gateway

import (
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/streambuf"
	"github.com/chatbot-gateway/chatbot/internal/telemetry"
)

// ModelEntry is a model the gateway offers.
type ModelEntry struct {
	ID      string
	OwnedBy string
	Model   chat.Model
}

// The defaults of Config, which internal/app reads for the settings left
// unset. New takes every value as given.
const (
	DefaultMaxBodyBytes       = 256 << 10
	DefaultMaxMessages        = 200
	DefaultMaxTokens          = 1024
	DefaultMaxTools           = 128
	DefaultMaxToolSchemaBytes = 16 << 10
	DefaultMaxImages          = 8
	DefaultMaxImageBytes      = 3_750_000
	DefaultHeartbeat          = 10 * time.Second
	DefaultDeadlineMargin     = 2 * time.Second
)

// DefaultLimits are the request limits of the defaults.
func DefaultLimits() Limits {
	return Limits{MaxMessages: DefaultMaxMessages, MaxTokens: DefaultMaxTokens, MaxTools: DefaultMaxTools,
		MaxToolSchemaBytes: DefaultMaxToolSchemaBytes, MaxImages: DefaultMaxImages, MaxImageBytes: DefaultMaxImageBytes}
}

// Config configures a Handler. New checks it and fills in nothing but the
// hooks documented as optional (Logger, RequestID, Now); the Default*
// constants are the values internal/app uses when a setting is unset.
type Config struct {
	Models []ModelEntry // at least one
	// Formats are the wire formats served, each on its own POST route.
	Formats       []Format
	DefaultModel  string // default: the first entry
	FallbackModel string // answers when another model fails before its first token; "" disables
	// Fallback decides whether a failure before the first token may be
	// answered by FallbackModel, and why (the reason is logged).
	Fallback func(err error) (reason string, ok bool)
	// Chain are further models tried in order, before FallbackModel, when
	// a model fails as Fallback allows (each must be in Models).
	Chain []string
	// Failover continues an answer that failed after its first token, as
	// Fallback allows and while its output is text only, on the next
	// model of Chain in the same stream.
	Failover bool
	// ConfigErrorReason names a configuration error (a model retired, not
	// found, not allowed) for the log; nil: "model_config".
	ConfigErrorReason func(err error) (reason string, ok bool)

	Auth           Authenticator // nil: no checks (local mode on loopback only)
	Tokens         Minter        // serves POST /v1/tokens; nil: no such route
	Limiter        Limiter       // rate limits and budgets per caller; nil: none
	MaxBodyBytes   int64         // at least 1
	Limits         Limits        // what one request may ask for; each at least 1
	Heartbeat      time.Duration // SSE comment interval while a model is silent; 0: none
	DeadlineMargin time.Duration // stop this long before the request deadline; 0: at it
	// Price prices each answer from its usage (the log's cost_usd, the
	// dollar budgets); nil: every answer's cost is unknown.
	Price Pricer
	// Usage answers GET /v1/usage; nil: no such route.
	Usage UsageReporter
	// Tracer traces requests and model attempts; nil: no spans at all.
	Tracer *telemetry.Tracer
	Static http.Handler // serves the chat page at /; nil: none
	// AllowedOrigins are the exact origins CORS allows ("*" alone: any);
	// see ParseOrigins. Empty: no cross-origin browser access.
	AllowedOrigins []string
	// LoopbackOnly serves only requests addressed to a loopback name or
	// address on the port they arrived on (others get 421): the guard
	// against DNS rebinding when auth is off.
	LoopbackOnly bool

	Logger    *slog.Logger               // default: slog.Default()
	RequestID func(*http.Request) string // default: a random id
	Now       func() time.Time           // default: time.Now
	// Observe, when set, receives every request's record after it ends
	// (metrics). It must not keep the pointer.
	Observe func(*Record)

	// Streams keeps every streamed answer, so that a client whose
	// connection dropped can resume it (docs/api.md#resuming-a-stream);
	// nil: streams are not kept, and a client that leaves stops the
	// answer.
	Streams streambuf.Store
	// StreamWriter and StreamFollow tune how kept streams are written
	// and followed.
	StreamWriter streambuf.WriterConfig
	StreamFollow streambuf.FollowConfig
	// MaxStreamTime bounds a kept stream's producer where the request has
	// no deadline of its own (locally); default 15 minutes, Lambda's
	// longest invocation.
	MaxStreamTime time.Duration
	// Detach runs a background answer (Responses' background: true) where
	// it can finish without the request: a goroutine locally. Nil with
	// Handoff nil: background answers are refused.
	Detach func(produce func())
	// Handoff hands a background answer to another invocation, where the
	// one that accepts it ends with its response (Lambda); it is used
	// instead of Detach when set, and needs Streams, which keeps the job
	// (RunJob runs it).
	Handoff Handoff
	// JobMaxAge is how long a handed-off job may wait to be claimed
	// before it reads as failed (DefaultJobMaxAge).
	JobMaxAge time.Duration
}

// check refuses limits that would refuse every request, and negative
// durations.
func (c *Config) check() error {
	l := c.Limits
	for _, v := range []struct {
		name string
		n    int64
	}{
		{"MaxBodyBytes", c.MaxBodyBytes}, {"MaxMessages", int64(l.MaxMessages)}, {"MaxTokens", int64(l.MaxTokens)},
		{"MaxTools", int64(l.MaxTools)}, {"MaxToolSchemaBytes", int64(l.MaxToolSchemaBytes)},
		{"MaxImages", int64(l.MaxImages)}, {"MaxImageBytes", int64(l.MaxImageBytes)},
	} {
		if v.n < 1 {
			return fmt.Errorf("gateway: %s is %d; want at least 1", v.name, v.n)
		}
	}
	if c.Heartbeat < 0 || c.DeadlineMargin < 0 {
		return fmt.Errorf("gateway: Heartbeat %v and DeadlineMargin %v must not be negative", c.Heartbeat, c.DeadlineMargin)
	}
	return nil
}
