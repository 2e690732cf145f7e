package gateway_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// relayAllocBudget is what the gateway's own relay path (run, chunk
// encoding, SSE framing, the record) may allocate per frame. The whole
// Bedrock path has its own budget (cmd/chatbench,
// TestRelayAllocsPerFrame); this one keeps the gateway's share near zero.
const relayAllocBudget = 1

// TestRelayAllocsPerFrame counts the allocations of one more frame of each
// kind of delta: the difference between a long and a short answer of a
// model that allocates nothing itself. Counts are deterministic, unlike
// times.
func TestRelayAllocsPerFrame(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own; make test-allocs runs this without it")
	}
	for _, tc := range []struct {
		name  string
		delta chat.Delta
	}{
		{name: "text", delta: chat.Delta{Text: " token"}},
		{name: "reasoning", delta: chat.Delta{Reasoning: " so the user wants"}},
		{name: "tool call arguments", delta: chat.Delta{ToolCall: &chat.ToolCallDelta{Index: 0, Arguments: `"city":`}}},
	} {
		model := chat.ModelFunc(func(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
			for range req.MaxTokens {
				if err := emit(tc.delta); err != nil {
					return chat.Result{}, err
				}
			}
			return chat.Result{Usage: chat.Usage{PromptTokens: 3, CompletionTokens: req.MaxTokens}}, nil
		})
		h, err := gateway.New(gateway.Config{
			Models:    []gateway.ModelEntry{{ID: "m", Model: model}},
			Logger:    slog.New(slog.NewJSONHandler(io.Discard, nil)),
			MaxTokens: 10_000,
		})
		if err != nil {
			t.Fatal(err)
		}
		answer := func(frames int) func() {
			body := `{"stream":true,"max_tokens":` + strconv.Itoa(frames) + `,"messages":[{"role":"user","content":"hi"}]}`
			return func() {
				req, _ := http.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				w := &countingWriter{h: http.Header{}}
				h.ServeHTTP(w, req)
				if w.writes != frames+2 { // the deltas, the finish chunk and [DONE]
					t.Fatalf("%s: %d frames, want %d", tc.name, w.writes, frames+2)
				}
			}
		}
		const short, long = 100, 1100
		a := testing.AllocsPerRun(20, answer(short))
		b := testing.AllocsPerRun(20, answer(long))
		perFrame := (b - a) / (long - short)
		t.Logf("%s: %.3f allocations per frame (budget %d); %.0f per answer", tc.name, perFrame, relayAllocBudget, a)
		if perFrame > relayAllocBudget {
			t.Errorf("%s: the relay allocates %.3f times per frame; the budget is %d", tc.name, perFrame, relayAllocBudget)
		}
	}
}

// countingWriter drops the body and counts the writes.
type countingWriter struct {
	h      http.Header
	writes int
}

func (c *countingWriter) Header() http.Header         { return c.h }
func (c *countingWriter) WriteHeader(int)             {}
func (c *countingWriter) Write(p []byte) (int, error) { c.writes++; return len(p), nil }
func (c *countingWriter) Flush()                      {}
