package quota_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/quota"
)

// BenchmarkLimiter measures what the limits add to one request, with all
// three limits on (a counter step, a token reservation and its settlement,
// a slot taken and released). It reports the p50 and p99 of Admit, which
// runs before the model call and so delays the first token, and of Done,
// which runs after the answer's last frame has been sent. The target on
// loopback with dynalite is under 2 ms p99 for Admit.
func BenchmarkLimiter(b *testing.B) {
	lim := quota.Limits{RequestsPerMinute: quota.MaxLimit, ConcurrentStreams: 100, TokensPerDay: quota.MaxLimit}
	for _, st := range []struct {
		name string
		open func(b *testing.B) quota.Store
	}{
		{"memory", func(*testing.B) quota.Store { return quota.NewMemoryStore(nil) }},
		{"dynalite", func(b *testing.B) quota.Store { return openDynamo(b) }},
	} {
		b.Run(st.name, func(b *testing.B) {
			l := quota.New(quota.Config{Default: lim, Logger: quiet, StoreTimeout: time.Second}, st.open(b))
			ctx := context.Background()
			// Warm up: connections, the items, and dynalite's JIT, whose
			// first few hundred calls are many times slower.
			for range 500 {
				g, err := l.Admit(ctx, alice, "warm", 100)
				if err != nil {
					b.Fatal(err)
				}
				g.Done(chat.Usage{PromptTokens: 10, CompletionTokens: 20})
			}
			var admit, done []time.Duration
			b.ResetTimer()
			for b.Loop() {
				start := time.Now()
				g, err := l.Admit(ctx, alice, "r", 100)
				if err != nil || g.StoreErr != nil {
					b.Fatalf("Admit: %v %v", err, g.StoreErr)
				}
				mid := time.Now()
				g.Done(chat.Usage{PromptTokens: 10, CompletionTokens: 20})
				admit, done = append(admit, mid.Sub(start)), append(done, time.Since(mid))
			}
			b.StopTimer()
			report(b, "admit", admit)
			report(b, "done", done)
		})
	}
}

// report adds the p50 and p99 of took as metrics named after what.
func report(b *testing.B, what string, took []time.Duration) {
	if len(took) == 0 {
		return
	}
	slices.Sort(took)
	ms := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
	b.ReportMetric(ms(took[len(took)/2]), what+"-p50-ms")
	b.ReportMetric(ms(took[len(took)*99/100]), what+"-p99-ms")
}
