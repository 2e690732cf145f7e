package telemetry

import (
	"context"
	"errors"
	"sync"
	"time"

	"go.opentelemetry.io/otel/codes"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"

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
	tr       trace.Tracer
	parent   context.Context
	model    string
	provider string
	now      func() time.Time

	mu      sync.Mutex
	span    trace.Span
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
	c := &Call{tr: t.tr, parent: ctx, model: model, provider: provider, now: now}
	c.startAttempt()
	if reason != "" {
		c.span.SetAttributes(attrReason.String(reason))
	}
	return context.WithValue(ctx, callKey{}, c), c
}

func (c *Call) startAttempt() {
	c.attempt++
	c.start, c.first = c.now(), false
	_, c.span = c.tr.Start(c.parent, "chat "+c.model, trace.WithSpanKind(trace.SpanKindClient),
		trace.WithTimestamp(c.start),
		trace.WithAttributes(
			semconv.GenAIOperationNameChat,
			semconv.GenAIProviderNameKey.String(c.provider),
			semconv.GenAIRequestModel(c.model),
			attrAttempt.Int(c.attempt)))
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
	c.span.End(trace.WithTimestamp(c.now()))
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
	c.span.AddEvent("gen_ai.first_chunk", trace.WithTimestamp(now))
	c.span.SetAttributes(semconv.GenAIResponseTimeToFirstChunk(now.Sub(c.start).Seconds()))
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
	s.SetAttributes(
		semconv.GenAIResponseModel(r.ResponseModel),
		// Input tokens include cached ones, as the convention asks.
		semconv.GenAIUsageInputTokens(u.PromptTokens+u.CacheReadTokens+u.CacheWriteTokens),
		semconv.GenAIUsageOutputTokens(u.CompletionTokens))
	if u.CacheReadTokens > 0 || u.CacheWriteTokens > 0 {
		s.SetAttributes(
			semconv.GenAIUsageCacheReadInputTokensKey.Int(u.CacheReadTokens),
			semconv.GenAIUsageCacheCreationInputTokensKey.Int(u.CacheWriteTokens))
	}
	if r.ResponseID != "" {
		s.SetAttributes(semconv.GenAIResponseID(r.ResponseID))
	}
	if r.FinishReason != "" {
		s.SetAttributes(semconv.GenAIResponseFinishReasons(r.FinishReason))
	}
	if r.Priced {
		s.SetAttributes(attrCost.Float64(r.CostUSD))
	}
	failSpan(s, r.Err)
	s.End(trace.WithTimestamp(c.now()))
}

func failSpan(s trace.Span, err error) {
	if err == nil {
		return
	}
	s.SetStatus(codes.Error, err.Error())
	s.SetAttributes(semconv.ErrorTypeKey.String(errorType(err)))
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
