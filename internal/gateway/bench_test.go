package gateway_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/streambuf"
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
// The kept variants keep every answer in an in-memory stream buffer as
// resumable streams are (STREAM_RESUME): the difference is what the buffer
// costs the relay per frame.
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
	for _, kept := range []bool{false, true} {
		cfg := gateway.Config{
			Formats:        formats,
			Models:         []gateway.ModelEntry{{ID: "m", Model: model}},
			Logger:         slog.New(slog.NewJSONHandler(io.Discard, nil)),
			MaxBodyBytes:   gateway.DefaultMaxBodyBytes,
			Limits:         gateway.DefaultLimits(),
			Heartbeat:      gateway.DefaultHeartbeat,
			DeadlineMargin: gateway.DefaultDeadlineMargin,
		}
		suffix, store := "", &freshMemory{}
		if kept {
			cfg.Streams, suffix = store, "/kept"
			cfg.Auth = authFunc(func(*http.Request, []byte) (*gateway.Caller, error) {
				return &gateway.Caller{Subject: "bench", Key: "test:bench"}, nil
			})
		}
		h, err := gateway.New(cfg)
		if err != nil {
			b.Fatal(err)
		}
		for _, route := range []struct{ name, path, body string }{
			{"chat", "/v1/chat/completions", `{"stream":true,"messages":[{"role":"user","content":"hi"}]}`},
			{"responses", "/v1/responses", `{"stream":true,"store":false,"input":"hi"}`},
		} {
			b.Run(route.name+suffix, func(b *testing.B) {
				b.ReportAllocs()
				answers := 0
				for i := 0; i < b.N; i += frames {
					req, _ := http.NewRequest(http.MethodPost, route.path, strings.NewReader(route.body))
					req.Header.Set("Content-Type", "application/json")
					h.ServeHTTP(&discardWriter{h: http.Header{}}, req)
					answers++
				}
				if kept && store.created.Swap(0) != int64(answers) {
					b.Fatal("not every answer was kept")
				}
			})
		}
	}
}

// freshMemory is an in-memory stream store that starts afresh with each
// answer, so that a long benchmark does not hold every answer it relayed
// (answers run one after another: the last one has ended by then).
type freshMemory struct {
	cur     atomic.Pointer[streambuf.Memory]
	created atomic.Int64
}

func (f *freshMemory) Create(ctx context.Context, key streambuf.Key, h streambuf.Header) error {
	m := streambuf.NewMemory(streambuf.MemoryConfig{})
	f.cur.Store(m)
	f.created.Add(1)
	return m.Create(ctx, key, h)
}

func (f *freshMemory) Header(ctx context.Context, key streambuf.Key) (streambuf.Header, error) {
	return f.cur.Load().Header(ctx, key)
}

func (f *freshMemory) Append(ctx context.Context, key streambuf.Key, events []streambuf.Event, end *streambuf.End) error {
	return f.cur.Load().Append(ctx, key, events, end)
}

func (f *freshMemory) Events(ctx context.Context, key streambuf.Key, after int64) ([]streambuf.Event, *streambuf.End, error) {
	return f.cur.Load().Events(ctx, key, after)
}

func (f *freshMemory) Cancel(ctx context.Context, key streambuf.Key) error {
	return f.cur.Load().Cancel(ctx, key)
}

func (f *freshMemory) Wait(ctx context.Context, key streambuf.Key, after int64) error {
	return f.cur.Load().Wait(ctx, key, after)
}

func (f *freshMemory) Claim(ctx context.Context, key streambuf.Key, hash string, deadline time.Time) (streambuf.Header, error) {
	return f.cur.Load().Claim(ctx, key, hash, deadline)
}
