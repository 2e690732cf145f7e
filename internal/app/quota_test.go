package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/quota"
	"github.com/chatbot-gateway/chatbot/internal/quota/fakedynamo"
	"github.com/chatbot-gateway/chatbot/internal/sse/ssetest"
	"github.com/chatbot-gateway/chatbot/test/dynalite"
)

func TestLoadLimits(t *testing.T) {
	t.Parallel()
	c, err := app.Load(getenv(map[string]string{
		"RATE_LIMIT_RPM": "20", "RATE_LIMIT_CONCURRENT": "2", "RATE_LIMIT_TOKENS_PER_DAY": "100000",
		"RATE_LIMIT_OVERRIDES": "group:premium rpm=120 tokens_per_day=0, key:backend concurrent=20",
		"QUOTA_TABLE":          "chatbot-quota", "QUOTA_ON_STORE_ERROR": "deny", "QUOTA_STORE_TIMEOUT": "80ms",
		"QUOTA_SLOT_TTL": "30s",
	}), true)
	if err != nil && !strings.Contains(err.Error(), "credential") {
		t.Fatalf("Load: %v", err)
	}
	q := c.Quota
	if q.Default != (quota.Limits{RequestsPerMinute: 20, ConcurrentStreams: 2, TokensPerDay: 100000}) ||
		q.Groups["premium"] != (quota.Limits{RequestsPerMinute: 120, ConcurrentStreams: 2}) ||
		q.Keys["backend"] != (quota.Limits{RequestsPerMinute: 20, ConcurrentStreams: 20, TokensPerDay: 100000}) ||
		q.OnStoreError != quota.Deny || q.StoreTimeout != 80*time.Millisecond || q.SlotTTL != 30*time.Second ||
		c.QuotaTable != "chatbot-quota" {
		t.Fatalf("quota = %+v, table %q", q, c.QuotaTable)
	}

	d, err := app.Load(getenv(nil), false)
	if err != nil || d.Quota.Enabled() || d.Quota.OnStoreError != quota.Allow || d.Quota.StoreTimeout != 150*time.Millisecond {
		t.Fatalf("defaults: %+v, %v", d.Quota, err)
	}
}

func TestLoadLimitsRefusesBadValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		env    map[string]string
		lambda bool
		want   string
	}{
		{map[string]string{"RATE_LIMIT_RPM": "-1"}, false, "RATE_LIMIT_RPM"},
		{map[string]string{"RATE_LIMIT_CONCURRENT": "5000"}, false, "RATE_LIMIT_CONCURRENT"},
		{map[string]string{"RATE_LIMIT_TOKENS_PER_DAY": "lots"}, false, "RATE_LIMIT_TOKENS_PER_DAY"},
		{map[string]string{"RATE_LIMIT_OVERRIDES": "premium rpm=1"}, false, "RATE_LIMIT_OVERRIDES"},
		{map[string]string{"QUOTA_ON_STORE_ERROR": "maybe"}, false, "QUOTA_ON_STORE_ERROR"},
		{map[string]string{"QUOTA_STORE_TIMEOUT": "150"}, false, "QUOTA_STORE_TIMEOUT"},
		{map[string]string{"QUOTA_SLOT_TTL": "1s"}, false, "QUOTA_SLOT_TTL"},
		{map[string]string{"QUOTA_TABLE": "a/b"}, false, "QUOTA_TABLE"},
		// On Lambda, limits kept in memory would count per instance.
		{map[string]string{"RATE_LIMIT_RPM": "10", "API_KEY_SHA256S": "k:" + strings.Repeat("ab", 32)}, true, "QUOTA_TABLE"},
		{map[string]string{"BEDROCK_GUARDRAIL_ID": "abc123"}, false, "BEDROCK_GUARDRAIL_VERSION"},
		{map[string]string{"BEDROCK_GUARDRAIL_VERSION": "1"}, false, "BEDROCK_GUARDRAIL_ID"},
		{map[string]string{"BEDROCK_MODEL_ID": haiku, "BEDROCK_GUARDRAIL_ID": "ABC!", "BEDROCK_GUARDRAIL_VERSION": "1"}, false, "BEDROCK_GUARDRAIL_ID"},
		{map[string]string{"BEDROCK_MODEL_ID": haiku, "BEDROCK_GUARDRAIL_ID": "abc", "BEDROCK_GUARDRAIL_VERSION": "v2"}, false, "BEDROCK_GUARDRAIL_VERSION"},
		{map[string]string{"BEDROCK_GUARDRAIL_ID": "abc", "BEDROCK_GUARDRAIL_VERSION": "1"}, false, "without BEDROCK_MODEL_ID"},
		{map[string]string{"BEDROCK_GUARDRAIL_TRACE": "yes"}, false, "BEDROCK_GUARDRAIL_TRACE"},
	} {
		_, err := app.Load(getenv(tc.env), tc.lambda)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("Load(%v) = %v; want an error naming %s", tc.env, err, tc.want)
		}
	}
	c, err := app.Load(getenv(map[string]string{"BEDROCK_MODEL_ID": haiku,
		"BEDROCK_GUARDRAIL_ID":      "arn:aws:bedrock:eu-west-1:123456789012:guardrail/abc123",
		"BEDROCK_GUARDRAIL_VERSION": "DRAFT", "BEDROCK_GUARDRAIL_TRACE": "true"}), false)
	if err != nil || c.Bedrock.GuardrailVersion != "DRAFT" || !c.Bedrock.GuardrailTrace ||
		!strings.HasSuffix(c.Bedrock.GuardrailID, "guardrail/abc123") {
		t.Fatalf("guardrail = %+v, %v", c.Bedrock, err)
	}
}

// TestNewCountsInQuotaTable: New builds the DynamoDB store from the same
// AWS options as every other client, and two gateways built on one table
// share the limit.
func TestNewCountsInQuotaTable(t *testing.T) {
	t.Parallel()
	url := dynalite.Endpoint(t)
	env := map[string]string{"RATE_LIMIT_RPM": "3", "QUOTA_TABLE": dynalite.Table(t, url), "QUOTA_STORE_TIMEOUT": "10s"}
	cfg, err := app.Load(getenv(env), false)
	if err != nil {
		t.Fatal(err)
	}
	var gateways [2]http.Handler
	for i := range gateways {
		// One clock, stopped inside a minute, for both.
		at := func() time.Time { return time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC) }
		if gateways[i], err = app.New(context.Background(), cfg, quiet, fakeAWS(url), app.WithQuotaClock(at)); err != nil {
			t.Fatal(err)
		}
	}
	body := `{"messages":[{"role":"user","content":"hi"}]}`
	for i, want := range []int{200, 200, 200, 429} {
		r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Host = "localhost" // auth is off: only loopback names are served
		w := httptest.NewRecorder()
		gateways[i%2].ServeHTTP(w, r)
		if w.Code != want {
			t.Fatalf("request %d: status %d; want %d", i+1, w.Code, want)
		}
		if want == 200 && w.Header().Get("X-Ratelimit-Remaining-Requests") != []string{"2", "1", "0"}[i] {
			t.Fatalf("request %d: remaining %q", i+1, w.Header().Get("X-Ratelimit-Remaining-Requests"))
		}
	}
}

// TestCutAnswerChargedInQuotaTable: through the assembled gateway, ELIZA
// and a DynamoDB table (dynalite), an answer the client stops reading after
// its first word costs the prompt ELIZA read, not one word.
func TestCutAnswerChargedInQuotaTable(t *testing.T) {
	t.Parallel()
	url := dynalite.Endpoint(t)
	const budget = 1_000_000
	env := map[string]string{
		"RATE_LIMIT_TOKENS_PER_DAY": strconv.Itoa(budget), "QUOTA_TABLE": dynalite.Table(t, url),
		"QUOTA_STORE_TIMEOUT": "10s",   // a busy test machine must not turn a count into a store error
		"ELIZA_WORD_DELAY":    "1h",    // the first word at once, the second never: the client leaves first
		"STREAM_RESUME":       "false", // a kept stream would go on without its client
	}
	cfg, err := app.Load(getenv(env), false)
	if err != nil {
		t.Fatal(err)
	}
	ended := make(chan *gateway.Record, 2)
	h, err := app.New(context.Background(), cfg, quiet, fakeAWS(url),
		app.WithGatewayConfig(func(c *gateway.Config) { c.Observe = func(r *gateway.Record) { ended <- r } }))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	prompt := strings.Repeat("word ", 3000) // ELIZA counts 3000 prompt tokens
	body := `{"stream":true,"max_tokens":50,"messages":[{"role":"user","content":"` + prompt + `"}]}`
	resp, err := http.Post(srv.URL+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ssetest.NewReader(resp.Body).Next(); err != nil {
		t.Fatalf("first word: %v", err)
	}
	resp.Body.Close()
	if rec := <-ended; rec.Outcome != "client_gone" {
		t.Fatalf("outcome %q; want client_gone", rec.Outcome)
	}

	resp, err = http.Post(srv.URL+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"max_tokens":1,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	<-ended
	left, err := strconv.Atoi(resp.Header.Get("X-Ratelimit-Remaining-Tokens"))
	if err != nil {
		t.Fatalf("status %d, remaining tokens %q", resp.StatusCode, resp.Header.Get("X-Ratelimit-Remaining-Tokens"))
	}
	// The probe reserved 1; the cut answer cost the rest.
	if spent, want := budget-1-left, 3000+1; spent != want {
		t.Fatalf("the cut answer cost %d tokens; want %d: its 3000-word prompt and its one word", spent, want)
	}
}

// TestThrottledCallerGets429: under QUOTA_ON_STORE_ERROR=allow, a caller
// whose own item DynamoDB throttles is refused with 429, through the
// assembled gateway and its DynamoDB client, while a missing table still
// admits.
func TestThrottledCallerGets429(t *testing.T) {
	t.Parallel()
	srv := fakedynamo.New()
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	cfg, err := app.Load(getenv(map[string]string{
		"RATE_LIMIT_RPM": "10", "QUOTA_TABLE": "quota", "QUOTA_ON_STORE_ERROR": "allow",
		"QUOTA_STORE_TIMEOUT": "10s", // only the store's answer decides
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	var logs lockedBuffer
	h, err := app.New(context.Background(), cfg, app.WithLogger(app.NewLogger(&logs, slog.LevelInfo)), fakeAWS(ts.URL))
	if err != nil {
		t.Fatal(err)
	}
	ask := func() *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(`{"messages":[{"role":"user","content":"hi"}]}`))
		r.Header.Set("Content-Type", "application/json")
		r.Host = "localhost" // auth is off: only loopback names are served
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	// Auth is off: the one caller is anonymous.
	srv.Fail("rpm#anonymous#", fakedynamo.Throttling)
	w := ask()
	var body struct {
		Error struct{ Code, Type string } `json:"error"`
	}
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || w.Code != http.StatusTooManyRequests ||
		body.Error.Code != "requests_throttled" || body.Error.Type != "requests" || w.Header().Get("Retry-After") != "1" {
		t.Fatalf("throttled: %d %s (Retry-After %q); want 429 requests_throttled", w.Code, w.Body.String(), w.Header().Get("Retry-After"))
	}
	line := logs.requestLine(t)
	if line["rate_limited"] != "requests_throttled" || line["quota_store_error"] != true ||
		!strings.Contains(line["error"].(string), "ThrottlingException") {
		t.Fatalf("log line = %v; want the refusal and its cause", line)
	}

	srv.Fail("rpm#anonymous#", fakedynamo.ResourceNotFound) // not retried: no wait
	if w := ask(); w.Code != http.StatusOK {
		t.Fatalf("missing table under allow: %d %s; want the call admitted", w.Code, w.Body.String())
	}
}
