package gateway_test

import (
	"net/http"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/quota"
)

// The same limiter admits and settles Responses calls: the headers, the
// usage counted against the budget, and the refusal.
func TestResponsesRateLimits(t *testing.T) {
	t.Parallel()
	s, _ := withLimits(t, quota.Limits{RequestsPerMinute: 2, TokensPerDay: 10000}, nil)
	body := `{"model":"echo","stream":true,"max_output_tokens":100,"input":"hi"}`
	for i, want := range []struct{ reqs, toks string }{{"1", "9900"}, {"0", "9890"}} {
		resp := s.postResponses(t, body)
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("request %d: status %d", i+1, resp.StatusCode)
		}
		if r, k := resp.Header.Get("x-ratelimit-remaining-requests"), resp.Header.Get("x-ratelimit-remaining-tokens"); r != want.reqs || k != want.toks {
			t.Errorf("request %d: remaining requests %q, tokens %q; want %s, %s", i+1, r, k, want.reqs, want.toks)
		}
		readResponses(t, resp)
	}
	// The first answer settled to its usage (7 + 3 tokens).
	resp := s.postResponses(t, body)
	if e := decodeError(t, resp); resp.StatusCode != http.StatusTooManyRequests || e.Code != "requests_per_minute_exceeded" || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("third request: status %d, error %+v", resp.StatusCode, e)
	}
}
