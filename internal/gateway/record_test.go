package gateway_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// minter mints a fixed token for anyone.
type minter struct{}

func (minter) Mint(*gateway.Caller, time.Duration) (gateway.Token, error) {
	return gateway.Token{Value: "t", Expires: time.Unix(1, 0), Scope: "chat"}, nil
}
func (minter) MaxTTL() time.Duration { return time.Hour }

// TestRecordNamesTheRoute: every route the gateway serves is its own Route
// in the record (metrics count by it), POST /v1/tokens included; any other
// path has none.
func TestRecordNamesTheRoute(t *testing.T) {
	t.Parallel()
	routes := make(chan string, 1)
	h, _ := newGateway(t, func(c *gateway.Config) {
		c.Tokens = minter{}
		c.Static = http.NotFoundHandler()
		c.Observe = func(rec *gateway.Record) { routes <- rec.Route }
	})
	for _, tt := range []struct {
		method, path, route string
	}{
		{method: "POST", path: "/v1/chat/completions", route: "/v1/chat/completions"},
		{method: "POST", path: "/v1/responses", route: "/v1/responses"},
		{method: "GET", path: "/v1/models", route: "/v1/models"},
		{method: "POST", path: "/v1/tokens", route: "/v1/tokens"},
		{method: "GET", path: "/healthz", route: "/healthz"},
		{method: "GET", path: "/", route: "/"},
		{method: "GET", path: "/wp-login.php", route: ""},
		{method: "POST", path: "/v1/chat/completions/../x", route: ""},
	} {
		req := httptest.NewRequest(tt.method, tt.path, strings.NewReader(`{}`))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(httptest.NewRecorder(), req)
		if got := <-routes; got != tt.route {
			t.Errorf("%s %s: Route = %q, want %q", tt.method, tt.path, got, tt.route)
		}
	}
}

// TestOutputTokensAreTheModelsCount: the record's (and the log line's)
// output_tokens is what the model reported, never the number of deltas
// relayed, which the record keeps apart; the client is still told a count.
func TestOutputTokensAreTheModelsCount(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name       string
		reported   int
		fail       bool
		wantTokens int
	}{
		{name: "reported", reported: 5, wantTokens: 5},
		{name: "not reported", reported: 0, wantTokens: 0},
		{name: "failed mid-stream", fail: true, wantTokens: 0},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			recs := make(chan gateway.Record, 1)
			h, logs := newGateway(t, func(c *gateway.Config) {
				c.Models[0].Model = fakeModel(func(_ context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
					for _, w := range []string{"a", "b", "c"} {
						if err := emit(chat.Delta{Text: w}); err != nil {
							return chat.Result{}, err
						}
					}
					if tt.fail {
						return chat.Result{}, errors.New("cut off")
					}
					return chat.Result{Usage: chat.Usage{PromptTokens: 2, CompletionTokens: tt.reported}}, nil
				})
				c.Observe = func(rec *gateway.Record) { recs <- *rec }
			})
			resp := serve(t.Context(), h, `{"messages":[{"role":"user","content":"hi"}]}`)
			resp.Body.Close()
			rec := <-recs
			if rec.OutputTokens != tt.wantTokens || rec.Deltas != 3 {
				t.Errorf("OutputTokens, Deltas = %d, %d; want %d, 3", rec.OutputTokens, rec.Deltas, tt.wantTokens)
			}
			line := logs.lines(t, "request")[0]
			if line["output_tokens"] != float64(tt.wantTokens) || line["deltas"] != float64(3) {
				t.Errorf("log output_tokens, deltas = %v, %v; want %d, 3", line["output_tokens"], line["deltas"], tt.wantTokens)
			}
		})
	}
}
