package bedrock_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

// The tests here involve Stream's timers. They run in a synctest bubble
// against the fake on in-memory connections: the clock is fake and moves
// only when every goroutine waits, so a timeout cannot fire while a request
// is still on its way to the fake, and the time a call took is exact.

func TestStreamFirstTokenTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newPipeFake(t, fakebedrock.WithScenario(fakebedrock.Silent()))
		s := &sleeps{}
		cfg := testConfig(haiku, s)
		start := time.Now()
		text, _, err := collect(context.Background(), newPipeModel(t, srv, cfg), hello())
		if text != "" || !errors.Is(err, bedrock.ErrFirstTokenTimeout) {
			t.Fatalf("Stream = %q, %v; want ErrFirstTokenTimeout", text, err)
		}
		if took := time.Since(start); took != cfg.FirstTokenTimeout {
			t.Errorf("Stream returned after %v, want exactly the first-token timeout %v", took, cfg.FirstTokenTimeout)
		}
		if reason, ok := bedrock.FallbackReason(err); reason != "first_token_timeout" || !ok {
			t.Errorf("FallbackReason = %q, %v", reason, ok)
		}
		if n := len(srv.Requests()); n != 1 || len(s.get()) != 0 {
			t.Errorf("calls = %d, backoff %v; want one call, no retry", n, s.get())
		}
	})
}

// The first text decides, to the nanosecond, whether the timeout passed.
func TestStreamFirstTokenTimeoutEdge(t *testing.T) {
	t.Parallel()
	const timeout = 10 * time.Second
	tests := []struct {
		name     string
		delay    time.Duration
		wantText string
		wantErr  error
	}{
		{name: "first text just in time", delay: timeout - time.Nanosecond, wantText: "tok1 tok2 "},
		{name: "first text just too late", delay: timeout + time.Nanosecond, wantErr: bedrock.ErrFirstTokenTimeout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				srv := newPipeFake(t, fakebedrock.WithScenario(fakebedrock.Scenario{Tokens: 2, Delay: tt.delay}))
				cfg := testConfig(haiku, &sleeps{})
				cfg.FirstTokenTimeout = timeout
				text, _, err := collect(context.Background(), newPipeModel(t, srv, cfg), hello())
				if text != tt.wantText || !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
					t.Errorf("Stream = %q, %v; want %q, %v", text, err, tt.wantText, tt.wantErr)
				}
			})
		})
	}
}

// With the real backoff timer, waiting between attempts takes the backoff
// exactly, and counts against the first-token timeout, which spans every
// attempt.
func TestStreamBackoffWaits(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		scenarios []fakebedrock.Scenario
		timeout   time.Duration
		wantText  string
		wantErr   error
		wantTook  time.Duration
		wantCalls int
	}{
		{
			name:      "two backoffs then the answer",
			scenarios: []fakebedrock.Scenario{fakebedrock.Throttled(), fakebedrock.Throttled(), fakebedrock.Tokens(2)},
			timeout:   10 * time.Second,
			wantText:  "tok1 tok2 ", wantTook: 200*time.Millisecond + 400*time.Millisecond, wantCalls: 3,
		},
		{
			name:      "the timeout spans the backoff and the next attempt",
			scenarios: []fakebedrock.Scenario{fakebedrock.Throttled(), fakebedrock.Silent()},
			timeout:   300 * time.Millisecond,
			wantErr:   bedrock.ErrFirstTokenTimeout, wantTook: 300 * time.Millisecond, wantCalls: 2,
		},
		{
			name:      "the timeout ends a backoff",
			scenarios: []fakebedrock.Scenario{fakebedrock.Throttled(), fakebedrock.Throttled(), fakebedrock.Tokens(2)},
			timeout:   500 * time.Millisecond,
			wantErr:   bedrock.ErrFirstTokenTimeout, wantTook: 500 * time.Millisecond, wantCalls: 2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				srv := newPipeFake(t)
				srv.Push(tt.scenarios...)
				cfg := testConfig(haiku, &sleeps{})
				cfg.Sleep = nil // the real timer
				cfg.FirstTokenTimeout = tt.timeout
				start := time.Now()
				text, _, err := collect(context.Background(), newPipeModel(t, srv, cfg), hello())
				took := time.Since(start)
				if text != tt.wantText || !errors.Is(err, tt.wantErr) || (err != nil) != (tt.wantErr != nil) {
					t.Errorf("Stream = %q, %v; want %q, %v", text, err, tt.wantText, tt.wantErr)
				}
				if took != tt.wantTook {
					t.Errorf("Stream took %v, want %v", took, tt.wantTook)
				}
				if n := len(srv.Requests()); n != tt.wantCalls {
					t.Errorf("calls = %d, want %d", n, tt.wantCalls)
				}
			})
		})
	}
}
