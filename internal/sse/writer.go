package sse

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Writer writes SSE frames to one response. Its methods are safe for
// concurrent use, so a heartbeat may run beside the stream.
type Writer struct {
	mu    sync.Mutex
	w     http.ResponseWriter
	rc    *http.ResponseController
	buf   []byte
	err   error        // first write error; every later write returns it
	flush bool         // whether the writer can flush; learnt at Start
	last  atomic.Int64 // when a frame was last written, as time since start
	start time.Time
}

// Start sends the status line and the SSE headers at once and returns a
// Writer for the body. The caller decides when: once it starts, every
// failure has to travel in-band.
func Start(w http.ResponseWriter) (*Writer, error) {
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	h.Del("Content-Length")
	w.WriteHeader(http.StatusOK)
	sw := &Writer{w: w, rc: http.NewResponseController(w), start: time.Now(), flush: true}
	sw.mu.Lock()
	defer sw.mu.Unlock()
	return sw, sw.doFlush()
}

// Frame writes one event: an id field, so that a client that loses the
// connection can ask for the events after it (the SSE last event id); the
// event type name (an "event:" line; none when name is ""), which lets a
// parser dispatch on it, as OpenAI's Responses stream names every event;
// and the data p. A name with a line break is not an event type, so its
// line breaks become spaces. A p with line breaks (LF, CR or CRLF) becomes
// one "data:" line per line, which a conforming parser joins back with LF.
func (s *Writer) Frame(id int64, name string, p []byte) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := append(s.buf[:0], "id: "...)
	b = strconv.AppendInt(b, id, 10)
	b = append(b, '\n')
	if name != "" {
		b = append(b, "event: "...)
		b = appendLine(b, name)
		b = append(b, '\n')
	}
	s.buf = appendData(b, p)
	return s.write(s.buf)
}

func appendData(b, p []byte) []byte {
	for {
		i := lineBreak(p)
		if i < 0 {
			break
		}
		b = append(b, "data: "...)
		b = append(b, p[:i]...)
		b = append(b, '\n')
		if p[i] == '\r' && i+1 < len(p) && p[i+1] == '\n' {
			i++
		}
		p = p[i+1:]
	}
	b = append(b, "data: "...)
	b = append(b, p...)
	return append(b, '\n', '\n')
}

// appendLine appends text with its line breaks replaced by spaces, so it
// stays one line.
func appendLine(b []byte, text string) []byte {
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c == '\r' || c == '\n' {
			c = ' '
		}
		b = append(b, c)
	}
	return b
}

// lineBreak returns the index of the first CR or LF in p, or -1. Two
// IndexByte scans (vectorised) cost a tenth of one IndexAny on a frame, and
// every frame is scanned: most have no line break at all.
func lineBreak(p []byte) int {
	lf := bytes.IndexByte(p, '\n')
	end := lf
	if lf < 0 {
		end = len(p)
	}
	if cr := bytes.IndexByte(p[:end], '\r'); cr >= 0 {
		return cr
	}
	return lf
}

// Comment writes an SSE comment line, which every conforming parser ignores.
// Line breaks in text are replaced by spaces so the comment stays one line.
func (s *Writer) Comment(text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := append(s.buf[:0], ": "...)
	b = appendLine(b, text)
	b = append(b, '\n', '\n')
	s.buf = b
	return s.write(b)
}

// write sends b in exactly one Write and flushes. s.mu is held.
func (s *Writer) write(b []byte) error {
	if s.err != nil {
		return s.err
	}
	if _, err := s.w.Write(b); err != nil {
		s.err = err
		return err
	}
	s.last.Store(int64(time.Since(s.start)))
	return s.doFlush()
}

// doFlush flushes where the writer can. One without a Flusher (lambdaurl's)
// sends each Write at once anyway; after the first ErrNotSupported the
// writer stops asking, which also spares an allocation per frame.
func (s *Writer) doFlush() error {
	if !s.flush {
		return nil
	}
	err := s.rc.Flush()
	switch {
	case err == nil:
	case errors.Is(err, http.ErrNotSupported):
		s.flush = false
	default:
		s.err = err
		return err
	}
	return nil
}

// Heartbeat writes a ": ping" comment whenever no frame has been written for
// interval, until ctx ends or a write fails. It keeps proxies (CloudFront's
// origin read timeout) from closing a stream while a model is silent. The
// returned stop function ends the heartbeat and waits for a ping being
// written to finish, so no write happens after stop returns. A
// non-positive interval disables it.
//
// It runs on a timer's callback rather than a goroutine of its own: an
// open stream holds no goroutine for its heartbeat until a ping is due.
func (s *Writer) Heartbeat(ctx context.Context, interval time.Duration) (stop func()) {
	if interval <= 0 {
		return func() {}
	}
	hb := &heartbeat{w: s, ctx: ctx, interval: interval}
	hb.mu.Lock()
	hb.t = time.AfterFunc(interval, hb.tick)
	hb.mu.Unlock()
	return hb.stop
}

type heartbeat struct {
	w        *Writer
	ctx      context.Context
	interval time.Duration

	mu      sync.Mutex // held while a ping is written
	t       *time.Timer
	stopped bool
}

func (h *heartbeat) tick() {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.stopped || h.ctx.Err() != nil {
		return
	}
	idle := time.Since(h.w.start) - time.Duration(h.w.last.Load())
	if idle < h.interval {
		h.t.Reset(h.interval - idle)
		return
	}
	if h.w.Comment("ping") != nil {
		return
	}
	h.t.Reset(h.interval)
}

func (h *heartbeat) stop() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.stopped = true
	h.t.Stop()
}
