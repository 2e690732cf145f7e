package gateway_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// discardWriter is a ResponseWriter without Flusher that drops the body,
// as cheap as a writer can be, so the benchmark measures the gateway.
type discardWriter struct{ h http.Header }

func (d *discardWriter) Header() http.Header         { return d.h }
func (d *discardWriter) WriteHeader(int)             {}
func (d *discardWriter) Write(p []byte) (int, error) { return len(p), nil }

// BenchmarkRelay measures the per-frame cost of relaying a model's tokens
// on each wire format: SSE chunks of chat completions, and
// response.output_text.delta events of /v1/responses. One op is one frame.
func BenchmarkRelay(b *testing.B) {
	const frames = 1000
	model := fakeModel(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
		for range frames {
			if err := emit(chat.Delta{Text: " token"}); err != nil {
				return chat.Result{}, err
			}
		}
		return chat.Result{}, nil
	})
	h, err := gateway.New(gateway.Config{
		Formats:        formats,
		Models:         []gateway.ModelEntry{{ID: "m", Model: model}},
		Logger:         slog.New(slog.NewJSONHandler(io.Discard, nil)),
		MaxBodyBytes:   gateway.DefaultMaxBodyBytes,
		Limits:         gateway.DefaultLimits(),
		Heartbeat:      gateway.DefaultHeartbeat,
		DeadlineMargin: gateway.DefaultDeadlineMargin,
	})
	if err != nil {
		b.Fatal(err)
	}
	for _, route := range []struct{ name, path, body string }{
		{"chat", "/v1/chat/completions", `{"stream":true,"messages":[{"role":"user","content":"hi"}]}`},
		{"responses", "/v1/responses", `{"stream":true,"input":"hi"}`},
	} {
		b.Run(route.name, func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i += frames {
				req, _ := http.NewRequest(http.MethodPost, route.path, strings.NewReader(route.body))
				req.Header.Set("Content-Type", "application/json")
				h.ServeHTTP(&discardWriter{h: http.Header{}}, req)
			}
		})
	}
}
