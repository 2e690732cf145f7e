package gateway

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/sse"
	"github.com/chatbot-gateway/chatbot/internal/telemetry"
)

// Record is what the gateway knows about one request when it ends: the
// source of the request log line and of metrics.
type Record struct {
	ID, Method, Path string
	// Route is the route that served the request: its path, or "" for a
	// path that is none of the gateway's (metrics count those together).
	Route    string
	Start    time.Time
	Status   int
	Model    string // the model that answered
	Fallback string // why the fallback model answered, if it did
	// Failovers counts the answers continued on another model after a
	// failure past the first token.
	Failovers    int
	FirstByte    time.Duration // until the status line left: for a stream, with the first token or ping
	FirstToken   time.Duration // until the first text left; 0 if none
	Duration     time.Duration
	OutputTokens int // as the model reported them; 0 if it did not
	PromptTokens int // as the model reported them; 0 if it did not
	// CacheReadTokens and CacheWriteTokens are the prompt read from and
	// written to the model's prompt cache, as it reported them.
	CacheReadTokens, CacheWriteTokens int
	Deltas                            int    // the pieces of the answer relayed, which are not tokens
	FinishReason                      string // of a completed answer: stop, length, content_filter
	RateLimited                       string // the limit that refused the request, if one did
	QuotaStoreError                   bool   // the rate limit store failed on this request
	// ModelConfigError is why the model could not answer as configured
	// (retired, not found, not allowed), if that happened; the fallback
	// may still have answered.
	ModelConfigError string
	Subject          string // the caller's verified subject, never a token
	AuthRefusal      string // the auth error code when refused
	Outcome          string // complete, error, client_gone, panic
	ErrorCode        string // the error code sent, in-band or not
	// CostUSD is what the answer cost, in US dollars, from the models'
	// own usage, cut answers included; it holds when Pricing is Priced.
	CostUSD float64
	// Pricing says whether CostUSD is known: "" when no model ran.
	Pricing Pricing
	// CallerGroup is the caller's group for the cost metrics.
	CallerGroup string
	// ChargedTokens is what the call cost the caller's token budget (see
	// charge); 0 when no limiter counted it.
	ChargedTokens int
	span          *telemetry.Span // the server span, when tracing
	// used is what the models asked reported, summed: with a fallback, the
	// failed model's usage and the fallback's.
	used chat.Usage
	// StreamKept says whether the stream was kept for resuming: "kept",
	// "error" (the store refused or failed), or "" (not kept).
	StreamKept string
	// Err is why the request failed: internal text for the log line
	// (Bedrock's exception, the JWT library's reason), never sent to the
	// client. Nil when it did not fail.
	Err error
}

// recorder notes the status and the time of the first byte. It exposes the
// writer beneath through Unwrap, so http.ResponseController still reaches a
// Flusher where there is one.
type recorder struct {
	http.ResponseWriter
	rec    *Record
	now    func() time.Time
	wrote  bool
	stream *sse.Writer // set once the SSE stream has started
	// failStream ends a started stream after a panic in its own wire
	// format.
	failStream func(*Error)
}

// startStream starts the SSE stream on w and notes it, so that a panic
// later can still end it with an in-band error.
func startStream(w http.ResponseWriter) (*sse.Writer, error) {
	sw, err := sse.Start(w)
	if rw, ok := w.(*recorder); ok && err == nil {
		rw.stream = sw
	}
	return sw, err
}

func (r *recorder) WriteHeader(status int) {
	if !r.wrote {
		r.wrote = true
		r.rec.Status = status
		r.rec.FirstByte = r.now().Sub(r.rec.Start)
	}
	r.ResponseWriter.WriteHeader(status)
}

func (r *recorder) Write(p []byte) (int, error) {
	if !r.wrote {
		r.WriteHeader(http.StatusOK)
	}
	return r.ResponseWriter.Write(p)
}

// Unwrap lets http.ResponseController find the underlying writer.
func (r *recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }

func (h *Handler) finish(rec *Record) {
	rec.Duration = h.cfg.Now().Sub(rec.Start)
	if rec.Outcome == "" {
		rec.Outcome = "complete"
		if rec.Status >= 400 {
			rec.Outcome = "error"
		}
	}
	attrs := []slog.Attr{
		slog.String("request_id", rec.ID),
		slog.String("method", rec.Method),
		slog.String("path", rec.Path),
		slog.Int("status", rec.Status),
		slog.String("outcome", rec.Outcome),
		slog.Float64("ttfb_ms", ms(rec.FirstByte)),
		slog.Float64("duration_ms", ms(rec.Duration)),
	}
	if rec.Model != "" {
		attrs = append(attrs, slog.String("model", rec.Model), slog.Int("output_tokens", rec.OutputTokens), slog.Int("deltas", rec.Deltas))
	}
	if rec.CacheReadTokens > 0 || rec.CacheWriteTokens > 0 {
		attrs = append(attrs, slog.Int("cache_read_tokens", rec.CacheReadTokens), slog.Int("cache_write_tokens", rec.CacheWriteTokens))
	}
	if rec.FirstToken > 0 {
		attrs = append(attrs, slog.Float64("ttft_ms", ms(rec.FirstToken)))
	}
	switch rec.Pricing {
	case Priced:
		attrs = append(attrs, slog.Float64("cost_usd", rec.CostUSD))
	case Unpriced:
		attrs = append(attrs, slog.String("cost_usd", "unknown"))
	}
	for _, a := range [...]struct{ k, v string }{
		{"fallback", rec.Fallback}, {"sub", rec.Subject}, {"auth_refusal", rec.AuthRefusal}, {"error_code", rec.ErrorCode},
		{"finish_reason", rec.FinishReason}, {"rate_limited", rec.RateLimited}, {"model_config_error", rec.ModelConfigError},
	} {
		if a.v != "" {
			attrs = append(attrs, slog.String(a.k, a.v))
		}
	}
	if rec.Failovers > 0 {
		attrs = append(attrs, slog.Int("failovers", rec.Failovers))
	}
	if rec.ChargedTokens > 0 {
		attrs = append(attrs, slog.Int("charged_tokens", rec.ChargedTokens))
	}
	if rec.QuotaStoreError {
		attrs = append(attrs, slog.Bool("quota_store_error", true))
	}
	if rec.Err != nil {
		attrs = append(attrs, slog.String("error", rec.Err.Error()))
	}
	level := slog.LevelInfo
	switch {
	case rec.Status >= 500 || rec.Outcome == "panic":
		level = slog.LevelError
	case rec.Outcome == "error" && rec.Status < 400:
		level = slog.LevelWarn // failed after the stream started
	}
	h.log.LogAttrs(context.Background(), level, "request", attrs...)
	if rec.span != nil {
		telemetry.EndServer(rec.span, rec.Status, rec.ErrorCode, rec.Err)
	}
	if h.cfg.Observe != nil {
		h.cfg.Observe(rec)
	}
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
