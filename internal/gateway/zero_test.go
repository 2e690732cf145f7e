package gateway_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// TestZeroHeartbeatSendsNoPing: Heartbeat 0 (CHATBOT_HEARTBEAT=0) means no
// pings, so a stream's status waits for the first token however long the
// model is silent.
func TestZeroHeartbeatSendsNoPing(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h, _ := newGateway(t, func(c *gateway.Config) {
			c.Heartbeat = 0
			c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
				time.Sleep(45 * time.Second)
				return chat.Result{}, emit(chat.Delta{Text: "late"})
			})
		})
		resp := serve(t.Context(), h, hello)
		body, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(body), ": ping") || !strings.Contains(string(body), "late") {
			t.Errorf("body = %q, want the answer and no ping", body)
		}
	})
}

// TestZeroDeadlineMarginStopsAtTheDeadline: DeadlineMargin 0
// (DEADLINE_MARGIN=0) gives the model the request's own deadline.
func TestZeroDeadlineMarginStopsAtTheDeadline(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name   string
		margin time.Duration
	}{
		{name: "zero", margin: 0},
		{name: "default", margin: gateway.DefaultDeadlineMargin},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got := make(chan time.Time, 1)
			h, _ := newGateway(t, func(c *gateway.Config) {
				c.DeadlineMargin = tt.margin
				c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
					dl, _ := ctx.Deadline()
					got <- dl
					return chat.Result{}, emit(chat.Delta{Text: "ok"})
				})
			})
			deadline := time.Now().Add(time.Hour)
			ctx, cancel := context.WithDeadline(t.Context(), deadline)
			defer cancel()
			req := httptest.NewRequestWithContext(ctx, http.MethodPost, "/v1/chat/completions", strings.NewReader(hello))
			req.Header.Set("Content-Type", "application/json")
			h.ServeHTTP(httptest.NewRecorder(), req)
			if dl := <-got; !dl.Equal(deadline.Add(-tt.margin)) {
				t.Errorf("the model's deadline is %v before the request's, want %v", deadline.Sub(dl), tt.margin)
			}
		})
	}
}

// TestConfigIsTakenAsGiven: New fills in no limit; one that would refuse
// every request, or a negative duration, is an error.
func TestConfigIsTakenAsGiven(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		mod  func(*gateway.Config)
	}{
		{name: "no body limit", mod: func(c *gateway.Config) { c.MaxBodyBytes = 0 }},
		{name: "no max tokens", mod: func(c *gateway.Config) { c.Limits.MaxTokens = 0 }},
		{name: "no messages", mod: func(c *gateway.Config) { c.Limits.MaxMessages = 0 }},
		{name: "no images", mod: func(c *gateway.Config) { c.Limits.MaxImages = 0 }},
		{name: "negative heartbeat", mod: func(c *gateway.Config) { c.Heartbeat = -time.Second }},
		{name: "negative margin", mod: func(c *gateway.Config) { c.DeadlineMargin = -time.Second }},
	} {
		cfg := gateway.Config{
			Models:       []gateway.ModelEntry{{ID: "m", Model: words("x")}},
			MaxBodyBytes: gateway.DefaultMaxBodyBytes,
			Limits:       gateway.DefaultLimits(),
		}
		if _, err := gateway.New(cfg); err != nil {
			t.Fatalf("the defaults: %v", err)
		}
		tt.mod(&cfg)
		if _, err := gateway.New(cfg); err == nil {
			t.Errorf("%s: New accepted it", tt.name)
		}
	}
}
