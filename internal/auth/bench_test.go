package auth_test

import (
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
)

// BenchmarkCheck measures a full Check of a valid access token with the key
// already cached (target: under 100µs per request). Besides wall time it
// reports process CPU time per op (cpu-ns/op), which stays meaningful when
// the machine is shared.
func BenchmarkCheck(b *testing.B) {
	iss := authtest.NewIssuer(b)
	g := newGuard(b, with(iss.Env("access"), map[string]string{"REQUIRE_CONTENT_SHA256": "true"}), false)
	body := []byte(`{"model":"eliza","messages":[{"role":"user","content":"hello"}],"stream":true}`)
	r := postWith(string(body), "X-Authorization", "Bearer "+iss.AccessToken(b), "X-Amz-Content-Sha256", authtest.PayloadHash(body))
	b.ReportAllocs()
	var start time.Duration
	n := 0
	for b.Loop() {
		if n == 0 {
			start = cpuTime()
		}
		n++
		if _, err := g.Check(r, body); err != nil {
			b.Fatal(err)
		}
	}
	if used := cpuTime() - start; used > 0 {
		b.ReportMetric(float64(used.Nanoseconds())/float64(n), "cpu-ns/op")
	}
}
