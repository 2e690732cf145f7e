package gateway_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/quota"
)

// budget is the daily token budget of the budget tests: large enough
// never to refuse, so that every request is admitted and its cost shows in
// the next request's x-ratelimit-remaining-tokens.
const budget = 10_000_000

// promptReported is what the models in these tests report as the prompt's
// tokens the moment they start (Claude's message_start), before any text.
const promptReported = 60_000

// remaining is x-ratelimit-remaining-tokens of resp.
func remaining(t testing.TB, resp *http.Response) int {
	t.Helper()
	n, err := strconv.Atoi(resp.Header.Get("x-ratelimit-remaining-tokens"))
	if err != nil {
		t.Fatalf("x-ratelimit-remaining-tokens = %q", resp.Header.Get("x-ratelimit-remaining-tokens"))
	}
	return n
}

// probe is a request that reserves one token: its remaining header says
// what every earlier request cost, plus one.
const probe = `{"model":"eliza","stream":false,"max_tokens":1,"messages":[{"role":"user","content":"hi"}]}`

// TestCutAnswersChargeWhatTheyCost: five answers to a large prompt, each cut
// by its client after a few words, cost at least the prompt the model
// reported each time, not the handful of words that reached the client.
func TestCutAnswersChargeWhatTheyCost(t *testing.T) {
	t.Parallel()
	stopped := make(chan error, 1)
	s, _ := withLimits(t, quota.Limits{TokensPerDay: budget}, func(c *gateway.Config) {
		c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
			res := chat.Result{Usage: chat.Usage{PromptTokens: promptReported}}
			for _, w := range []string{"It", " depends"} {
				if err := emit(chat.Delta{Text: w}); err != nil {
					return res, err
				}
			}
			<-ctx.Done()
			stopped <- ctx.Err()
			return res, ctx.Err()
		})
	})
	body := `{"model":"echo","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"a long prompt"}]}`
	for i := range 5 {
		resp := s.post(t, body)
		r := newEventReader(resp.Body)
		r.chunk(t)
		resp.Body.Close()
		if err := <-stopped; !errors.Is(err, context.Canceled) {
			t.Fatalf("request %d: the model stopped with %v, want the client's disconnect", i+1, err)
		}
		s.logs.waitFor(t, func() bool { return len(s.logs.lines(t, "request")) == i+1 })
	}
	resp := s.post(t, probe)
	_, _ = io.Copy(io.Discard, resp.Body)
	spent := budget - 1 - remaining(t, resp)
	if want := 5 * (promptReported + 2); spent < want {
		t.Fatalf("five cut answers cost %d tokens of budget; the model reported at least %d", spent, want)
	}
}

// TestEveryExitChargesUsageSoFar covers each way an answer can end early,
// in both wire formats, streamed or not, in a synctest bubble (the deadline
// is the invocation's, on the fake clock). Each request's cost is read from
// the remaining tokens a probe sees after it.
func TestEveryExitChargesUsageSoFar(t *testing.T) {
	t.Parallel()
	longText := strings.Repeat("four", 1000) // 4000 bytes: an estimate of 1000 tokens
	tests := []struct {
		name string
		// fail ends the answer after two words: it returns the error the
		// model returns, given the model's context and the cancel of the
		// client's.
		fail func(ctx context.Context, clientGone context.CancelFunc) error
		// usage is what the model reports with its error.
		usage chat.Usage
		// min and max bound the tokens the request may cost.
		min, max int
	}{
		{name: "client gone", usage: chat.Usage{PromptTokens: promptReported},
			fail: func(ctx context.Context, gone context.CancelFunc) error {
				gone()
				<-ctx.Done()
				return ctx.Err()
			}, min: promptReported + 2, max: promptReported + 2},
		{name: "deadline", usage: chat.Usage{PromptTokens: promptReported, CompletionTokens: 5},
			fail: func(ctx context.Context, _ context.CancelFunc) error {
				<-ctx.Done()
				return ctx.Err()
			}, min: promptReported + 5, max: promptReported + 5},
		{name: "upstream error", usage: chat.Usage{PromptTokens: promptReported},
			fail: func(context.Context, context.CancelFunc) error {
				return fmt.Errorf("%w: ServiceUnavailableException", chat.ErrUpstream)
			}, min: promptReported + 2, max: promptReported + 2},
		{name: "idle timeout", usage: chat.Usage{PromptTokens: promptReported},
			fail: func(context.Context, context.CancelFunc) error {
				return fmt.Errorf("%w: no event for 30s", chat.ErrUpstreamTimeout)
			}, min: promptReported + 2, max: promptReported + 2},
		{name: "prompt unknown", usage: chat.Usage{},
			fail: func(context.Context, context.CancelFunc) error {
				return fmt.Errorf("%w: connection reset", chat.ErrUpstream)
			}, min: 1000 + 2, max: 1100},
	}
	formats := []struct {
		name, path, body string
	}{
		{"chat stream", "/v1/chat/completions", `{"model":"echo","stream":true,"max_tokens":100,"messages":[{"role":"user","content":"%s"}]}`},
		{"chat", "/v1/chat/completions", `{"model":"echo","max_tokens":100,"messages":[{"role":"user","content":"%s"}]}`},
		{"responses stream", "/v1/responses", `{"model":"echo","stream":true,"max_output_tokens":100,"input":"%s"}`},
		{"responses", "/v1/responses", `{"model":"echo","max_output_tokens":100,"input":"%s"}`},
	}
	for _, tt := range tests {
		for _, f := range formats {
			t.Run(tt.name+"/"+f.name, func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					var clientGone context.CancelFunc
					lim := quota.New(quota.Config{Default: quota.Limits{TokensPerDay: budget},
						Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}, quota.NewMemoryStore(time.Now))
					h, _ := newGateway(t, func(c *gateway.Config) {
						c.Limiter = app.Limiter(lim)
						c.DeadlineMargin = time.Second
						c.Models[0].Model = fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
							res := chat.Result{Usage: tt.usage}
							for _, w := range []string{"It", " depends"} {
								if err := emit(chat.Delta{Text: w}); err != nil {
									return res, err
								}
							}
							return res, tt.fail(ctx, clientGone)
						})
					})
					ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
					defer cancel()
					ctx, clientGone = context.WithCancel(ctx)
					defer clientGone()
					resp := serveAt(ctx, h, f.path, fmt.Sprintf(f.body, longText))
					_, _ = io.Copy(io.Discard, resp.Body)
					resp = serve(t.Context(), h, probe)
					spent := budget - 1 - remaining(t, resp)
					if spent < tt.min || spent > tt.max {
						t.Fatalf("the answer cost %d tokens of budget; want %d to %d", spent, tt.min, tt.max)
					}
				})
			})
		}
	}
}

// TestFallbackChargesBothModels: a model that read the prompt and then
// failed before its first word was billed for that prompt; the fallback's
// answer comes on top.
func TestFallbackChargesBothModels(t *testing.T) {
	t.Parallel()
	s, _ := withLimits(t, quota.Limits{TokensPerDay: budget}, func(c *gateway.Config) {
		c.Models[0].Model = fakeModel(func(context.Context, *chat.Request, chat.Emit) (chat.Result, error) {
			return chat.Result{Usage: chat.Usage{PromptTokens: promptReported}}, errUpstream
		})
		c.Fallback = policy
	})
	resp := s.post(t, `{"model":"echo","max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d; want the fallback's answer", resp.StatusCode)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	s.logs.waitFor(t, func() bool { return len(s.logs.lines(t, "request")) == 1 })
	resp = s.post(t, probe)
	_, _ = io.Copy(io.Discard, resp.Body)
	// The fallback (words) reports 7 prompt and 3 completion tokens.
	if spent, want := budget-1-remaining(t, resp), promptReported+7+3; spent != want {
		t.Fatalf("the answer cost %d tokens; want %d: the failed model's prompt and the fallback's usage", spent, want)
	}
}
