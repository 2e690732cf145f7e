package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// RunJob produces the background answer a JobEvent names, in the
// invocation it was handed to: it claims the job (once; a second delivery
// or a made-up event is logged and ignored), answers the request kept
// with it as its caller, within ctx's deadline less the margin, and
// settles the caller's grant with what the answer used. The answer's
// outcome, failures included, is in its kept stream, so RunJob returns an
// error only when the job could not be looked at (the store failed).
func (h *Handler) RunJob(ctx context.Context, ev JobEvent) error {
	r, _ := http.NewRequestWithContext(ctx, http.MethodPost, "/", nil)
	rec := &Record{ID: h.cfg.RequestID(r), Method: http.MethodPost, Start: h.cfg.Now()}
	log := h.log.With(slog.String("request_id", rec.ID), slog.String("response_id", ev.ID))
	if h.cfg.Streams == nil || h.cfg.Handoff == nil {
		log.Warn("background job ignored: background answers are not handed off here")
		return nil
	}
	key := streambuf.Key{Caller: ev.Caller, ID: ev.ID}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = h.cfg.Now().Add(h.cfg.MaxStreamTime)
	}
	sctx, cancel := context.WithTimeout(ctx, h.storeTimeout())
	hd, err := h.cfg.Streams.Claim(sctx, key, ev.Hash, deadline)
	cancel()
	if err != nil {
		var reason string
		switch {
		case errors.Is(err, streambuf.ErrNotFound), errors.Is(err, streambuf.ErrInvalidKey):
			reason = "no such stream for this caller"
		case errors.Is(err, streambuf.ErrNoJob):
			reason = "the stream has no job of this hash"
		case errors.Is(err, streambuf.ErrClaimed):
			reason = "the job was claimed already (a second delivery)"
		case errors.Is(err, streambuf.ErrJobExpired):
			reason = "the job waited past its age limit and reads as failed"
		default:
			log.Error("background job not claimed: the stream store failed", slog.String("error", err.Error()))
			return fmt.Errorf("claim background job: %w", err)
		}
		log.Warn("background job ignored", slog.String("reason", reason), slog.String("error", err.Error()))
		return nil
	}
	keep := streambuf.NewWriter(h.cfg.Streams, key, h.cfg.StreamWriter)
	state, relayed := streambuf.Failed, false
	defer func() {
		if v := recover(); v != nil {
			rec.Outcome, rec.Err = "panic", fmt.Errorf("%w: %v", errPanic, v)
			log.Error("panic in a background response", slog.Any("panic", v))
		}
		if !relayed { // relay ends the kept stream itself
			h.endKept(keep, state, rec)
		}
		h.finish(rec)
	}()
	var j keptJob
	if err := json.Unmarshal(hd.Job, &j); err != nil {
		rec.Err, rec.Outcome = fmt.Errorf("decode background job: %w", err), "error"
		return nil
	}
	f, ok := h.formats[j.Format]
	if !ok {
		rec.Err, rec.Outcome = fmt.Errorf("background job of unknown format %q", j.Format), "error"
		return nil
	}
	// Its own line and metrics, under a route of its own: the POST that
	// accepted it has counted the request already. An in-band failure
	// counts as a stream's (status 200, outcome error).
	rec.Path, rec.Route, rec.Status = f.Path()+" (background)", f.Path()+" (background)", http.StatusOK
	if j.Caller != nil {
		c := &Caller{Subject: j.Caller.Subject, Key: j.Caller.Key, Groups: j.Caller.Groups, Group: j.Caller.Group}
		rec.Subject, rec.CallerGroup = c.Subject, c.Group
		ctx = context.WithValue(ctx, callerKey{}, c)
	}
	// The grant taken at the POST is settled here however the job ends:
	// with nothing used until the model runs.
	var g Grant
	if ro, ok := h.cfg.Limiter.(Reopener); ok && j.Grant != nil {
		if g, err = ro.Reopen(ctx, j.Grant); err != nil {
			log.Warn("background job's grant not reopened: its reservation stays as taken", slog.String("error", err.Error()))
		}
	}
	settle := func() { unused(g) }
	defer func() { settle() }()
	if hd.CancelRequested {
		state, rec.Outcome, rec.ErrorCode = streambuf.Cancelled, "cancelled", "cancelled"
		return nil
	}
	x, err := h.decode(ctx, f, j.Body, rec)
	if err != nil {
		// Accepted a moment ago, the request no longer holds (a stored
		// response it continues has gone): the stream ends failed.
		rec.Err, rec.Outcome, rec.ErrorCode = err, "error", toAPIError(err).Code
		return nil
	}
	settle = settler(g, x.Request(), rec)
	m := &Meta{ID: j.Request, Model: x.Request().Model, Created: j.Created, Now: h.cfg.Now}
	bctx, stop := h.bound(ctx)
	defer stop()
	relayed = true
	h.relay(bctx, discard{}, f, x, m, rec, keep)
	log.Info("background response ended", slog.String("outcome", orDefault(rec.Outcome, "complete")),
		slog.String("model", rec.Model), slog.String("error_code", rec.ErrorCode), slog.Any("error", rec.Err))
	return nil
}
