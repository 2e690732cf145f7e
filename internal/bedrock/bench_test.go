package bedrock_test

import (
	"context"
	"runtime"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// BenchmarkRelay measures one stream through the real SDK client from the
// fake over loopback HTTP: frames/s, and allocations per frame. The
// allocation count includes the fake's own work in this process, so it is
// an upper bound for the client side.
func BenchmarkRelay(b *testing.B) {
	const frames = 500
	srv := newFake(b, fakebedrock.WithScenario(fakebedrock.Tokens(frames)))
	m := newModel(b, srv, testConfig(haiku, &sleeps{}))
	ctx := context.Background()
	// The fake stops at the request's token limit, as Bedrock does.
	req := hello()
	req.MaxTokens = frames
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	b.ReportAllocs()
	for b.Loop() {
		n := 0
		_, err := m.Stream(ctx, req, func(chat.Delta) error {
			n++
			return nil
		})
		if err != nil || n != frames {
			b.Fatalf("Stream (N=%d): %d frames, %v", b.N, n, err)
		}
	}
	runtime.ReadMemStats(&after)
	total := float64(b.N * frames)
	b.ReportMetric(total/b.Elapsed().Seconds(), "frames/s")
	b.ReportMetric(float64(after.Mallocs-before.Mallocs)/total, "allocs/frame")
}
