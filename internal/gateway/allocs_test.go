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
// kind of delta, on both wire formats, and of a text frame kept for
// resuming (an in-memory stream buffer, whose writes are counted too: Close
// waits for them): the difference between a long and a short answer of a
// model that allocates nothing itself. Counts are deterministic, unlike
// times.
func TestRelayAllocsPerFrame(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own; make test-allocs runs this without it")
	}
	chatBody := func(n int) string {
		return `{"stream":true,"max_tokens":` + strconv.Itoa(n) + `,"messages":[{"role":"user","content":"hi"}]}`
	}
	responsesBody := func(n int) string {
		return `{"stream":true,"max_output_tokens":` + strconv.Itoa(n) + `,"input":"hi"}`
	}
	for _, tc := range []struct {
		name  string
		path  string
		body  func(frames int) string
		delta chat.Delta
		kept  bool // the answer is also kept in a stream buffer
	}{
		{name: "chat completions, text", path: "/v1/chat/completions", body: chatBody, delta: chat.Delta{Text: " token"}},
		{name: "chat completions, reasoning", path: "/v1/chat/completions", body: chatBody,
			delta: chat.Delta{Reasoning: " so the user wants"}},
		{name: "chat completions, tool call arguments", path: "/v1/chat/completions", body: chatBody,
			delta: chat.Delta{ToolCall: &chat.ToolCallDelta{Index: 0, Arguments: `"city":`}}},
		{name: "responses, text", path: "/v1/responses", body: responsesBody, delta: chat.Delta{Text: " token"}},
		{name: "responses, reasoning", path: "/v1/responses", body: responsesBody, delta: chat.Delta{Reasoning: " so the user wants"}},
		{name: "responses, tool call arguments", path: "/v1/responses", body: responsesBody,
			delta: chat.Delta{ToolCall: &chat.ToolCallDelta{Index: 0, Arguments: `"city":`}}},
		{name: "chat completions, text, kept", path: "/v1/chat/completions", body: chatBody, delta: chat.Delta{Text: " token"}, kept: true},
		{name: "responses, text, kept", path: "/v1/responses", body: responsesBody, delta: chat.Delta{Text: " token"}, kept: true},
	} {
		model := chat.ModelFunc(func(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
			for range req.MaxTokens {
				if err := emit(tc.delta); err != nil {
					return chat.Result{}, err
				}
			}
			return chat.Result{Usage: chat.Usage{PromptTokens: 3, CompletionTokens: req.MaxTokens}}, nil
		})
		limits := gateway.DefaultLimits()
		limits.MaxTokens = 10_000
		cfg := gateway.Config{
			Formats:        formats,
			Models:         []gateway.ModelEntry{{ID: "m", Model: model}},
			Logger:         slog.New(slog.NewJSONHandler(io.Discard, nil)),
			MaxBodyBytes:   gateway.DefaultMaxBodyBytes,
			Limits:         limits,
			Heartbeat:      gateway.DefaultHeartbeat,
			DeadlineMargin: gateway.DefaultDeadlineMargin,
		}
		store := &freshMemory{}
		if tc.kept {
			cfg.Streams = store
			cfg.Auth = authFunc(func(*http.Request, []byte) (*gateway.Caller, error) {
				return &gateway.Caller{Subject: "allocs", Key: "test:allocs"}, nil
			})
		}
		h, err := gateway.New(cfg)
		if err != nil {
			t.Fatal(err)
		}
		writes := map[int]int{}
		answer := func(frames int) func() {
			body := tc.body(frames)
			return func() {
				req, _ := http.NewRequest(http.MethodPost, tc.path, strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				w := &countingWriter{h: http.Header{}}
				h.ServeHTTP(w, req)
				writes[frames] = w.writes
			}
		}
		const short, long = 100, 1100
		a := testing.AllocsPerRun(20, answer(short))
		b := testing.AllocsPerRun(20, answer(long))
		if got := writes[long] - writes[short]; got != long-short {
			t.Fatalf("%s: %d more frames for %d more deltas", tc.name, got, long-short)
		}
		if n := store.created.Load(); tc.kept != (n > 0) {
			t.Fatalf("%s: %d answers kept", tc.name, n)
		}
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
