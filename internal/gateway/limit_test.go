package gateway_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/quota"
)

// withLimits serves the gateway with a limiter over a memory store, on a
// clock 30 s into a minute and 12 h before midnight UTC.
func withLimits(t *testing.T, l quota.Limits, mod func(*gateway.Config)) (*server, *authtest.Clock) {
	t.Helper()
	clock := authtest.NewClock()
	clock.Advance(time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC).Sub(clock.Now()))
	lim := quota.New(quota.Config{Default: l, Now: clock.Now, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))},
		quota.NewMemoryStore(clock.Now))
	return newServer(t, func(c *gateway.Config) {
		c.Limiter = app.Limiter(lim)
		if mod != nil {
			mod(c)
		}
	}), clock
}

func TestRateLimitHeadersAndRefusal(t *testing.T) {
	t.Parallel()
	var calls atomic.Int32
	s, _ := withLimits(t, quota.Limits{RequestsPerMinute: 2, TokensPerDay: 10000}, func(c *gateway.Config) {
		c.Models[0].Model = chat.ModelFunc(func(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
			calls.Add(1)
			return words("Hello")(ctx, req, emit)
		})
	})
	body := `{"model":"echo","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`
	for i, want := range []struct{ reqs, toks string }{{"1", "9900"}, {"0", "9892"}} {
		resp := s.post(t, body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: status %d", i+1, resp.StatusCode)
		}
		for k, v := range map[string]string{
			"x-ratelimit-limit-requests": "2", "x-ratelimit-remaining-requests": want.reqs, "x-ratelimit-reset-requests": "30s",
			"x-ratelimit-limit-tokens": "10000", "x-ratelimit-remaining-tokens": want.toks, "x-ratelimit-reset-tokens": "11h59m30s",
		} {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("request %d: %s = %q; want %q", i+1, k, got, v)
			}
		}
		if _, done, _ := readStream(t, resp.Body); !done {
			t.Fatalf("request %d: no [DONE]", i+1)
		}
	}
	// The first answer settled to its usage (7 + 1 tokens), so the second
	// saw 10000 - 8 - 100 remaining.

	resp := s.post(t, body)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("third request: status %d; want 429", resp.StatusCode)
	}
	e := decodeError(t, resp)
	if e.Code != "requests_per_minute_exceeded" || e.Type != "requests" ||
		e.Message != "Rate limit reached: this account may send 2 requests per minute. Try again in 30s." {
		t.Fatalf("error = %+v", e)
	}
	for k, v := range map[string]string{
		"Retry-After": "30", "x-ratelimit-remaining-requests": "0", "x-ratelimit-limit-requests": "2",
		"Content-Type": "application/json",
	} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("429: %s = %q; want %q", k, got, v)
		}
	}
	if calls.Load() != 2 {
		t.Fatalf("the model was called %d times; a refused request must not reach it", calls.Load())
	}
	s.logs.waitFor(t, func() bool { return len(s.logs.lines(t, "request")) == 3 })
	if line := s.logs.lines(t, "request")[2]; line["rate_limited"] != "requests_per_minute_exceeded" || line["status"] != 429.0 {
		t.Fatalf("log line of the refusal = %v", line)
	}
}

func TestTokenBudgetRefusalSaysTokens(t *testing.T) {
	t.Parallel()
	s, _ := withLimits(t, quota.Limits{TokensPerDay: 5}, nil)
	resp := s.post(t, `{"model":"echo","stream":false,"messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != http.StatusOK || resp.Header.Get("x-ratelimit-limit-tokens") != "5" {
		t.Fatalf("first: status %d, headers %v", resp.StatusCode, resp.Header)
	}
	resp = s.post(t, hello)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("over budget: status %d", resp.StatusCode)
	}
	if e := decodeError(t, resp); e.Code != "tokens_per_day_exceeded" || e.Type != "tokens" {
		t.Fatalf("error = %+v", e)
	}
	if got := resp.Header.Get("Retry-After"); got != "43170" {
		t.Fatalf("Retry-After = %q; want the seconds until midnight UTC", got)
	}
}

func TestConcurrentStreamsLimit(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	s, _ := withLimits(t, quota.Limits{ConcurrentStreams: 1}, func(c *gateway.Config) {
		c.Models[0].Model = chat.ModelFunc(func(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
			if err := emit(chat.Delta{Text: "first"}); err != nil {
				return chat.Result{}, err
			}
			select {
			case <-release:
			case <-ctx.Done():
				return chat.Result{}, ctx.Err()
			}
			return chat.Result{}, nil
		})
	})
	first := s.post(t, hello)
	events := newEventReader(first.Body)
	if c := events.chunk(t); text([]chunk{c}) != "first" {
		t.Fatalf("first chunk = %+v", c)
	}
	resp := s.post(t, hello)
	if resp.StatusCode != http.StatusTooManyRequests {
		t.Fatalf("second stream while the first runs: status %d", resp.StatusCode)
	}
	if e := decodeError(t, resp); e.Code != "concurrent_streams_exceeded" {
		t.Fatalf("error = %+v", e)
	}
	close(release)
	if _, done, _ := readStream(t, first.Body); !done {
		t.Fatal("the first stream did not finish")
	}
	s.logs.waitFor(t, func() bool { return len(s.logs.lines(t, "request")) == 2 })
	if resp := s.post(t, hello); resp.StatusCode != http.StatusOK {
		t.Fatalf("after the first stream ended: status %d", resp.StatusCode)
	}
}

type brokenStore struct{}

var errBroken = errors.New("table unreachable")

func (brokenStore) Take(context.Context, string, int64, int64, time.Time) (int64, bool, error) {
	return 0, false, errBroken
}
func (brokenStore) Add(context.Context, string, int64, time.Time) error { return errBroken }
func (brokenStore) Acquire(context.Context, string, string, int64, time.Time, time.Time) (bool, error) {
	return false, errBroken
}
func (brokenStore) Renew(context.Context, string, string, time.Time) error { return errBroken }
func (brokenStore) Release(context.Context, string, string) error          { return errBroken }
func (brokenStore) AddUsage(context.Context, string, quota.Usage, time.Time) error {
	return errBroken
}
func (brokenStore) GetUsage(context.Context, string) (quota.Usage, error) {
	return quota.Usage{}, errBroken
}

func TestRateLimitStoreFailure(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		policy quota.Policy
		status int
	}{{quota.Allow, http.StatusOK}, {quota.Deny, http.StatusServiceUnavailable}} {
		lim := quota.New(quota.Config{Default: quota.Limits{RequestsPerMinute: 1}, OnStoreError: tc.policy,
			Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, brokenStore{})
		s := newServer(t, func(c *gateway.Config) { c.Limiter = app.Limiter(lim) })
		resp := s.post(t, hello)
		if resp.StatusCode != tc.status {
			t.Fatalf("%s: status %d; want %d", tc.policy, resp.StatusCode, tc.status)
		}
		if tc.policy == quota.Deny {
			if e := decodeError(t, resp); e.Code != "rate_limiter_unavailable" {
				t.Fatalf("deny: error = %+v", e)
			}
		} else {
			_, _ = io.Copy(io.Discard, resp.Body)
		}
		s.logs.waitFor(t, func() bool { return len(s.logs.lines(t, "request")) == 1 })
		if line := s.logs.lines(t, "request")[0]; line["quota_store_error"] != true {
			t.Fatalf("%s: the log line does not say the store failed: %v", tc.policy, line)
		}
	}
}

// TestRateLimitHeadersExposedToBrowsers: a page on an allowed origin can
// read the rate limit headers of a refusal.
func TestRateLimitHeadersExposedToBrowsers(t *testing.T) {
	t.Parallel()
	s, _ := withLimits(t, quota.Limits{RequestsPerMinute: 1}, func(c *gateway.Config) {
		c.AllowedOrigins = []string{"https://chat.example.com"}
	})
	for range 2 {
		req, err := http.NewRequest(http.MethodPost, s.URL+"/v1/chat/completions", strings.NewReader(hello))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Origin", "https://chat.example.com")
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		exposed := strings.ToLower(resp.Header.Get("Access-Control-Expose-Headers"))
		for _, h := range []string{"retry-after", "x-ratelimit-remaining-requests", "x-ratelimit-reset-tokens"} {
			if !strings.Contains(exposed, h) {
				t.Errorf("status %d: %s not exposed (%q)", resp.StatusCode, h, exposed)
			}
		}
	}
}
