package gateway_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
	"github.com/chatbot-gateway/chatbot/internal/sse/ssetest"
	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// halting emits n words, waits for release, then emits n more; done
// receives how the model ended.
func halting(n int, release <-chan struct{}, done chan<- error) fakeModel {
	return func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
		for i := range 2 * n {
			if i == n {
				select {
				case <-release:
				case <-ctx.Done():
					done <- context.Cause(ctx)
					return chat.Result{}, ctx.Err()
				}
			}
			if err := emit(chat.Delta{Text: fmt.Sprintf("w%d ", i)}); err != nil {
				done <- err
				return chat.Result{}, err
			}
		}
		done <- nil
		return chat.Result{FinishReason: chat.FinishStop}, nil
	}
}

func wordsUpTo(n int) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, "w%d ", i)
	}
	return b.String()
}

// byHeader authenticates the caller named in X-Caller, keyed by it.
func byHeader() gateway.Authenticator {
	return authFunc(func(r *http.Request, _ []byte) (*gateway.Caller, error) {
		who := r.Header.Get("X-Caller")
		return &gateway.Caller{Subject: who, Key: "test:" + who}, nil
	})
}

// keptServer serves the halting model with streams kept in store. A test
// that fails before it closes release leaves no model waiting: the server
// is closed with release closed.
func keptServer(t *testing.T, store streambuf.Store, release chan struct{}, done chan<- error, more ...func(*gateway.Config)) *server {
	t.Helper()
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	s := newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = halting(5, release, done)
		c.Streams = store
		c.StreamWriter = streambuf.WriterConfig{FlushInterval: time.Millisecond, CancelCheck: 5 * time.Millisecond}
		c.StreamFollow = streambuf.FollowConfig{}
		c.Auth = byHeader()
		c.Detach = func(produce func()) { go produce() }
		for _, f := range more {
			f(c)
		}
	})
	t.Cleanup(func() { once.Do(func() { close(release) }) }) // before the server's Close
	return s
}

func (s *server) do(t testing.TB, method, path, caller, body string, header ...string) *http.Response {
	t.Helper()
	req, err := http.NewRequest(method, s.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("X-Caller", caller)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

// readUntil reads events until one whose data contains marker, and
// returns them.
func readUntil(t testing.TB, r *ssetest.Reader, marker string) []ssetest.Event {
	t.Helper()
	var evs []ssetest.Event
	for {
		ev, err := r.Next()
		if err != nil {
			t.Fatalf("stream ended before %q: %v (after %d events)", marker, err, len(evs))
		}
		evs = append(evs, ev)
		if strings.Contains(ev.Data, marker) {
			return evs
		}
	}
}

// checkIDs checks events are numbered without a gap from first.
func checkIDs(t testing.TB, evs []ssetest.Event, first int) {
	t.Helper()
	for i, ev := range evs {
		if ev.ID != strconv.Itoa(first+i) {
			t.Fatalf("event %d has id %q; want %d", i, ev.ID, first+i)
		}
	}
}

// TestResumeChatCompletions: a client that drops a streamed answer half
// way and resumes with its last id gets exactly the rest, then [DONE];
// the model was not stopped by the drop; another caller finds nothing.
func TestResumeChatCompletions(t *testing.T) {
	t.Parallel()
	release, done := make(chan struct{}), make(chan error, 1)
	s := keptServer(t, streambuf.NewMemory(streambuf.MemoryConfig{}), release, done)

	resp := s.do(t, http.MethodPost, "/v1/chat/completions", "alice", `{"messages":[{"role":"user","content":"hi"}],"stream":true}`)
	first := readUntil(t, ssetest.NewReader(resp.Body), "w2 ")
	resp.Body.Close() // the connection drops
	checkIDs(t, first, 0)
	c, err := gatewaytest.Decode(first[0].Data)
	if err != nil || c.ID == nil {
		t.Fatalf("first chunk %q: %v", first[0].Data, err)
	}
	id, last := *c.ID, first[len(first)-1].ID
	release <- struct{}{}
	if err := <-done; err != nil {
		t.Fatalf("the model stopped when its client left: %v", err)
	}

	for _, tc := range []struct {
		name, path string
		header     []string
	}{
		{"Last-Event-ID", "/v1/chat/completions/" + id + "/stream", []string{"Last-Event-ID", last}},
		{"after", "/v1/chat/completions/" + id + "/stream?after=" + last, nil},
	} {
		resp := s.do(t, http.MethodGet, tc.path, "alice", "", tc.header...)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/event-stream") {
			t.Fatalf("%s: resume = %d %s", tc.name, resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		chunks, ended, r := readStream(t, resp.Body)
		if !ended {
			t.Fatalf("%s: resumed stream without [DONE]", tc.name)
		}
		var all []chunk
		for _, ev := range first {
			c, _ := gatewaytest.Decode(ev.Data)
			all = append(all, c)
		}
		all = append(all, chunks...)
		if got, want := text(all), wordsUpTo(10); got != want {
			t.Errorf("%s: the answer across the drop = %q; want %q, no word missing or twice", tc.name, got, want)
		}
		_ = r
	}
	for _, tc := range []struct{ name, caller, path string }{
		{"another caller", "mallory", "/v1/chat/completions/" + id + "/stream"},
		{"an unknown id", "alice", "/v1/chat/completions/chatcmpl-NOPE/stream"},
	} {
		resp := s.do(t, http.MethodGet, tc.path, tc.caller, "")
		if resp.StatusCode != http.StatusNotFound || decodeError(t, resp).Code != "not_found" {
			t.Errorf("%s: %d; want 404 not_found", tc.name, resp.StatusCode)
		}
	}
	resp = s.do(t, http.MethodGet, "/v1/chat/completions/"+id+"/stream?after=x", "alice", "")
	if resp.StatusCode != http.StatusBadRequest {
		t.Errorf("after=x: %d; want 400", resp.StatusCode)
	}
}

type responseEvent struct {
	Type     string `json:"type"`
	Sequence int    `json:"sequence_number"`
	Delta    string `json:"delta"`
	Response struct {
		ID     string `json:"id"`
		Status string `json:"status"`
	} `json:"response"`
}

// TestResumeResponses: OpenAI's shape, GET /v1/responses/{id}?stream=true
// &starting_after=n, gives the events after n, whose ids are their
// sequence numbers; GET /v1/responses/{id} gives the response.
func TestResumeResponses(t *testing.T) {
	t.Parallel()
	release, done := make(chan struct{}), make(chan error, 1)
	s := keptServer(t, streambuf.NewMemory(streambuf.MemoryConfig{}), release, done)

	resp := s.do(t, http.MethodPost, "/v1/responses", "alice", `{"input":"hi","stream":true}`)
	first := readUntil(t, ssetest.NewReader(resp.Body), `"delta":"w1 "`)
	resp.Body.Close()
	var created responseEvent
	if err := json.Unmarshal([]byte(first[0].Data), &created); err != nil || created.Response.ID == "" {
		t.Fatalf("first event %q: %v", first[0].Data, err)
	}
	id := created.Response.ID
	live := s.do(t, http.MethodGet, "/v1/responses/"+id, "alice", "")
	var obj responseEvent
	if err := json.NewDecoder(live.Body).Decode(&obj.Response); err != nil || (obj.Response.Status != "in_progress" && obj.Response.Status != "queued") {
		t.Fatalf("GET of a live response: %+v, %v", obj.Response, err)
	}
	release <- struct{}{}
	if err := <-done; err != nil {
		t.Fatalf("the model stopped when its client left: %v", err)
	}

	after := first[len(first)-1].ID
	resp = s.do(t, http.MethodGet, "/v1/responses/"+id+"?stream=true&starting_after="+after, "alice", "")
	rest, err := ssetest.NewReader(resp.Body).All()
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("resume: %d, %v", resp.StatusCode, err)
	}
	all := append(first, rest...)
	checkIDs(t, all, 0)
	var text strings.Builder
	for i, ev := range all {
		var e responseEvent
		if err := json.Unmarshal([]byte(ev.Data), &e); err != nil {
			t.Fatal(err)
		}
		if e.Sequence != i || e.Type != ev.Type {
			t.Fatalf("event %d: sequence_number %d, type %q (SSE %q)", i, e.Sequence, e.Type, ev.Type)
		}
		if e.Type == "response.output_text.delta" {
			text.WriteString(e.Delta)
		}
	}
	if got := text.String(); got != wordsUpTo(10) || all[len(all)-1].Type != "response.completed" {
		t.Fatalf("across the drop: %q ending %s; want %q ending response.completed", got, all[len(all)-1].Type, wordsUpTo(10))
	}
	resp = s.do(t, http.MethodGet, "/v1/responses/"+id, "alice", "")
	if err := json.NewDecoder(resp.Body).Decode(&obj.Response); err != nil || obj.Response.Status != "completed" || obj.Response.ID != id {
		t.Fatalf("GET of a finished response: %+v, %v", obj.Response, err)
	}
	if resp := s.do(t, http.MethodGet, "/v1/responses/"+id, "mallory", ""); resp.StatusCode != http.StatusNotFound {
		t.Errorf("another caller's GET: %d; want 404", resp.StatusCode)
	}
}

// TestResumeIsNotAdmittedAgain: reading a kept answer again (resuming
// it, retrieving it, cancelling it once it has ended) asks the Limiter
// nothing: the answer was admitted, and counted, once.
func TestResumeIsNotAdmittedAgain(t *testing.T) {
	t.Parallel()
	release, done := make(chan struct{}), make(chan error, 1)
	lim := &countingLimiter{}
	s := keptServer(t, streambuf.NewMemory(streambuf.MemoryConfig{}), release, done, func(c *gateway.Config) { c.Limiter = lim })

	resp := s.do(t, http.MethodPost, "/v1/responses", "alice", `{"input":"hi","stream":true}`)
	first := readUntil(t, ssetest.NewReader(resp.Body), `"delta":"w1 "`)
	resp.Body.Close()
	var created responseEvent
	if err := json.Unmarshal([]byte(first[0].Data), &created); err != nil || created.Response.ID == "" {
		t.Fatalf("first event %q: %v", first[0].Data, err)
	}
	id := created.Response.ID
	release <- struct{}{}
	if err := <-done; err != nil {
		t.Fatalf("the model stopped when its client left: %v", err)
	}
	for _, tc := range []struct{ method, path string }{
		{http.MethodGet, "/v1/responses/" + id + "?stream=true&starting_after=" + first[len(first)-1].ID},
		{http.MethodGet, "/v1/responses/" + id + "?stream=true"},
		{http.MethodGet, "/v1/responses/" + id},
		{http.MethodPost, "/v1/responses/" + id + "/cancel"},
	} {
		resp := s.do(t, tc.method, tc.path, "alice", "")
		if _, err := io.ReadAll(resp.Body); err != nil || resp.StatusCode != http.StatusOK {
			t.Fatalf("%s %s: %d, %v", tc.method, tc.path, resp.StatusCode, err)
		}
	}
	if n := lim.admitted.Load(); n != 1 {
		t.Errorf("%d admissions for one answer read again four times; want 1", n)
	}
}

// countingLimiter admits every call, without limits, and counts them.
type countingLimiter struct{ admitted atomic.Int64 }

func (l *countingLimiter) Admit(context.Context, *gateway.Caller, string, int) (gateway.Grant, error) {
	l.admitted.Add(1)
	return nil, nil
}

// TestCancelStopsTheProducer: POST /v1/responses/{id}/cancel stops the
// model of a kept stream whose client left, and the response then reads
// cancelled; another caller cannot cancel it.
func TestCancelStopsTheProducer(t *testing.T) {
	t.Parallel()
	release, done := make(chan struct{}), make(chan error, 1)
	s := keptServer(t, streambuf.NewMemory(streambuf.MemoryConfig{}), release, done)
	resp := s.do(t, http.MethodPost, "/v1/responses", "alice", `{"input":"hi","stream":true}`)
	first := readUntil(t, ssetest.NewReader(resp.Body), `"delta":"w1 "`)
	resp.Body.Close()
	var created responseEvent
	_ = json.Unmarshal([]byte(first[0].Data), &created)
	id := created.Response.ID

	if resp := s.do(t, http.MethodPost, "/v1/responses/"+id+"/cancel", "mallory", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another caller's cancel: %d; want 404", resp.StatusCode)
	}
	if resp := s.do(t, http.MethodPost, "/v1/responses/"+id+"/cancel", "alice", ""); resp.StatusCode != http.StatusOK {
		t.Fatalf("cancel: %d", resp.StatusCode)
	}
	select {
	case err := <-done:
		if err == nil || !strings.Contains(err.Error(), "cancelled") {
			t.Fatalf("model ended with %v; want the cancel", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("model still running 10s after the cancel")
	}
	s.logs.waitFor(t, func() bool {
		for _, l := range s.logs.lines(t, "request") {
			if l["path"] == "/v1/responses" && l["outcome"] == "cancelled" {
				return true
			}
		}
		return false
	})
	resp = s.do(t, http.MethodGet, "/v1/responses/"+id, "alice", "")
	body, _ := io.ReadAll(resp.Body)
	var obj struct{ Status string }
	if err := json.Unmarshal(body, &obj); err != nil || obj.Status != "cancelled" {
		t.Fatalf("after the cancel: %s", body)
	}
}

// TestBackgroundResponse: background: true answers at once with the queued
// response; the answer is produced without the client, and read back by
// id, streamed from the start and as one object.
func TestBackgroundResponse(t *testing.T) {
	t.Parallel()
	release, done := make(chan struct{}), make(chan error, 1)
	s := keptServer(t, streambuf.NewMemory(streambuf.MemoryConfig{}), release, done)
	resp := s.do(t, http.MethodPost, "/v1/responses", "alice", `{"input":"hi","background":true}`)
	var accepted struct {
		ID         string
		Status     string
		Background bool
	}
	if err := json.NewDecoder(resp.Body).Decode(&accepted); err != nil || resp.StatusCode != http.StatusOK ||
		accepted.Status != "queued" || !accepted.Background || !strings.HasPrefix(accepted.ID, "resp_") {
		t.Fatalf("background POST: %d %+v %v", resp.StatusCode, accepted, err)
	}
	if resp := s.do(t, http.MethodGet, "/v1/responses/"+accepted.ID, "mallory", ""); resp.StatusCode != http.StatusNotFound {
		t.Fatalf("another caller: %d; want 404", resp.StatusCode)
	}
	release <- struct{}{}
	if err := <-done; err != nil {
		t.Fatalf("background model: %v", err)
	}
	resp = s.do(t, http.MethodGet, "/v1/responses/"+accepted.ID+"?stream=true", "alice", "")
	evs, err := ssetest.NewReader(resp.Body).All()
	if err != nil || len(evs) == 0 {
		t.Fatalf("stream of a background response: %v", err)
	}
	checkIDs(t, evs, 0)
	var text strings.Builder
	for _, ev := range evs {
		var e responseEvent
		_ = json.Unmarshal([]byte(ev.Data), &e)
		text.WriteString(e.Delta)
	}
	if text.String() != wordsUpTo(10) || evs[len(evs)-1].Type != "response.completed" {
		t.Fatalf("background answer %q ending %s", text.String(), evs[len(evs)-1].Type)
	}
	s.logs.waitFor(t, func() bool { return len(s.logs.lines(t, "background response ended")) == 1 })
}
