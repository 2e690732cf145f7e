package gateway

import (
	"context"
	"log/slog"
	"net/http"
)

// Backgrounder is an Exchange that may ask to be answered in the
// background (Responses' background: true): the request is answered at
// once, the answer is produced without the client and kept, and the client
// reads it back by id (GET {route}/{id}, with stream=true to follow it).
type Backgrounder interface {
	Background() bool
	// Accepted is the object the request is answered with at once.
	Accepted(m *Meta) any
}

// background answers a background request: at once with the format's
// accepted object, then the answer is produced by Config.Detach, with the
// request's limits held until it ends (end). It reports false, having done
// nothing, when background answers are off here.
func (h *Handler) background(ctx context.Context, w http.ResponseWriter, f Format, x Exchange, m *Meta, rec *Record, end func()) {
	b := x.(Backgrounder)
	writeJSON(w, http.StatusOK, b.Accepted(m))
	bctx := context.WithoutCancel(ctx) // the caller, without the request's end
	prec := *rec                       // the producer's own record
	prec.Path += " (background)"
	h.cfg.Detach(func() {
		defer end()
		defer func() {
			if v := recover(); v != nil {
				h.log.Error("panic in a background response", slog.String("request_id", prec.ID), slog.Any("panic", v))
			}
		}()
		h.stream(bctx, discard{}, f, x, m, &prec)
		h.log.Info("background response ended", slog.String("request_id", prec.ID), slog.String("outcome", orDefault(prec.Outcome, "complete")),
			slog.String("model", prec.Model), slog.String("error_code", prec.ErrorCode), slog.Any("error", prec.Err))
	})
}

// wantsBackground reports whether x asks to be answered in the
// background.
func wantsBackground(x Exchange) bool {
	b, ok := x.(Backgrounder)
	return ok && b.Background()
}

// discard is the ResponseWriter of a background answer, which has no
// client: its events go only to the kept stream.
type discard struct{}

func (discard) Header() http.Header         { return http.Header{} }
func (discard) Write(p []byte) (int, error) { return len(p), nil }
func (discard) WriteHeader(int)             {}
