package metrics_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/metrics"
)

// jsonRoundTrip is what encoding/json makes of s: invalid UTF-8 bytes each
// become U+FFFD.
func jsonRoundTrip(tb testing.TB, s string) string {
	tb.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		tb.Fatal(err)
	}
	var out string
	if err := json.Unmarshal(b, &out); err != nil {
		tb.Fatal(err)
	}
	return out
}

// FuzzObserve feeds arbitrary strings and numbers through Observe: every line
// must be valid EMF and every string must come back unchanged (up to invalid
// UTF-8), never spilling into another member.
func FuzzObserve(f *testing.F) {
	f.Add("id", "eliza", "throttled", "", "", "/v1/chat/completions", 200, "complete", int64(1e6), 3)
	f.Add("a\"b\\c\n\x00\xff", "", "", "missing_token", "missing_token", "/x?\"", 401, "error", int64(0), 0)
	f.Add("\u2028\u2029", "m\t", "r", `","Requests":2,"`, "c", "", 0, "panic", int64(-5), -1)
	f.Fuzz(func(t *testing.T, id, model, fallback, refusal, code, path string, status int, outcome string, dur int64, tokens int) {
		var buf bytes.Buffer
		rec := gateway.Record{ID: id, Path: path, Status: status, Model: model, Fallback: fallback, AuthRefusal: refusal,
			ErrorCode: code, Outcome: outcome, Duration: time.Duration(dur), FirstToken: time.Duration(dur), OutputTokens: tokens}
		metrics.New(&buf, "Chatbot", metrics.WithTimeFunc(func() time.Time { return testNow })).Observe(&rec)
		root := mustEMF(t, buf.Bytes())
		wantModel := model
		if model == "" {
			wantModel = "none"
		}
		for k, want := range map[string]string{"request_id": id, "Model": wantModel, "outcome": outcome} {
			if got := root[k]; got != jsonRoundTrip(t, want) {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		for k, want := range map[string]string{"fallback_reason": fallback, "auth_refusal": refusal, "error_code": code} {
			got, ok := root[k]
			if want == "" && ok || want != "" && got != jsonRoundTrip(t, want) {
				t.Errorf("%s = %q, want %q", k, got, want)
			}
		}
		if n := root["Requests"].(json.Number).String(); n != "1" {
			t.Errorf("Requests = %s", n)
		}
	})
}
