package sse_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"
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
		if err := sw.Data([]byte(f)); err != nil {
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
	if err := sw.Data([]byte(data)); err != nil {
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
	if err := sw.Data([]byte("x")); !errors.Is(err, gone) {
		t.Fatalf("Data = %v, want %v", err, gone)
	}
	w.err = nil
	if err := sw.Data([]byte("y")); !errors.Is(err, gone) {
		t.Errorf("Data after a failure = %v, want the first error again", err)
	}
	if w.count() != 0 {
		t.Errorf("%d frames written after a failure, want 0", w.count())
	}
}

func TestHeartbeatWhileSilent(t *testing.T) {
	t.Parallel()
	w := newPlainWriter()
	sw, _ := sse.Start(w)
	stop := sw.Heartbeat(context.Background(), time.Millisecond)
	deadline := time.Now().Add(5 * time.Second)
	for w.count() < 3 && time.Now().Before(deadline) {
		time.Sleep(time.Millisecond)
	}
	stop()
	n := w.count()
	if n < 3 {
		t.Fatalf("%d pings in 5s at a 1ms interval, want at least 3", n)
	}
	evs, err := ssetest.NewReader(strings.NewReader(w.body())).All()
	if err != nil || len(evs) != 0 {
		t.Errorf("pings must be comments, not events: %v %v", evs, err)
	}
	time.Sleep(5 * time.Millisecond)
	if w.count() != n {
		t.Errorf("heartbeat wrote after stop returned")
	}
}

func TestHeartbeatQuietWhileBusy(t *testing.T) {
	t.Parallel()
	w := newPlainWriter()
	sw, _ := sse.Start(w)
	stop := sw.Heartbeat(context.Background(), time.Hour)
	for range 100 {
		if err := sw.Data([]byte("x")); err != nil {
			t.Fatal(err)
		}
	}
	stop()
	stop() // idempotent
	if strings.Contains(w.body(), ": ping") {
		t.Errorf("ping written although frames flowed")
	}
}

func TestHeartbeatStopsWithContext(t *testing.T) {
	t.Parallel()
	w := newPlainWriter()
	sw, _ := sse.Start(w)
	ctx, cancel := context.WithCancel(context.Background())
	stop := sw.Heartbeat(ctx, time.Millisecond)
	cancel()
	stop() // must return: the goroutine has seen ctx end
	n := w.count()
	time.Sleep(5 * time.Millisecond)
	if w.count() != n {
		t.Errorf("heartbeat wrote after its context ended")
	}
}

func BenchmarkData(b *testing.B) {
	sw, _ := sse.Start(discard{http.Header{}})
	frame := []byte(`{"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"eliza","choices":[{"index":0,"delta":{"content":" word"},"finish_reason":null}]}`)
	b.ReportAllocs()
	b.SetBytes(int64(len(frame)))
	for b.Loop() {
		_ = sw.Data(frame)
	}
}

type discard struct{ h http.Header }

func (d discard) Header() http.Header         { return d.h }
func (d discard) WriteHeader(int)             {}
func (d discard) Write(p []byte) (int, error) { return io.Discard.Write(p) }
