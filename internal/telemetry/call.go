package telemetry

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Providers as gen_ai.provider.name spells them.
const (
	ProviderBedrock = "aws.bedrock"
	// ProviderLocal is a model that answers inside the gateway (ELIZA).
	ProviderLocal = "chatbot.local"
)

// Call traces one model call: a client span per attempt. A nil *Call
// (tracing off) does nothing.
type Call struct {
	t        *Tracer
	parent   context.Context
	model    string
	provider string
	now      func() time.Time

	mu      sync.Mutex
	span    *Span
	attempt int
	start   time.Time
	first   bool
}

type callKey struct{}

// StartCall starts the first attempt's span of a call of model. reason,
// when set, says why this model answers instead of the one asked for (a
// fallback). The returned context carries the Call, so the model can mark
// its own retries (Retry).
func (t *Tracer) StartCall(ctx context.Context, provider, model, reason string, now func() time.Time) (context.Context, *Call) {
	if t == nil {
		return ctx, nil
	}
	c := &Call{t: t, parent: ctx, model: model, provider: provider, now: now}
	c.startAttempt()
	if reason != "" {
		c.span.set(attr{"chatbot.fallback_reason", reason})
	}
	return context.WithValue(ctx, callKey{}, c), c
}

func (c *Call) startAttempt() {
	c.attempt++
	c.start, c.first = c.now(), false
	_, c.span = c.t.start(c.parent, "chat "+c.model, kindClient, c.start,
		attr{"gen_ai.operation.name", "chat"}, attr{"gen_ai.provider.name", c.provider},
		attr{"gen_ai.request.model", c.model}, attr{"chatbot.attempt", int64(c.attempt)})
}

// Retry ends the current attempt of the call in ctx as failed with err
// and starts the next one. Without a traced call in ctx it does nothing,
// so a model may call it unconditionally.
func Retry(ctx context.Context, err error) {
	c, _ := ctx.Value(callKey{}).(*Call)
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	failSpan(c.span, err)
	c.span.finish(c.now())
	c.startAttempt()
}

// FirstToken notes the first piece of the answer of the current attempt.
func (c *Call) FirstToken() {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.first {
		return
	}
	c.first = true
	now := c.now()
	c.span.addEvent("gen_ai.first_chunk", now)
	c.span.set(attr{"gen_ai.response.time_to_first_chunk", now.Sub(c.start).Seconds()})
}

// Result is how a model call ended, for its last attempt's span.
type Result struct {
	ResponseModel string
	ResponseID    string
	FinishReason  string // empty for an answer that did not finish
	Usage         chat.Usage
	CostUSD       float64
	Priced        bool
	Err           error
}

// End ends the call's last attempt with its result.
func (c *Call) End(r Result) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	s := c.span
	u := r.Usage
	s.set(attr{"gen_ai.response.model", r.ResponseModel},
		// Input tokens include cached ones, as the convention asks.
		attr{"gen_ai.usage.input_tokens", int64(u.PromptTokens + u.CacheReadTokens + u.CacheWriteTokens)},
		attr{"gen_ai.usage.output_tokens", int64(u.CompletionTokens)})
	if u.CacheReadTokens > 0 || u.CacheWriteTokens > 0 {
		s.set(attr{"gen_ai.usage.cache_read.input_tokens", int64(u.CacheReadTokens)},
			attr{"gen_ai.usage.cache_creation.input_tokens", int64(u.CacheWriteTokens)})
	}
	if r.ResponseID != "" {
		s.set(attr{"gen_ai.response.id", r.ResponseID})
	}
	if r.FinishReason != "" {
		s.set(attr{"gen_ai.response.finish_reasons", []string{r.FinishReason}})
	}
	if r.Priced {
		s.set(attr{"chatbot.cost_usd", r.CostUSD})
	}
	failSpan(s, r.Err)
	s.finish(c.now())
}

func failSpan(s *Span, err error) {
	if err == nil {
		return
	}
	s.fail(err.Error())
	s.set(attr{"error.type", errorType(err)})
}

// errorType is error.type: the failure's kind, low in cardinality.
func errorType(err error) string {
	for _, k := range []struct {
		err  error
		name string
	}{{chat.ErrInvalidRequest, "invalid_request"}, {chat.ErrUnavailable, "unavailable"}, {chat.ErrUpstreamTimeout, "upstream_timeout"},
		{chat.ErrUpstream, "upstream"}, {chat.ErrDeadline, "deadline"},
		{context.Canceled, "canceled"}, {context.DeadlineExceeded, "timeout"}} {
		if errors.Is(err, k.err) {
			return k.name
		}
	}
	return "_OTHER"
}
