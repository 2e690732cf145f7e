package gateway_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"go.uber.org/goleak"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/chatcompletions"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
	"github.com/chatbot-gateway/chatbot/internal/responses"
	"github.com/chatbot-gateway/chatbot/internal/sse/ssetest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// formats are the wire formats the gateway serves in production.
var formats = []gateway.Format{chatcompletions.Format{}, responses.Format{}}

// fakeModel is a chat.Model whose behaviour each test writes.
type fakeModel = chat.ModelFunc

// words emits each word in turn and reports the given usage.
func words(ws ...string) fakeModel {
	return func(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
		for _, w := range ws {
			if err := emit(chat.Delta{Text: w}); err != nil {
				return chat.Result{}, err
			}
		}
		return chat.Result{FinishReason: chat.FinishStop, Usage: chat.Usage{PromptTokens: 7, CompletionTokens: len(ws)}}, nil
	}
}

// logBuffer collects log lines safely across goroutines.
type logBuffer struct {
	mu      sync.Mutex
	buf     bytes.Buffer
	written chan struct{} // closed and replaced on every write
}

func newLogBuffer() *logBuffer { return &logBuffer{written: make(chan struct{})} }

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	close(l.written)
	l.written = make(chan struct{})
	return l.buf.Write(p)
}

// waitFor returns once cond holds, checking it after every write; a line
// that never comes fails the test after 10s rather than hanging it.
func (l *logBuffer) waitFor(t testing.TB, cond func() bool) {
	t.Helper()
	guard := time.NewTimer(10 * time.Second)
	defer guard.Stop()
	for {
		l.mu.Lock()
		written := l.written
		l.mu.Unlock()
		if cond() {
			return
		}
		select {
		case <-written:
		case <-guard.C:
			t.Fatal("condition on the log not met within 10s")
		}
	}
}

// lines returns the decoded log lines whose msg is msg.
func (l *logBuffer) lines(t testing.TB, msg string) []map[string]any {
	t.Helper()
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []map[string]any
	for _, line := range strings.Split(strings.TrimSpace(l.buf.String()), "\n") {
		if line == "" {
			continue
		}
		var m map[string]any
		if err := json.Unmarshal([]byte(line), &m); err != nil {
			t.Fatalf("log line is not JSON: %q", line)
		}
		if m["msg"] == msg {
			out = append(out, m)
		}
	}
	return out
}

type server struct {
	*httptest.Server
	logs *logBuffer
}

// newServer serves a gateway with an "echo" model (the default) and an
// "eliza" fallback, both overridable through mod.
func newServer(t testing.TB, mod func(*gateway.Config)) *server {
	t.Helper()
	handler, logs := newGateway(t, mod)
	s := httptest.NewServer(handler)
	t.Cleanup(s.Close)
	return &server{Server: s, logs: logs}
}

// newGateway builds the gateway newServer serves, without a server: tests
// in a synctest bubble, where no socket may be used, call it through serve.
func newGateway(t testing.TB, mod func(*gateway.Config)) (http.Handler, *logBuffer) {
	t.Helper()
	logs := newLogBuffer()
	cfg := gateway.Config{
		Models: []gateway.ModelEntry{
			{ID: "echo", OwnedBy: "test", Model: words("Hello", " there", "!")},
			{ID: "eliza", OwnedBy: "chatbot", Model: words("Please", " go", " on.")},
		},
		Formats:        formats,
		MaxBodyBytes:   gateway.DefaultMaxBodyBytes,
		Limits:         gateway.DefaultLimits(),
		Heartbeat:      gateway.DefaultHeartbeat,
		DeadlineMargin: gateway.DefaultDeadlineMargin,
		FallbackModel:  "eliza",
		Fallback:       func(error) (string, bool) { return "unavailable", true },
		Logger:         slog.New(slog.NewJSONHandler(logs, nil)),
	}
	if mod != nil {
		mod(&cfg)
	}
	h, err := gateway.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return h, logs
}

// serve posts body to h in the calling goroutine, under ctx, and returns
// the response once the handler has returned.
func serve(ctx context.Context, h http.Handler, body string) *http.Response {
	return serveAt(ctx, h, "/v1/chat/completions", body)
}

// serveAt is serve for a JSON body posted to path.
func serveAt(ctx context.Context, h http.Handler, path, body string) *http.Response {
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, path, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func (s *server) post(t testing.TB, body string) *http.Response {
	t.Helper()
	return s.postTo(t, "/v1/chat/completions", body)
}

// postTo posts a JSON body to path; the answer's body is closed when the
// test ends.
func (s *server) postTo(t testing.TB, path, body string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

type (
	chunk     = gatewaytest.Chunk
	errorBody = gatewaytest.Error
)

// readStream parses a whole SSE response: the chunks before [DONE], and
// whether [DONE] came last.
func readStream(t testing.TB, body io.Reader) (chunks []chunk, done bool, r *ssetest.Reader) {
	t.Helper()
	r = ssetest.NewReader(body)
	evs, err := r.All()
	if err != nil {
		t.Fatalf("read stream: %v", err)
	}
	for i, ev := range evs {
		if ev.Data == "[DONE]" {
			if i != len(evs)-1 {
				t.Fatalf("[DONE] is event %d of %d, want last", i+1, len(evs))
			}
			return chunks, true, r
		}
		c, err := gatewaytest.Decode(ev.Data)
		if err != nil {
			t.Fatalf("event %d: %v", i, err)
		}
		chunks = append(chunks, c)
	}
	return chunks, false, r
}

func text(chunks []chunk) string { return gatewaytest.Text(chunks) }

func decodeError(t testing.TB, resp *http.Response) errorBody {
	t.Helper()
	var body struct {
		Error *errorBody `json:"error"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil || body.Error == nil {
		t.Fatalf("error body is not OpenAI's error shape: %v", err)
	}
	return *body.Error
}

const hello = `{"model":"echo","stream":true,"messages":[{"role":"user","content":"hi"}]}`

// eventReader reads one event at a time, for tests that interleave reading
// with the model's progress.
type eventReader struct{ r *ssetest.Reader }

func newEventReader(body io.Reader) *eventReader { return &eventReader{ssetest.NewReader(body)} }

func (e *eventReader) chunk(t testing.TB) chunk {
	t.Helper()
	ev, err := e.r.Next()
	if err != nil {
		t.Fatalf("next event: %v", err)
	}
	c, err := gatewaytest.Decode(ev.Data)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

// capture reports the max tokens each request asked for.
func capture(got chan<- int) fakeModel {
	return func(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
		got <- req.MaxTokens
		return chat.Result{}, emit(chat.Delta{Text: "ok"})
	}
}

// firstThenWait is a model that emits "first", then waits until its context
// ends and sends stopped the reason.
func firstThenWait(stopped chan<- error) fakeModel {
	return func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
		if err := emit(chat.Delta{Text: "first"}); err != nil {
			return chat.Result{}, err
		}
		<-ctx.Done()
		stopped <- ctx.Err()
		return chat.Result{}, ctx.Err()
	}
}

// checkStoppedByDisconnect, once the client has gone: the model's context
// was cancelled, and the request's log line says the client went away.
func checkStoppedByDisconnect(t *testing.T, s *server, stopped <-chan error) {
	t.Helper()
	select {
	case err := <-stopped:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("model context ended with %v, want Canceled", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("model still running 10s after the client went away")
	}
	s.logs.waitFor(t, func() bool {
		lines := s.logs.lines(t, "request")
		return len(lines) == 1 && lines[0]["outcome"] == "client_gone"
	})
}
