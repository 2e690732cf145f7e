package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

// cachedChat is a Chat Completions request that marks its system text, a
// tool and the user's text for caching.
const cachedChat = `{"max_tokens":50,"messages":[` +
	`{"role":"system","content":[{"type":"text","text":"Long rules.","cache_control":{"type":"ephemeral"}}]},` +
	`{"role":"user","content":[{"type":"text","text":"Hello there.","cache_control":{"type":"ephemeral"}}]}],` +
	`"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object"}},"cache_control":{"type":"ephemeral"}}]}`

// A cache_control part reaches Claude as cache_control and Converse as
// cachePoint; the cached prompt comes back as cached_tokens in both wire
// formats' usage, in the log line and the metrics, and the token budget
// counts cache reads and writes.
func TestPromptCacheEndToEnd(t *testing.T) {
	t.Parallel()
	t.Run("claude on invoke", func(t *testing.T) {
		t.Parallel()
		fake := fakebedrock.New(fakebedrock.WithScenario(fakebedrock.Tokens(1)))
		t.Cleanup(fake.Close)
		h, _ := gatewayOn(t, nil, awsAt(fake.URL)...)
		if resp := chatRequest(h, cachedChat); resp.StatusCode != http.StatusOK {
			b, _ := io.ReadAll(resp.Body)
			t.Fatalf("status %d: %s", resp.StatusCode, b)
		}
		body := string(fake.Requests()[0].Body)
		if n := strings.Count(body, `"cache_control":{"type":"ephemeral"}`); n != 3 {
			t.Errorf("%d cache_control marks reached Claude, want 3 (system, tool, message):\n%s", n, body)
		}
	})
	t.Run("converse", func(t *testing.T) {
		t.Parallel()
		fake := fakebedrock.New(fakebedrock.WithScenario(fakebedrock.Tokens(1)))
		t.Cleanup(fake.Close)
		const budget = 1_000_000
		h, out := gatewayOn(t, map[string]string{"BEDROCK_API": "converse", "METRICS_ENABLED": "true",
			"RATE_LIMIT_TOKENS_PER_DAY": strconv.Itoa(budget)}, awsAt(fake.URL)...)
		for i := range 2 {
			resp := chatRequest(h, cachedChat)
			var c struct {
				Usage struct {
					PromptTokens        int `json:"prompt_tokens"`
					PromptTokensDetails struct {
						CachedTokens int `json:"cached_tokens"`
					} `json:"prompt_tokens_details"`
				} `json:"usage"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&c); err != nil || resp.StatusCode != http.StatusOK {
				t.Fatalf("call %d: %d, %v", i, resp.StatusCode, err)
			}
			if i == 1 && (c.Usage.PromptTokensDetails.CachedTokens == 0 || c.Usage.PromptTokens <= c.Usage.PromptTokensDetails.CachedTokens) {
				t.Errorf("second call usage = %+v, want cached tokens inside prompt_tokens", c.Usage)
			}
		}
		body := string(fake.Requests()[0].Body)
		if n := strings.Count(body, `"cachePoint":{"type":"default"}`); n != 3 {
			t.Errorf("%d cache points reached Converse, want 3:\n%s", n, body)
		}
		if !strings.Contains(out.String(), `"cache_read_tokens":1500`) || !strings.Contains(out.String(), `"cache_write_tokens":1500`) ||
			!strings.Contains(out.String(), `"CacheReadTokens":1500`) {
			t.Errorf("log and metrics lack the cache counts:\n%s", out.String())
		}
		// The budget counts the cached prompt: two calls of 11 fresh and
		// 1500 cached tokens and one completion token each.
		r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(`{"model":"eliza","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}`))
		r.Host = "localhost"
		r.Header.Set("Content-Type", "application/json")
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		left, err := strconv.Atoi(w.Result().Header.Get("X-Ratelimit-Remaining-Tokens"))
		if err != nil {
			t.Fatalf("no remaining-tokens header: %v", err)
		}
		if spent := budget - 1 - left; spent < 2*(11+1500+1) {
			t.Errorf("the two cached calls cost %d tokens of budget, want at least %d", spent, 2*(11+1500+1))
		}
		// The Responses format reports the same, with the cache point
		// after its instructions added by BEDROCK_PROMPT_CACHE=auto.
		h2, _ := gatewayOn(t, map[string]string{"BEDROCK_API": "converse", "BEDROCK_PROMPT_CACHE": "auto"}, awsAt(fake.URL)...)
		for i := range 2 {
			r := httptest.NewRequest(http.MethodPost, "/v1/responses", strings.NewReader(`{"input":"hi","instructions":"Other rules."}`))
			r.Host = "localhost"
			r.Header.Set("Content-Type", "application/json")
			w := httptest.NewRecorder()
			h2.ServeHTTP(w, r)
			var o struct {
				Usage struct {
					InputTokens        int `json:"input_tokens"`
					InputTokensDetails struct {
						CachedTokens int `json:"cached_tokens"`
					} `json:"input_tokens_details"`
				} `json:"usage"`
			}
			if err := json.NewDecoder(w.Result().Body).Decode(&o); err != nil || w.Code != http.StatusOK {
				t.Fatalf("responses call %d: %d, %v", i, w.Code, err)
			}
			if i == 1 && (o.Usage.InputTokensDetails.CachedTokens != 1500 || o.Usage.InputTokens != 1511) {
				t.Errorf("responses usage = %+v, want 1500 cached of 1511 input tokens", o.Usage)
			}
		}
	})
}

// A cache_control other than ephemeral is the client's 400, naming it.
func TestBadCacheControlIs400(t *testing.T) {
	t.Parallel()
	h, _ := gatewayOn(t, nil, awsAt("http://127.0.0.1:1")...)
	resp := chatRequest(h, `{"messages":[{"role":"user","content":[{"type":"text","text":"hi","cache_control":{"type":"forever"}}]}]}`)
	e := decodeError(t, resp)
	if resp.StatusCode != http.StatusBadRequest || e.Param == nil || *e.Param != "messages[0].content[0].cache_control" {
		t.Errorf("answer = %d %+v, want a 400 naming messages[0].content[0].cache_control", resp.StatusCode, e)
	}
}
