package main_test

import (
	"encoding/json"
	"io"
	"maps"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/sse/ssetest"
	"github.com/chatbot-gateway/chatbot/test/dynalite"
)

// TestProcessesShareQuotaTable runs two gateway processes on one DynamoDB
// table (dynalite): a stream running on one takes the caller's only slot
// from the other; when the first process is killed mid-stream nothing
// releases the slot, and it frees itself once QUOTA_SLOT_TTL has passed.
func TestProcessesShareQuotaTable(t *testing.T) {
	t.Parallel()
	url := dynalite.Endpoint(t)
	env := dynalite.Env(url)
	maps.Copy(env, map[string]string{
		"QUOTA_TABLE": dynalite.Table(t, url), "RATE_LIMIT_CONCURRENT": "1", "QUOTA_SLOT_TTL": "6s",
		"QUOTA_STORE_TIMEOUT": "5s", // a busy test machine must not turn a count into a store error
	})
	a, procA, outA := startLocal(t, env)
	b, _, outB := startLocal(t, env)

	resp, err := http.Post(a+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"model":"test-slow","stream":true,"messages":[{"role":"user","content":"hi"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("stream on A: status %d\n%s", resp.StatusCode, outA.String())
	}
	if _, err := ssetest.NewReader(resp.Body).Next(); err != nil {
		t.Fatalf("stream on A: %v", err)
	}

	ask := func() (int, string) {
		r, err := http.Post(b+"/v1/chat/completions", "application/json",
			strings.NewReader(`{"messages":[{"role":"user","content":"hi"}]}`))
		if err != nil {
			t.Fatal(err)
		}
		defer r.Body.Close()
		var body struct {
			Error struct{ Code string } `json:"error"`
		}
		raw, _ := io.ReadAll(r.Body)
		_ = json.Unmarshal(raw, &body)
		return r.StatusCode, body.Error.Code
	}
	if status, code := ask(); status != http.StatusTooManyRequests || code != "concurrent_streams_exceeded" {
		t.Fatalf("B while A streams: %d %q; want 429 concurrent_streams_exceeded\n%s", status, code, outB.String())
	}

	// A dies mid-stream: it never releases its slot.
	if err := procA.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	_ = procA.Wait()
	if status, _ := ask(); status != http.StatusTooManyRequests {
		t.Fatalf("B right after A died: %d; the dead stream's slot should still be held", status)
	}
	// Its slot expires within QUOTA_SLOT_TTL of A's last renewal. This
	// waits for the real TTL: the processes' clocks cannot be injected.
	deadline := time.Now().Add(60 * time.Second)
	for {
		status, code := ask()
		if status == http.StatusOK {
			break
		}
		if status != http.StatusTooManyRequests || time.Now().After(deadline) {
			t.Fatalf("B after A died: %d %q; want the slot to expire\n%s", status, code, outB.String())
		}
		time.Sleep(200 * time.Millisecond)
	}
}
