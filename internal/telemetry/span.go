package telemetry

import (
	"context"
	"encoding/binary"
	"encoding/hex"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Span kinds and status codes as OTLP numbers them.
const (
	kindServer = 2
	kindClient = 3

	statusUnset = 0
	statusError = 2
)

// attr is one attribute: its value a string, int64, float64, bool or
// []string.
type attr struct {
	key   string
	value any
}

type event struct {
	name string
	at   time.Time
}

// Span is one operation being recorded. A nil *Span, or one its trace is
// not sampled in, records nothing.
type Span struct {
	t            *Tracer // nil: not sampled
	traceID      [16]byte
	spanID       [8]byte
	parent       [8]byte // zero for a root span
	remoteParent bool
	traceState   string
	name         string
	kind         int

	mu      sync.Mutex
	start   time.Time
	end     time.Time
	attrs   []attr
	events  []event
	status  int
	message string
	ended   bool
}

func (s *Span) recording() bool { return s != nil && s.t != nil }

func (s *Span) set(attrs ...attr) {
	if !s.recording() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, a := range attrs {
		if i := slices.IndexFunc(s.attrs, func(b attr) bool { return b.key == a.key }); i >= 0 {
			s.attrs[i].value = a.value
		} else {
			s.attrs = append(s.attrs, a)
		}
	}
}

func (s *Span) addEvent(name string, at time.Time) {
	if !s.recording() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, event{name: name, at: at})
}

func (s *Span) fail(msg string) {
	if !s.recording() {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status, s.message = statusError, msg
}

// finish ends s at the given time and hands it to its tracer for export;
// a second finish does nothing.
func (s *Span) finish(at time.Time) {
	if !s.recording() {
		return
	}
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended, s.end = true, at
	s.mu.Unlock()
	s.t.queue(s)
}

type spanKey struct{}

// remote is the caller's span, from its traceparent.
type remote struct {
	traceID    [16]byte
	spanID     [8]byte
	sampled    bool
	traceState string
}

type remoteKey struct{}

// start begins a span under the one in ctx, else under the caller's
// (StartServer puts it in ctx), else in a new trace. A span whose parent
// is not recorded is not either, so a trace is sampled whole.
func (t *Tracer) start(ctx context.Context, name string, kind int, at time.Time, attrs ...attr) (context.Context, *Span) {
	s := &Span{name: name, kind: kind, start: at, spanID: newSpanID()}
	sampled := false
	if parent, _ := ctx.Value(spanKey{}).(*Span); parent != nil {
		s.traceID, s.parent, s.traceState = parent.traceID, parent.spanID, parent.traceState
		sampled = parent.t != nil
	} else if r, ok := ctx.Value(remoteKey{}).(remote); ok {
		s.traceID, s.parent, s.traceState, s.remoteParent = r.traceID, r.spanID, r.traceState, true
		sampled = t.sampler.withParent(r.sampled, s.traceID)
	} else {
		s.traceID = newTraceID()
		sampled = t.sampler.root(s.traceID)
	}
	if sampled {
		s.t, s.attrs = t, attrs
	}
	return context.WithValue(ctx, spanKey{}, s), s
}

func newTraceID() (id [16]byte) {
	for id == ([16]byte{}) {
		binary.BigEndian.PutUint64(id[:8], rand.Uint64())
		binary.BigEndian.PutUint64(id[8:], rand.Uint64())
	}
	return id
}

func newSpanID() (id [8]byte) {
	for id == ([8]byte{}) {
		binary.BigEndian.PutUint64(id[:], rand.Uint64())
	}
	return id
}

// remoteParent reads a W3C traceparent (and its tracestate) from h; ok
// is false when it is absent or malformed (a new trace starts then, as
// the W3C Trace Context recommendation asks).
func remoteParent(h http.Header) (r remote, ok bool) {
	tp := strings.TrimSpace(h.Get("traceparent"))
	// version "-" trace-id "-" parent-id "-" flags; a later version may
	// append fields after another "-", version 00 may not.
	if len(tp) < 55 || (len(tp) > 55 && (tp[:2] == "00" || tp[55] != '-')) || tp[2] != '-' || tp[35] != '-' || tp[52] != '-' {
		return r, false
	}
	var version, flags [1]byte
	if !decodeHex(version[:], tp[:2]) || version[0] == 0xff || !decodeHex(r.traceID[:], tp[3:35]) ||
		!decodeHex(r.spanID[:], tp[36:52]) || !decodeHex(flags[:], tp[53:55]) ||
		r.traceID == ([16]byte{}) || r.spanID == ([8]byte{}) {
		return remote{}, false
	}
	r.sampled = flags[0]&0x01 == 1
	if ts := strings.Join(h.Values("tracestate"), ","); len(ts) <= 512 {
		r.traceState = ts
	}
	return r, true
}

// decodeHex decodes lowercase hex only, as the W3C format requires.
func decodeHex(dst []byte, s string) bool {
	if strings.ToLower(s) != s {
		return false
	}
	n, err := hex.Decode(dst, []byte(s))
	return err == nil && n == len(dst)
}
