package app_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/test/dynalite"
)

// usageBody is GET /v1/usage's JSON, as docs/api.md#usage documents it.
type usageBody struct {
	Object  string `json:"object"`
	Tracked bool   `json:"tracked"`
	Today   struct {
		Start, ResetsAt int64
		Tokens          struct{ Input, Output, CacheRead, CacheWrite, Total int64 }
		Requests        int64   `json:"requests"`
		CostUSD         float64 `json:"cost_usd"`
	} `json:"today"`
	Month struct {
		Requests int64   `json:"requests"`
		CostUSD  float64 `json:"cost_usd"`
	} `json:"month"`
	Limits struct {
		USDPerDay    *float64 `json:"usd_per_day"`
		TokensPerDay *int64   `json:"tokens_per_day"`
	} `json:"limits"`
}

// send makes one request with a bearer credential and returns the answer.
func send(t *testing.T, h http.Handler, method, path, bearer, body string) *httptest.ResponseRecorder {
	t.Helper()
	r := httptest.NewRequest(method, path, strings.NewReader(body))
	if body != "" {
		r.Header.Set("Content-Type", "application/json")
	}
	r.Header.Set("Authorization", "Bearer "+bearer)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

func usageOf(t *testing.T, h http.Handler, bearer string) usageBody {
	t.Helper()
	w := send(t, h, http.MethodGet, "/v1/usage", bearer, "")
	var u usageBody
	if w.Code != http.StatusOK || json.Unmarshal(w.Body.Bytes(), &u) != nil || u.Object != "usage" {
		t.Fatalf("GET /v1/usage: %d %s", w.Code, w.Body)
	}
	return u
}

// TestDollarBudgetAndUsage: with RATE_LIMIT_USD_PER_DAY, through the
// assembled gateway on both stores, an API key is refused once its spend
// reaches the budget, with the budget named; GET /v1/usage answers the key,
// a token it minted (the same caller) and a JWT user (a caller of its own).
// ELIZA is priced through PRICES_FILE at $1000 per million tokens, so a
// few short answers reach a $0.05 budget.
func TestDollarBudgetAndUsage(t *testing.T) {
	t.Parallel()
	prices := filepath.Join(t.TempDir(), "prices.json")
	if err := os.WriteFile(prices, []byte(`{"rows":[{"model":"eliza","route":"any","input":1000,"output":1000,
		"cache_read":0,"cache_write":0,"source":"test","date":"2026-12-06"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, store := range []string{"memory", "dynamodb"} {
		t.Run(store, func(t *testing.T) {
			t.Parallel()
			key, entry := authtest.APIKey(t, "ci")
			iss := authtest.NewIssuer(t)
			env := with(iss.Env("access"), map[string]string{
				"API_KEY_SHA256S": entry, "TOKEN_SIGNING_KEY": authtest.SigningKey(t),
				"RATE_LIMIT_USD_PER_DAY": "0.05", "PRICES_FILE": prices, "QUOTA_STORE_TIMEOUT": "10s",
			})
			var opts []app.Option
			if store == "dynamodb" {
				url := dynalite.Endpoint(t)
				env["QUOTA_TABLE"] = dynalite.Table(t, url)
				opts = append(opts, fakeAWS(url))
			}
			cfg, err := app.Load(getenv(env), false)
			if err != nil {
				t.Fatal(err)
			}
			h, err := app.New(context.Background(), cfg, append([]app.Option{quiet, app.WithOutput(io.Discard)}, opts...)...)
			if err != nil {
				t.Fatal(err)
			}

			if u := usageOf(t, h, key); !u.Tracked || u.Today.Requests != 0 || u.Limits.USDPerDay == nil || *u.Limits.USDPerDay != 0.05 {
				t.Fatalf("fresh key: %+v", u)
			}
			body := `{"max_tokens":10,"messages":[{"role":"user","content":"I feel tired today"}]}`
			var refused *httptest.ResponseRecorder
			answered := 0
			for range 20 {
				w := send(t, h, http.MethodPost, "/v1/chat/completions", key, body)
				if w.Code == http.StatusTooManyRequests {
					refused = w
					break
				}
				if w.Code != http.StatusOK {
					t.Fatalf("answer %d: %d %s", answered+1, w.Code, w.Body)
				}
				answered++
			}
			if refused == nil || answered < 2 {
				t.Fatalf("%d answers and no refusal after them: %v", answered, refused.Body)
			}
			var e struct {
				Error struct{ Code, Message string }
			}
			_ = json.Unmarshal(refused.Body.Bytes(), &e)
			if e.Error.Code != "usd_per_day_exceeded" || !strings.Contains(e.Error.Message, "$0.05 per day") ||
				refused.Header().Get("Retry-After") == "" || refused.Header().Get("X-Ratelimit-Remaining-Usd-Day") != "0" ||
				refused.Header().Get("X-Ratelimit-Limit-Usd-Day") != "0.05" {
				t.Fatalf("refusal: %s %v", refused.Body, refused.Header())
			}

			u := usageOf(t, h, key)
			if u.Today.Requests != int64(answered) || u.Today.CostUSD < 0.05 || u.Month.CostUSD != u.Today.CostUSD ||
				u.Today.Tokens.Total != u.Today.Tokens.Input+u.Today.Tokens.Output || u.Today.Tokens.Output == 0 {
				t.Errorf("key after %d answers: %+v", answered, u)
			}
			// A token the key minted is the same caller.
			mint := send(t, h, http.MethodPost, "/v1/tokens", key, "")
			var tok struct{ Token string }
			if mint.Code != http.StatusOK || json.Unmarshal(mint.Body.Bytes(), &tok) != nil {
				t.Fatalf("mint: %d %s", mint.Code, mint.Body)
			}
			if m := usageOf(t, h, tok.Token); m.Today != u.Today {
				t.Errorf("minted token's usage %+v; want the key's %+v", m.Today, u.Today)
			}
			if w := send(t, h, http.MethodPost, "/v1/chat/completions", tok.Token, body); w.Code != http.StatusTooManyRequests {
				t.Errorf("minted token over its key's budget: %d", w.Code)
			}
			// A JWT user is a caller of its own, with its own budget.
			jwt := iss.AccessToken(t)
			if j := usageOf(t, h, jwt); j.Today.Requests != 0 || j.Limits.USDPerDay == nil {
				t.Errorf("JWT user before any answer: %+v", j)
			}
			if w := send(t, h, http.MethodPost, "/v1/chat/completions", jwt, body); w.Code != http.StatusOK {
				t.Fatalf("JWT user: %d %s", w.Code, w.Body)
			}
			if j := usageOf(t, h, jwt); j.Today.Requests != 1 || j.Today.CostUSD <= 0 {
				t.Errorf("JWT user after one answer: %+v", j)
			}
		})
	}
}
