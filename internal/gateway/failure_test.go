package gateway_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

var errUpstream = errors.New("upstream throttled")

// failing emits the given words, then fails with err.
func failing(err error, ws ...string) fakeModel {
	return func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
		for _, w := range ws {
			if e := emit(chat.Delta{Text: w}); e != nil {
				return chat.Result{}, e
			}
		}
		return chat.Result{}, err
	}
}

// policy falls back on errUpstream only.
func policy(err error) (string, bool) {
	if errors.Is(err, errUpstream) {
		return "throttled", true
	}
	return "", false
}

func TestFallbackBeforeFirstToken(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = failing(errUpstream)
		c.Fallback = policy
	})
	resp := s.post(t, hello)
	if resp.StatusCode != 200 {
		t.Fatalf("status = %d, want 200 with the fallback's answer", resp.StatusCode)
	}
	chunks, done, _ := readStream(t, resp.Body)
	if !done || text(chunks) != "Please go on." {
		t.Fatalf("done=%v text=%q, want ELIZA's answer", done, text(chunks))
	}
	for _, c := range chunks {
		if c.Model != "eliza" {
			t.Errorf("chunk model = %q, want eliza after a fallback", c.Model)
		}
	}
	s.logs.waitFor(t, func() bool { return len(s.logs.lines(t, "request")) == 1 })
	l := s.logs.lines(t, "request")[0]
	if l["fallback"] != "throttled" || l["model"] != "eliza" {
		t.Errorf("log line: fallback=%v model=%v", l["fallback"], l["model"])
	}

	// Without streaming too.
	resp = s.post(t, `{"messages":[{"role":"user","content":"hi"}]}`)
	var c struct {
		Model string `json:"model"`
	}
	if err := jsonDecode(resp, &c); err != nil || c.Model != "eliza" {
		t.Errorf("non-stream fallback: model=%q err=%v", c.Model, err)
	}
}

func TestFailureAfterFirstTokenEndsInBand(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = failing(errUpstream, "partial")
		c.Fallback = policy
	})
	chunks, done, _ := readStream(t, s.post(t, hello).Body)
	if done {
		t.Fatal("[DONE] after a mid-stream failure")
	}
	last := chunks[len(chunks)-1]
	if last.Error == nil || last.Error.Type != "server_error" || last.Error.Code != "model_error" {
		t.Fatalf("last frame = %+v, want an in-band model_error", last)
	}
	if strings.Contains(last.Error.Message, "throttled") {
		t.Errorf("internal error text leaked: %q", last.Error.Message)
	}
	if text(chunks) != "partial" {
		t.Errorf("text = %q", text(chunks))
	}
}

func TestNoFallbackForClientErrors(t *testing.T) {
	t.Parallel()
	bad := &chat.PublicError{Kind: chat.ErrInvalidRequest, Message: "max_tokens exceeds the model's limit"}
	s := newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = failing(bad)
		c.Fallback = policy
	})
	resp := s.post(t, `{"messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != 400 {
		t.Fatalf("status = %d, want 400", resp.StatusCode)
	}
	if e := decodeError(t, resp); e.Message != bad.Message || e.Type != "invalid_request_error" {
		t.Errorf("error = %+v", e)
	}
	// Streamed too: the status has not left before the first token.
	resp = s.post(t, hello)
	if resp.StatusCode != 400 {
		t.Fatalf("streamed: status = %d, want 400", resp.StatusCode)
	}
	if e := decodeError(t, resp); e.Message != bad.Message || e.Type != "invalid_request_error" {
		t.Errorf("streamed: error = %+v", e)
	}
}

func TestUnavailableWithoutFallback(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = failing(chat.ErrUnavailable)
		c.FallbackModel = ""
	})
	resp := s.post(t, `{"messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != 503 || resp.Header.Get("Retry-After") == "" {
		t.Errorf("status = %d, Retry-After %q; want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
}

// TestDeadlineMarginEndsStreamInBand runs in a synctest bubble: the clock
// is fake, so the stream must end exactly DeadlineMargin before the
// deadline, however busy the machine is.
func TestDeadlineMarginEndsStreamInBand(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const deadline, margin = 30 * time.Second, 2 * time.Second
		var cause error
		h, _ := newGateway(t, func(c *gateway.Config) {
			c.DeadlineMargin = margin
			c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
				if err := emit(chat.Delta{Text: "some"}); err != nil {
					return chat.Result{}, err
				}
				<-ctx.Done()
				cause = context.Cause(ctx)
				return chat.Result{}, ctx.Err()
			})
		})
		// A Lambda invocation's context carries its deadline.
		ctx, cancel := context.WithTimeout(t.Context(), deadline)
		defer cancel()
		start := time.Now()
		resp := serve(ctx, h, hello)
		if took := time.Since(start); took != deadline-margin {
			t.Errorf("stream ended after %v, want %v: the margin before the %v deadline", took, deadline-margin, deadline)
		}
		if !errors.Is(cause, chat.ErrDeadline) {
			t.Errorf("model's context ended with %v, want chat.ErrDeadline", cause)
		}
		chunks, done, _ := readStream(t, resp.Body)
		if done {
			t.Fatal("[DONE] after the deadline")
		}
		if text(chunks) != "some" {
			t.Errorf("text = %q, want the words before the deadline", text(chunks))
		}
		last := chunks[len(chunks)-1]
		if last.Error == nil || last.Error.Code != "deadline_exceeded" {
			t.Fatalf("last frame = %+v, want deadline_exceeded", last)
		}
	})
}

func TestPanicIsRecovered(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
			_ = emit(chat.Delta{Text: "before"})
			panic("boom")
		})
	})
	chunks, done, _ := readStream(t, s.post(t, hello).Body)
	if done || chunks[len(chunks)-1].Error == nil {
		t.Errorf("streamed panic: done=%v last=%+v", done, chunks[len(chunks)-1])
	}
	resp := s.post(t, `{"messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != 500 {
		t.Errorf("non-stream panic: status %d, want 500", resp.StatusCode)
	}
	if e := decodeError(t, resp); strings.Contains(e.Message, "boom") {
		t.Errorf("panic value leaked: %q", e.Message)
	}
	if len(s.logs.lines(t, "panic")) == 0 {
		t.Errorf("panic not logged")
	}
	// The server still answers.
	if _, done, _ := readStream(t, s.post(t, `{"model":"eliza","stream":true,"messages":[{"role":"user","content":"hi"}]}`).Body); !done {
		t.Errorf("no answer after a panic")
	}
}

// authFunc is an Authenticator written by each test.
type authFunc func(r *http.Request, body []byte) (*gateway.Caller, error)

func (f authFunc) Check(r *http.Request, body []byte) (*gateway.Caller, error) { return f(r, body) }

func TestAuthErrorsMapToStatuses(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		status int
		typ    string
		code   string
	}{
		{"expired", &auth.Error{Kind: auth.ErrUnauthenticated, Code: "token_expired"}, 401, "authentication_error", "token_expired"},
		{"cidr", &auth.Error{Kind: auth.ErrForbidden, Code: "cidr_denied"}, 403, "permission_error", "cidr_denied"},
		{"hash", &auth.Error{Kind: auth.ErrBadPayloadHash, Code: "payload_hash_mismatch"}, 400, "invalid_request_error", "payload_hash_mismatch"},
		{"keys", &auth.Error{Kind: auth.ErrKeysUnavailable, Code: "keys_unavailable"}, 503, "service_unavailable_error", "keys_unavailable"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			called := false
			s := newServer(t, func(c *gateway.Config) {
				c.Auth = authFunc(func(*http.Request, []byte) (*gateway.Caller, error) { return nil, tt.err })
				c.Models[0].Model = fakeModel(func(context.Context, *chat.Request, chat.Emit) (chat.Result, error) {
					called = true
					return chat.Result{}, nil
				})
			})
			// Malformed JSON: auth is checked first, so it is not revealed.
			resp := s.post(t, `{"messages":`)
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			e := decodeError(t, resp)
			if e.Type != tt.typ || e.Code != tt.code {
				t.Errorf("error = %+v", e)
			}
			if tt.status == 401 && resp.Header.Get("WWW-Authenticate") != `Bearer error="invalid_token"` {
				t.Errorf("WWW-Authenticate = %q", resp.Header.Get("WWW-Authenticate"))
			}
			if tt.status == 503 && resp.Header.Get("Retry-After") == "" {
				t.Errorf("503 without Retry-After")
			}
			if called {
				t.Errorf("model called for a refused request")
			}
			// The models list is guarded too.
			mr, err := s.Client().Get(s.URL + "/v1/models")
			if err != nil {
				t.Fatal(err)
			}
			mr.Body.Close()
			if mr.StatusCode != tt.status {
				t.Errorf("GET /v1/models status = %d, want %d", mr.StatusCode, tt.status)
			}
		})
	}
}

func TestIdentityReachesModelAndLog(t *testing.T) {
	t.Parallel()
	var gotBody string
	s := newServer(t, func(c *gateway.Config) {
		c.Auth = authFunc(func(_ *http.Request, body []byte) (*gateway.Caller, error) {
			gotBody = string(body)
			return &gateway.Caller{Subject: "user-123"}, nil
		})
		c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
			id, ok := gateway.CallerFrom(ctx)
			if !ok || id.Subject != "user-123" {
				return chat.Result{}, errors.New("no identity in context")
			}
			return chat.Result{}, emit(chat.Delta{Text: "ok"})
		})
	})
	if _, done, _ := readStream(t, s.post(t, hello).Body); !done {
		t.Fatal("stream failed")
	}
	if gotBody != hello {
		t.Errorf("authenticator saw body %q, want the exact request body", gotBody)
	}
	s.logs.waitFor(t, func() bool { return len(s.logs.lines(t, "request")) == 1 })
	if sub := s.logs.lines(t, "request")[0]["sub"]; sub != "user-123" {
		t.Errorf("log sub = %v", sub)
	}
}
