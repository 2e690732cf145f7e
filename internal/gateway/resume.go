package gateway

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// Kept streams: every streamed answer is also written to Config.Streams,
// keyed by the caller and the response id, so that a client whose
// connection dropped can ask for the events after the last id it saw:
//
//	GET  {route}/{id}/stream   with Last-Event-ID: n or ?after=n
//	GET  {route}/{id}?stream=true&starting_after=n   (OpenAI's Responses shape)
//	GET  {route}/{id}          the answer as one object, for formats that are Retrievers
//	POST {route}/{id}/cancel   asks the producer to stop
//
// Only the caller that asked may read: the key holds its identity, so
// another caller's request finds nothing (404, as an unknown id).

// errCancelled is the cause a kept stream's model context ends with when
// its caller cancelled it.
var errCancelled = errors.New("cancelled by its caller")

// Retriever is a Format whose kept answers can be read back as one object:
// Responses' response object, as GET /v1/responses/{id} returns it.
type Retriever interface {
	// Retrieve builds the object from the stream's events so far (each a
	// name and data) and its end, nil while it runs; before the first
	// event, from accepted, the Backgrounder's Accepted object as JSON.
	Retrieve(accepted []byte, events []KeptEvent, end *streambuf.End) (any, error)
}

// KeptEvent is one event of a kept stream.
type KeptEvent struct {
	Name string
	Data []byte
}

// keep starts keeping the stream of the answer m, filed under its
// caller's CallerKey, or returns nil when streams are not kept, the caller
// has no key to file it under, or the store refuses (the answer then
// streams as without it).
func (h *Handler) keep(ctx context.Context, f Format, x Exchange, m *Meta, rec *Record) *streambuf.Writer {
	if h.cfg.Streams == nil || CallerKey(ctx) == "" {
		return nil
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		deadline = h.cfg.Now().Add(h.cfg.MaxStreamTime)
	}
	key := streambuf.Key{Caller: CallerKey(ctx), ID: f.ResponseID(m.ID)}
	sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), h.storeTimeout())
	defer cancel()
	hd := streambuf.Header{Deadline: deadline}
	if b, ok := x.(Backgrounder); ok {
		hd.Meta, _ = json.Marshal(b.Accepted(m))
	}
	w, err := streambuf.Start(sctx, h.cfg.Streams, key, hd, h.cfg.StreamWriter)
	if err != nil {
		rec.StreamKept = "error"
		h.log.Warn("stream not kept: it cannot be resumed", slog.String("request_id", rec.ID), slog.String("error", err.Error()))
		return nil
	}
	rec.StreamKept = "kept"
	return w
}

func (h *Handler) storeTimeout() time.Duration {
	if d := h.cfg.StreamWriter.WriteTimeout; d > 0 {
		return d
	}
	return streambuf.DefaultWriteTimeout
}

// detach returns the context a kept stream's model runs in: not ended by
// the client leaving (the answer goes on for it to resume), still by the
// request's deadline (or MaxStreamTime where it has none), the server's
// shutdown and a cancel request.
func (h *Handler) detach(ctx context.Context, keep *streambuf.Writer) (context.Context, func()) {
	dl, ok := ctx.Deadline()
	if !ok {
		dl = h.cfg.Now().Add(h.cfg.MaxStreamTime)
	}
	// bound's deadline, with its cause.
	mctx, stopDeadline := context.WithDeadlineCause(context.WithoutCancel(ctx), dl, chat.ErrDeadline)
	mctx, cancel := context.WithCancelCause(mctx)
	// No goroutine waits for these: the writer's own runs the cancel, and
	// the request's end only matters when the server is shutting down.
	keep.OnCancel(func() { cancel(errCancelled) })
	stopShutdown := context.AfterFunc(ctx, func() {
		if errors.Is(context.Cause(ctx), errShuttingDown) {
			cancel(errShuttingDown)
		}
	})
	return mctx, func() { stopShutdown(); cancel(nil); stopDeadline() }
}

// endKept writes the kept stream's end and logs a failure to keep it.
func (h *Handler) endKept(keep *streambuf.Writer, state streambuf.State, rec *Record) {
	if keep == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), h.storeTimeout())
	defer cancel()
	if err := keep.Close(ctx, streambuf.End{State: state}); err != nil {
		rec.StreamKept = "error"
		h.log.Warn("stream kept only in part: a resumed client gets an error where it ends",
			slog.String("request_id", rec.ID), slog.String("error", err.Error()))
	}
}

// kept parses a path under a format's route: {route}/{id}, {route}/{id}/stream
// or {route}/{id}/cancel.
func (h *Handler) kept(path string) (f Format, id, action string, ok bool) {
	if h.cfg.Streams == nil || !strings.HasPrefix(path, "/v1/") {
		return nil, "", "", false
	}
	for p, format := range h.formats {
		rest, found := strings.CutPrefix(path, p+"/")
		if !found || rest == "" {
			continue
		}
		id, action, _ = strings.Cut(rest, "/")
		switch action {
		case "", "stream", "cancel":
		default:
			return nil, "", "", false
		}
		if action != "" {
			action = "/" + action
		}
		return format, id, action, validID(id)
	}
	return nil, "", "", false
}

// validID reports whether id can be one of ours: letters, digits, '-' and
// '_', as the request ids the response ids are made of.
func validID(id string) bool {
	if id == "" || len(id) > 200 {
		return false
	}
	for _, c := range id {
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

func (h *Handler) resumeRoute(w http.ResponseWriter, r *http.Request, rec *Record, f Format, id, action string) {
	method := http.MethodGet
	if action == "/cancel" {
		method = http.MethodPost
	}
	if !allow(w, r, rec, method) {
		return
	}
	orig := r
	r, err := h.authenticate(r, nil, rec)
	if err != nil {
		fail(w, rec, err)
		return
	}
	key := streambuf.Key{Caller: CallerKey(r.Context()), ID: id}
	q := r.URL.Query()
	switch {
	case action == "/cancel":
		h.cancelKept(w, r, rec, f, key)
	case action == "/stream":
		h.resume(w, r, rec, f, key, r.Header.Get("Last-Event-ID"), q.Get("after"))
	case q.Get("stream") == "true":
		h.resume(w, r, rec, f, key, q.Get("starting_after"), "")
	default:
		if _, err := h.cfg.Streams.Header(r.Context(), key); errors.Is(err, streambuf.ErrNotFound) && h.serveRoute(w, orig) {
			return // no stream: a stored response, if the format keeps them
		}
		h.retrieve(w, r, rec, f, key)
	}
}

func notKept(id string) *Error {
	return &Error{Status: http.StatusNotFound, Type: typeInvalidRequest, Code: "not_found",
		Message: "no response " + Quote(id) + ": it does not exist, has expired, or is not yours"}
}

// storeFailed answers a failure to read the stream key: a 404 for a
// stream there is not (for this caller), a 503 for a store that failed.
func (h *Handler) storeFailed(w http.ResponseWriter, rec *Record, key streambuf.Key, err error) {
	if errors.Is(err, streambuf.ErrNotFound) || errors.Is(err, streambuf.ErrInvalidKey) {
		fail(w, rec, notKept(key.ID))
		return
	}
	rec.Err = err
	fail(w, rec, &Error{Status: http.StatusServiceUnavailable, Type: typeServer, Code: "store_unavailable",
		Message: "the stream store is unavailable; try again"})
}

// resume replays a kept stream after the event numbered by the first of
// afters that is set (none: from the start), then follows it live.
func (h *Handler) resume(w http.ResponseWriter, r *http.Request, rec *Record, f Format, key streambuf.Key, afters ...string) {
	after := int64(-1)
	for _, a := range afters {
		if a == "" {
			continue
		}
		n, err := strconv.ParseInt(a, 10, 64)
		if err != nil || n < -1 {
			fail(w, rec, Invalid("starting_after", "invalid_value", "the last event id must be a whole number, got "+Quote(a)))
			return
		}
		after = n
		break
	}
	ctx := r.Context()
	if _, err := h.cfg.Streams.Header(ctx, key); err != nil {
		h.storeFailed(w, rec, key, err)
		return
	}
	sw, err := startStream(w)
	if err != nil {
		rec.Outcome = "client_gone"
		return
	}
	stop := sw.Heartbeat(ctx, h.cfg.Heartbeat)
	defer stop()
	last := after
	end, err := streambuf.Follow(ctx, h.cfg.Streams, key, after, func(ev streambuf.Event) error {
		name, data := storedEvent(ev.Data)
		last = ev.Seq
		return sw.Frame(ev.Seq, name, data)
	}, h.cfg.StreamFollow)
	switch {
	case err == nil && end.State == streambuf.Completed:
		rec.Outcome = "complete"
		return
	case err == nil && last >= end.Last && end.Last >= 0 && end.State == streambuf.Failed:
		rec.Outcome = "error" // the producer's own error event was replayed
		return
	case ctx.Err() != nil:
		rec.Outcome = "client_gone"
		return
	}
	e := &Error{Status: http.StatusBadGateway, Type: typeServer, Code: "stream_lost",
		Message: "the answer stopped before it was complete"}
	if err == nil && end.State == streambuf.Cancelled {
		e.Code, e.Message = "cancelled", "the response was cancelled"
	}
	if err != nil {
		rec.Err = err
	}
	rec.Outcome, rec.ErrorCode = "error", e.Code
	name, data := f.ResumeError(e, last+1)
	_ = sw.Frame(last+1, name, data)
}

// retrieve answers a kept answer as one object, for formats that can.
func (h *Handler) retrieve(w http.ResponseWriter, r *http.Request, rec *Record, f Format, key streambuf.Key) {
	rf, ok := f.(Retriever)
	if !ok {
		h.notFound(w, r, rec)
		return
	}
	ctx := r.Context()
	hd, err := h.cfg.Streams.Header(ctx, key)
	if err != nil {
		h.storeFailed(w, rec, key, err)
		return
	}
	var events []KeptEvent
	after := int64(-1)
	var end *streambuf.End
	for {
		evs, e, err := h.cfg.Streams.Events(ctx, key, after)
		if err != nil {
			h.storeFailed(w, rec, key, err)
			return
		}
		for _, ev := range evs {
			name, data := storedEvent(ev.Data)
			events = append(events, KeptEvent{Name: name, Data: data})
			after = ev.Seq
		}
		end = e
		if len(evs) == 0 || (e != nil && after >= e.Last) {
			break
		}
	}
	// A producer that stopped without ending the stream, or a background
	// job never claimed before its age limit, reads as failed.
	if end == nil && h.cfg.StreamFollow.Lost(hd, h.cfg.Now()) {
		end = &streambuf.End{State: streambuf.Failed, Last: after}
	}
	obj, err := rf.Retrieve(hd.Meta, events, end)
	if err != nil {
		h.storeFailed(w, rec, key, err)
		return
	}
	writeJSON(w, http.StatusOK, obj)
}

// cancelKept asks a kept stream's producer to stop and answers the
// stream's state as GET {route}/{id} would.
func (h *Handler) cancelKept(w http.ResponseWriter, r *http.Request, rec *Record, f Format, key streambuf.Key) {
	if err := h.cfg.Streams.Cancel(r.Context(), key); err != nil {
		h.storeFailed(w, rec, key, err)
		return
	}
	h.log.Info("stream cancel requested", slog.String("request_id", rec.ID), slog.String("response_id", key.ID))
	h.retrieve(w, r, rec, f, key)
}
