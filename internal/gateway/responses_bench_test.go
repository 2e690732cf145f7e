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

// BenchmarkRelayResponses is BenchmarkRelay for POST /v1/responses: the
// per-token cost of a response.output_text.delta event. One op is one token.
func BenchmarkRelayResponses(b *testing.B) {
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
		Models: []gateway.ModelEntry{{ID: "m", Model: model}},
		Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
	})
	if err != nil {
		b.Fatal(err)
	}
	body := `{"stream":true,"input":"hi"}`
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i += frames {
		req, _ := http.NewRequest(http.MethodPost, "/v1/responses", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		h.ServeHTTP(&discardWriter{h: http.Header{}}, req)
	}
}
