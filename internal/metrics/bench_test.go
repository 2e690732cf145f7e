package metrics_test

import (
	"io"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/metrics"
)

var benchRecord = gateway.Record{ID: "3f2a9c1e-4b7d-4e8f-9a0b-1c2d3e4f5a6b", Method: "POST", Path: "/v1/chat/completions", Route: "/v1/chat/completions",
	Status: 200, Model: "us.anthropic.claude-3-5-haiku-20241022-v1:0", Fallback: "", FirstToken: 412 * time.Millisecond,
	Duration: 3812 * time.Millisecond, OutputTokens: 231, Subject: "user-1", Outcome: "complete"}

// TestObserveAllocs: Observe runs after every request; it should not make
// garbage once its buffer pool is warm.
func TestObserveAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items under the race detector")
	}
	e := metrics.New(io.Discard, "Chatbot")
	rec := benchRecord
	rec.Fallback, rec.AuthRefusal, rec.ErrorCode = "throttled", "x", "y"
	if n := testing.AllocsPerRun(100, func() { e.Observe(&rec) }); n != 0 {
		t.Errorf("Observe allocates %v times per call, want 0", n)
	}
}

func BenchmarkObserve(b *testing.B) {
	e := metrics.New(io.Discard, "Chatbot")
	rec := benchRecord
	b.ReportAllocs()
	for b.Loop() {
		e.Observe(&rec)
	}
}

func BenchmarkObserveParallel(b *testing.B) {
	e := metrics.New(io.Discard, "Chatbot")
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		rec := benchRecord
		for pb.Next() {
			e.Observe(&rec)
		}
	})
}
