package gateway_test

import (
	"context"
	"errors"
	"io"
	"math"
	"net/http"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/price"
)

// cached answers with a Claude usage that read and wrote the prompt cache.
func cached(u chat.Usage) chat.ModelFunc {
	return func(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
		if err := emit(chat.Delta{Text: "Hi"}); err != nil {
			return chat.Result{}, err
		}
		return chat.Result{FinishReason: chat.FinishStop, Usage: u}, nil
	}
}

const (
	sonnetGlobal = "global.anthropic.claude-sonnet-4-5-20250929-v1:0"
	sonnetEU     = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
	unpriced     = "cohere.command-r-v1:0"
)

var claudeUsage = chat.Usage{PromptTokens: 1000, CompletionTokens: 500, CacheReadTokens: 20000, CacheWriteTokens: 3000}

func pricedGateway(t *testing.T, models ...gateway.ModelEntry) *server {
	t.Helper()
	table := price.Default()
	return newServer(t, func(c *gateway.Config) {
		c.Models = append(models, c.Models...)
		c.Price = func(m string) (price.Price, bool) { return table.Lookup(m, "eu-west-1") }
	})
}

func TestCostInTheLogLine(t *testing.T) {
	t.Parallel()
	s := pricedGateway(t,
		gateway.ModelEntry{ID: sonnetGlobal, OwnedBy: "amazon-bedrock", Model: cached(claudeUsage)},
		gateway.ModelEntry{ID: sonnetEU, OwnedBy: "amazon-bedrock", Model: cached(claudeUsage)},
		gateway.ModelEntry{ID: unpriced, OwnedBy: "amazon-bedrock", Model: cached(chat.Usage{PromptTokens: 10, CompletionTokens: 1})},
	)
	for _, tc := range []struct {
		name, model string
		want        any // the log's cost_usd
	}{
		// The table's figures, by hand: tokens × dollars per million.
		{name: "global profile", model: sonnetGlobal, want: (1000*3 + 500*15 + 20000*0.30 + 3000*3.75) / 1e6},
		{name: "geographic profile", model: sonnetEU, want: (1000*3.30 + 500*16.50 + 20000*0.33 + 3000*4.125) / 1e6},
		{name: "unpriced model", model: unpriced, want: "unknown"},
		{name: "eliza, priced at nothing by its own row", model: "eliza", want: 0.0},
	} {
		before := len(s.logs.lines(t, "request"))
		resp := s.post(t, `{"model":"`+tc.model+`","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
		_, _ = io.Copy(io.Discard, resp.Body)
		s.logs.waitFor(t, func() bool { return len(s.logs.lines(t, "request")) > before })
		line := s.logs.lines(t, "request")[before]
		got := line["cost_usd"]
		if f, ok := got.(float64); ok {
			if w, _ := tc.want.(float64); math.Abs(f-w) > 1e-12 {
				t.Errorf("%s: cost_usd %v; want %v", tc.name, f, tc.want)
			}
		} else if got != tc.want {
			t.Errorf("%s: cost_usd %#v; want %#v", tc.name, got, tc.want)
		}
	}
}

// A cut answer costs what the model had used when it stopped; a fallback's
// answer adds the failed model's usage at the failed model's price.
func TestCostOfCutAndFallenBackAnswers(t *testing.T) {
	t.Parallel()
	cut := func(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
		_ = emit(chat.Delta{Text: "Hal"})
		return chat.Result{Usage: chat.Usage{PromptTokens: 2000, CompletionTokens: 40}}, errors.Join(chat.ErrUpstream, errors.New("connection reset"))
	}
	failsFirst := func(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
		return chat.Result{Usage: chat.Usage{PromptTokens: 500}}, chat.ErrUnavailable
	}
	s := pricedGateway(t,
		gateway.ModelEntry{ID: sonnetGlobal, OwnedBy: "amazon-bedrock", Model: chat.ModelFunc(cut)},
		gateway.ModelEntry{ID: sonnetEU, OwnedBy: "amazon-bedrock", Model: chat.ModelFunc(failsFirst)},
	)
	for _, tc := range []struct {
		name, model string
		want        float64
	}{
		{name: "cut mid-stream", model: sonnetGlobal, want: (2000*3 + 40*15) / 1e6},
		{name: "fell back to eliza", model: sonnetEU, want: 500 * 3.30 / 1e6},
	} {
		before := len(s.logs.lines(t, "request"))
		resp := s.post(t, `{"model":"`+tc.model+`","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
		_, _ = io.Copy(io.Discard, resp.Body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("%s: status %d", tc.name, resp.StatusCode)
		}
		s.logs.waitFor(t, func() bool { return len(s.logs.lines(t, "request")) > before })
		if got, _ := s.logs.lines(t, "request")[before]["cost_usd"].(float64); math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("%s: cost_usd %v; want %v", tc.name, got, tc.want)
		}
	}
}
