package sse_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"go.uber.org/goleak"

	"github.com/chatbot-gateway/chatbot/internal/sse"
	"github.com/chatbot-gateway/chatbot/internal/sse/ssetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// plainWriter is a ResponseWriter without http.Flusher, like lambdaurl's.
// It records each Write separately.
type plainWriter struct {
	mu     sync.Mutex
	header http.Header
	status int
	writes [][]byte
	err    error
}

func newPlainWriter() *plainWriter { return &plainWriter{header: http.Header{}} }

func (w *plainWriter) Header() http.Header { return w.header }
func (w *plainWriter) WriteHeader(s int)   { w.status = s }
func (w *plainWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil {
		return 0, w.err
	}
	w.writes = append(w.writes, bytes.Clone(p))
	return len(p), nil
}

func (w *plainWriter) body() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return string(bytes.Join(w.writes, nil))
}

func (w *plainWriter) count() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.writes)
}

func TestStartWithoutFlusher(t *testing.T) {
	t.Parallel()
	w := newPlainWriter()
	sw, err := sse.Start(w)
	if err != nil {
		t.Fatalf("Start on a writer without Flusher: %v", err)
	}
	if w.status != http.StatusOK {
		t.Errorf("status = %d, want 200", w.status)
	}
	for k, want := range map[string]string{
		"Content-Type":      "text/event-stream; charset=utf-8",
		"Cache-Control":     "no-cache",
		"X-Accel-Buffering": "no",
	} {
		if got := w.header.Get(k); got != want {
			t.Errorf("%s = %q, want %q", k, got, want)
		}
	}
	frames := []string{`{"a":1}`, "x\ny", "[DONE]"}
	for _, f := range frames {
		if err := sw.Frame(0, "", []byte(f)); err != nil {
			t.Fatal(err)
		}
	}
	if w.count() != len(frames) {
		t.Errorf("%d writes for %d frames, want one write per frame", w.count(), len(frames))
	}
}

func TestDataRoundTrip(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, in, want string
	}{
		{name: "plain", in: "hello", want: "hello"},
		{name: "empty", in: "", want: ""},
		{name: "LF", in: "a\nb", want: "a\nb"},
		{name: "CRLF", in: "a\r\nb", want: "a\nb"},
		{name: "CR", in: "a\rb", want: "a\nb"},
		{name: "LF before CR", in: "a\nb\rc", want: "a\nb\nc"},
		{name: "CR before LF", in: "a\rb\nc", want: "a\nb\nc"},
		{name: "trailing newline", in: "a\n", want: "a\n"},
		{name: "leading space kept", in: " a", want: " a"},
		{name: "colon", in: "data: x", want: "data: x"},
		{name: "blank lines", in: "\n\n", want: "\n\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := roundTrip(t, tt.in); got != tt.want {
				t.Errorf("round trip of %q = %q, want %q", tt.in, got, tt.want)
			}
		})
	}
}

func roundTrip(t testing.TB, data string) string {
	t.Helper()
	w := newPlainWriter()
	sw, err := sse.Start(w)
	if err != nil {
		t.Fatal(err)
	}
	if err := sw.Frame(0, "", []byte(data)); err != nil {
		t.Fatal(err)
	}
	evs, err := ssetest.NewReader(strings.NewReader(w.body())).All()
	if err != nil {
		t.Fatalf("parse %q: %v", w.body(), err)
	}
	if len(evs) != 1 {
		t.Fatalf("got %d events from %q, want 1", len(evs), w.body())
	}
	return evs[0].Data
}

func FuzzDataRoundTrip(f *testing.F) {
	for _, s := range []string{"", "a", "a\nb", "a\r\nb", "\r", "\r\n\r\n", ": x", "data: y\n\n"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		want := strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\r", "\n")
		if got := roundTrip(t, s); got != want {
			t.Fatalf("round trip of %q = %q, want %q", s, got, want)
		}
	})
}

func TestEventNamesItsType(t *testing.T) {
	t.Parallel()
	w := newPlainWriter()
	sw, err := sse.Start(w)
	if err != nil {
		t.Fatal(err)
	}
	for _, ev := range []struct{ name, data string }{
		{"response.created", `{"a":1}`},
		{"two\nlines", "x\r\ny"},
	} {
		if err := sw.Frame(0, ev.name, []byte(ev.data)); err != nil {
			t.Fatal(err)
		}
	}
	if err := sw.Frame(0, "", []byte("plain")); err != nil {
		t.Fatal(err)
	}
	if w.count() != 3 {
		t.Errorf("%d writes for 3 events, want one write per event", w.count())
	}
	evs, err := ssetest.NewReader(strings.NewReader(w.body())).All()
	if err != nil {
		t.Fatal(err)
	}
	want := []ssetest.Event{
		{Type: "response.created", Data: `{"a":1}`},
		{Type: "two lines", Data: "x\ny"},
		{Type: "message", Data: "plain"},
	}
	if len(evs) != len(want) {
		t.Fatalf("got %d events, want %d: %q", len(evs), len(want), w.body())
	}
	for i, ev := range evs {
		if ev.Type != want[i].Type || ev.Data != want[i].Data {
			t.Errorf("event %d = %q %q, want %q %q", i, ev.Type, ev.Data, want[i].Type, want[i].Data)
		}
	}
}

// TestFrameCarriesItsID: an id field on every frame, which a parser keeps
// as the stream's last event id; the event type and data as
// TestEventNamesItsType and TestDataRoundTrip check them.
func TestFrameCarriesItsID(t *testing.T) {
	t.Parallel()
	w := newPlainWriter()
	sw, err := sse.Start(w)
	if err != nil {
		t.Fatal(err)
	}
	for i, ev := range []struct{ name, data string }{
		{"", `{"a":1}`},
		{"response.output_text.delta", "x\ny"},
		{"", "[DONE]"},
	} {
		if err := sw.Frame(int64(i), ev.name, []byte(ev.data)); err != nil {
			t.Fatal(err)
		}
	}
	if w.count() != 3 {
		t.Errorf("%d writes for 3 frames, want one each", w.count())
	}
	evs, err := ssetest.NewReader(strings.NewReader(w.body())).All()
	if err != nil {
		t.Fatal(err)
	}
	want := []ssetest.Event{
		{Type: "message", Data: `{"a":1}`, ID: "0"},
		{Type: "response.output_text.delta", Data: "x\ny", ID: "1"},
		{Type: "message", Data: "[DONE]", ID: "2"},
	}
	if len(evs) != len(want) {
		t.Fatalf("got %d events, want %d: %q", len(evs), len(want), w.body())
	}
	for i, ev := range evs {
		if ev.Type != want[i].Type || ev.Data != want[i].Data || ev.ID != want[i].ID {
			t.Errorf("event %d = %q %q id %q, want %q %q id %q", i, ev.Type, ev.Data, ev.ID, want[i].Type, want[i].Data, want[i].ID)
		}
	}
}

func TestCommentStaysOneLine(t *testing.T) {
	t.Parallel()
	w := newPlainWriter()
	sw, _ := sse.Start(w)
	if err := sw.Comment("a\nb\rc"); err != nil {
		t.Fatal(err)
	}
	if got, want := w.body(), ": a b c\n\n"; got != want {
		t.Errorf("comment = %q, want %q", got, want)
	}
}

func TestWriteErrorIsSticky(t *testing.T) {
	t.Parallel()
	w := newPlainWriter()
	sw, _ := sse.Start(w)
	gone := errors.New("client gone")
	w.err = gone
	if err := sw.Frame(0, "", []byte("x")); !errors.Is(err, gone) {
		t.Fatalf("Frame = %v, want %v", err, gone)
	}
	w.err = nil
	if err := sw.Frame(0, "", []byte("y")); !errors.Is(err, gone) {
		t.Errorf("Frame after a failure = %v, want the first error again", err)
	}
	if w.count() != 0 {
		t.Errorf("%d frames written after a failure, want 0", w.count())
	}
}

// The heartbeat tests run in a synctest bubble: time there is fake and moves
// only when every goroutine waits, so each ping is expected at an exact
// moment, however busy the machine is.

func TestHeartbeatWhileSilent(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		w := newPlainWriter()
		sw, _ := sse.Start(w)
		stop := sw.Heartbeat(t.Context(), 10*time.Second)
		time.Sleep(10*time.Second - time.Nanosecond)
		synctest.Wait()
		if n := w.count(); n != 0 {
			t.Fatalf("%d writes before the first interval passed, want none", n)
		}
		time.Sleep(25*time.Second + time.Nanosecond) // t = 35s
		synctest.Wait()
		if got, want := w.body(), strings.Repeat(": ping\n\n", 3); got != want {
			t.Fatalf("after 35s silent at a 10s interval: %q, want %q", got, want)
		}
		evs, err := ssetest.NewReader(strings.NewReader(w.body())).All()
		if err != nil || len(evs) != 0 {
			t.Errorf("pings must be comments, not events: %v %v", evs, err)
		}
		stop()
		time.Sleep(time.Hour)
		synctest.Wait()
		if n := w.count(); n != 3 {
			t.Errorf("%d writes, want 3: heartbeat wrote after stop returned", n)
		}
	})
}

// A frame restarts the interval: the next ping comes one interval after
// the last frame, not on a fixed beat.
func TestHeartbeatCountsFromLastFrame(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		w := newPlainWriter()
		sw, _ := sse.Start(w)
		stop := sw.Heartbeat(t.Context(), 10*time.Second)
		defer stop()
		time.Sleep(5 * time.Second)
		if err := sw.Frame(0, "", []byte("x")); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10*time.Second - time.Nanosecond) // just before 15s
		synctest.Wait()
		if got, want := w.body(), "id: 0\ndata: x\n\n"; got != want {
			t.Fatalf("one interval after a frame, less a nanosecond: %q, want %q", got, want)
		}
		time.Sleep(time.Nanosecond) // 15s
		synctest.Wait()
		if got, want := w.body(), "id: 0\ndata: x\n\n: ping\n\n"; got != want {
			t.Fatalf("one interval after a frame: %q, want %q", got, want)
		}
	})
}

func TestHeartbeatQuietWhileBusy(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		w := newPlainWriter()
		sw, _ := sse.Start(w)
		stop := sw.Heartbeat(t.Context(), 10*time.Second)
		for range 100 {
			time.Sleep(10*time.Second - time.Nanosecond)
			if err := sw.Frame(0, "", []byte("x")); err != nil {
				t.Fatal(err)
			}
		}
		stop()
		stop() // idempotent
		if strings.Contains(w.body(), ": ping") {
			t.Errorf("ping written although a frame came within every interval")
		}
	})
}

func TestHeartbeatStopsWithContext(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		w := newPlainWriter()
		sw, _ := sse.Start(w)
		ctx, cancel := context.WithCancel(t.Context())
		stop := sw.Heartbeat(ctx, 10*time.Second)
		time.Sleep(15 * time.Second)
		cancel()
		synctest.Wait()
		time.Sleep(time.Hour)
		if n := w.count(); n != 1 {
			t.Errorf("%d writes, want the one ping before the context ended", n)
		}
		stop() // returns at once: the heartbeat has already ended
	})
}

// A heartbeat waits on a timer, not in a goroutine: an open stream costs no
// goroutine for it until a ping is due. Not parallel: it counts the
// process's goroutines.
func TestHeartbeatHoldsNoGoroutine(t *testing.T) {
	const n = 100
	before := runtime.NumGoroutine()
	stops := make([]func(), n)
	for i := range stops {
		sw, _ := sse.Start(newPlainWriter())
		stops[i] = sw.Heartbeat(t.Context(), time.Hour)
	}
	after := runtime.NumGoroutine()
	for _, stop := range stops {
		stop()
	}
	if after-before >= n {
		t.Errorf("%d heartbeats added %d goroutines, want fewer than one each", n, after-before)
	}
}

func TestHeartbeatDisabled(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		w := newPlainWriter()
		sw, _ := sse.Start(w)
		for _, d := range []time.Duration{0, -time.Second} {
			stop := sw.Heartbeat(t.Context(), d)
			time.Sleep(time.Hour)
			stop()
		}
		if n := w.count(); n != 0 {
			t.Errorf("%d writes with the heartbeat disabled, want none", n)
		}
	})
}

func BenchmarkData(b *testing.B) {
	sw, _ := sse.Start(discard{http.Header{}})
	frame := []byte(`{"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"eliza","choices":[{"index":0,"delta":{"content":" word"},"finish_reason":null}]}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		_ = sw.Frame(0, "", frame)
	}
}

type discard struct{ h http.Header }

func (d discard) Header() http.Header         { return d.h }
func (d discard) WriteHeader(int)             {}
func (d discard) Write(p []byte) (int, error) { return io.Discard.Write(p) }
