package gateway

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/streambuf"
	"github.com/chatbot-gateway/chatbot/internal/telemetry"
)

// answer serves a model route in wire format f: accept the request, then
// stream the answer or send it whole.
func (h *Handler) answer(w http.ResponseWriter, r *http.Request, rec *Record, f Format) {
	x, ctx, adm, ok := h.accept(w, r, rec, f)
	if !ok {
		return
	}
	m := &Meta{ID: rec.ID, Model: x.Request().Model, Created: h.cfg.Now(), Now: h.cfg.Now}
	if wantsBackground(x) {
		switch {
		case h.cfg.Streams == nil || h.cfg.Detach == nil && h.cfg.Handoff == nil:
			adm.end()
			fail(w, rec, Invalid("background", "unsupported_parameter",
				"background: true is not available here: it needs the stream store (STREAM_TABLE on Lambda)"))
			return
		case x.Streaming():
			// Streamed here, the answer goes on when the client leaves
			// (a kept stream), within this request's deadline.
		case h.cfg.Handoff != nil:
			h.handoff(ctx, w, f, x, m, rec, adm)
			return
		default:
			h.background(ctx, w, f, x, m, rec, adm.end)
			return
		}
	}
	defer adm.end()
	if x.Streaming() {
		h.stream(ctx, w, f, x, m, rec)
	} else {
		h.collect(ctx, w, x, m, rec)
	}
}

// stream relays the answer as SSE. The status line leaves with the first
// event, or with a ping once the heartbeat interval has passed in silence;
// a failure before that is answered with its own status, as without
// streaming. After it, a failure or a panic ends the stream with the
// format's own in-band error. A kept stream goes on when its client
// leaves, until the answer ends, the deadline or a cancel request.
func (h *Handler) stream(ctx context.Context, w http.ResponseWriter, f Format, x Exchange, m *Meta, rec *Record) {
	h.relay(ctx, w, f, x, m, rec, h.keep(ctx, f, x, m, rec))
}

// relay is stream with the kept stream's writer, nil when not kept.
func (h *Handler) relay(ctx context.Context, w http.ResponseWriter, f Format, x Exchange, m *Meta, rec *Record, keep *streambuf.Writer) {
	mctx := ctx
	if keep != nil {
		var stop func()
		mctx, stop = h.detach(ctx, keep)
		defer stop()
	}
	state := streambuf.Failed // what the kept stream ends with, also after a panic
	defer func() { h.endKept(keep, state, rec) }()
	out := deferStream(ctx, w, h.cfg.Heartbeat)
	defer out.stop() // also when the model panics
	ev := &Events{out: out, keep: keep}
	s := x.Begin(m, ev)
	if rw, ok := w.(*recorder); ok {
		rw.failStream = s.Fail // once the stream has started
	}
	res, err := h.run(mctx, x.Request(), rec, s.Delta, func(id string) { m.Model = id; s.Switch(id) })
	out.stop()
	if err != nil {
		if errors.Is(context.Cause(mctx), errCancelled) {
			state, rec.Outcome, rec.ErrorCode = streambuf.Cancelled, "cancelled", "cancelled"
			s.Fail(&Error{Status: http.StatusOK, Type: typeInvalidRequest, Code: "cancelled", Message: "the response was cancelled"})
			return
		}
		cause, gone := failure(mctx, err)
		if gone || (keep == nil && ev.err != nil) {
			rec.Outcome = "client_gone"
			return
		}
		rec.Err = err
		if !out.started() && ev.err == nil {
			fail(w, rec, cause)
			return
		}
		e := inBand(cause)
		rec.Outcome, rec.ErrorCode = "error", e.Code
		s.Fail(e)
		return
	}
	res, u := settle(res, rec)
	if err := s.Finish(res, u); err != nil {
		if ev.err != nil {
			rec.Outcome = "client_gone"
			return
		}
		// The format could not finish (it could not keep the answer):
		// it ended the stream with its in-band error.
		rec.Err, rec.Outcome, rec.ErrorCode = err, "error", inBand(err).Code
	}
	state = streambuf.Completed
}

// collect answers with one JSON object, or with an error status when the
// model fails.
func (h *Handler) collect(ctx context.Context, w http.ResponseWriter, x Exchange, m *Meta, rec *Record) {
	var a Collected
	res, err := h.run(ctx, x.Request(), rec, func(d chat.Delta) error {
		a.Add(d)
		return nil
	}, func(id string) { m.Model = id })
	if err != nil {
		cause, gone := failure(ctx, err)
		if gone {
			rec.Outcome = "client_gone"
			return
		}
		rec.Err = err
		fail(w, rec, cause)
		return
	}
	res, u := settle(res, rec)
	v := x.Collect(m, &a, res, u)
	if err, ok := v.(error); ok {
		rec.Err = err
		fail(w, rec, err)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// ask calls req's model once (the model may retry within), prices what it
// used and adds it to rec, failed or not: a model that read the prompt
// and then failed was billed for it. With tracing on, the call is a
// client span (*call while it runs; a retry inside makes a new one).
func (h *Handler) ask(ctx context.Context, req *chat.Request, rec *Record, fallback string, emit chat.Emit, call **telemetry.Call) (chat.Result, error) {
	if h.cfg.Tracer != nil {
		ctx, *call = h.cfg.Tracer.StartCall(ctx, h.provider(req.Model), req.Model, fallback, h.cfg.Now)
	}
	res, err := h.models[req.Model].Model.Stream(ctx, req, emit)
	rec.used = addUsage(rec.used, res.Usage)
	usd, priced := h.price(rec, req.Model, res.Usage)
	if *call != nil {
		(*call).End(telemetry.Result{ResponseModel: req.Model, ResponseID: rec.ID, FinishReason: string(res.FinishReason),
			Usage: res.Usage, CostUSD: usd, Priced: priced, Err: err})
		*call = nil
	}
	return res, err
}

// settle completes the record of a finished answer and returns the result
// with its finish reason ("stop" when the model named none) and the usage
// the client is told: the model's own token counts, or the number of
// deltas it emitted where it reported none. The record keeps only the
// model's counts.
func settle(res chat.Result, rec *Record) (chat.Result, chat.Usage) {
	if res.FinishReason == "" {
		res.FinishReason = chat.FinishStop
	}
	u := res.Usage
	rec.OutputTokens, rec.PromptTokens = u.CompletionTokens, u.PromptTokens
	rec.CacheReadTokens, rec.CacheWriteTokens = u.CacheReadTokens, u.CacheWriteTokens
	rec.FinishReason = string(res.FinishReason)
	if u.CompletionTokens == 0 {
		u.CompletionTokens = rec.Deltas
	}
	return res, u
}

// failure says why a model call ended with err: the error to report, or
// gone when nobody is listening any more.
func failure(ctx context.Context, err error) (cause error, gone bool) {
	if ctx.Err() != nil {
		switch c := context.Cause(ctx); {
		case errors.Is(c, chat.ErrDeadline), errors.Is(c, errShuttingDown):
			return c, false
		default:
			return nil, true
		}
	}
	return err, false
}

// inBand is the error told to a client once a response has started: like
// toAPIError, but an unexplained failure says the model did not finish.
func inBand(err error) *Error {
	e := toAPIError(err)
	if e.Status == http.StatusInternalServerError {
		return &Error{Status: e.Status, Type: typeServer, Code: "model_error",
			Message: "the model failed before finishing the answer"}
	}
	return e
}

// modelConfigError reports a model that cannot answer as configured: at
// ERROR, with the upstream's own message and the model id, since no retry
// mends it and every request to the model fails the same way until an
// operator acts.
func (h *Handler) modelConfigError(model string, err error, rec *Record) {
	reason := "model_config"
	if h.cfg.ConfigErrorReason != nil {
		if r, ok := h.cfg.ConfigErrorReason(err); ok {
			reason = r
		}
	}
	rec.ModelConfigError = reason
	h.log.Error("model configuration error: the model cannot answer as configured",
		slog.String("request_id", rec.ID), slog.String("model", model),
		slog.String("reason", reason), slog.String("error", err.Error()))
}
