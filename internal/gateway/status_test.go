package gateway_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// The tests here are about when the status line leaves. They run in a
// synctest bubble, so the time it left (the log line's ttfb_ms) is exact.

// silentFor answers "late" after d of silence.
func silentFor(d time.Duration) fakeModel {
	return func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
		time.Sleep(d)
		return chat.Result{}, emit(chat.Delta{Text: "late"})
	}
}

// requestLine returns the request's log line.
func requestLine(t *testing.T, logs *logBuffer) map[string]any {
	t.Helper()
	lines := logs.lines(t, "request")
	if len(lines) != 1 {
		t.Fatalf("%d request lines, want 1", len(lines))
	}
	return lines[0]
}

// The status leaves with the first token, not before: a model that takes
// 3s to answer has a time to first byte of 3s.
func TestStatusLeavesWithFirstToken(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h, logs := newGateway(t, func(c *gateway.Config) {
			c.Heartbeat = 10 * time.Second
			c.Models[0].Model = silentFor(3 * time.Second)
		})
		resp := serve(t.Context(), h, hello)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), "id: 0\ndata: ") {
			t.Fatalf("answer = %d %q, want 200 and data first", resp.StatusCode, body)
		}
		if l := requestLine(t, logs); l["ttfb_ms"] != 3000.0 || l["ttft_ms"] != 3000.0 {
			t.Errorf("ttfb_ms = %v, ttft_ms = %v; want both 3000: the status leaves with the first token", l["ttfb_ms"], l["ttft_ms"])
		}
	})
}

// A model silent past the heartbeat interval gets the status sent at the
// interval, with a ping, so that proxies see the stream alive.
func TestStatusLeavesAtHeartbeat(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		h, logs := newGateway(t, func(c *gateway.Config) {
			c.Heartbeat = 10 * time.Second
			c.Models[0].Model = silentFor(15 * time.Second)
		})
		resp := serve(t.Context(), h, hello)
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), ": ping\n\nid: 0\ndata: ") {
			t.Fatalf("answer = %d %q, want 200, a ping, then data", resp.StatusCode, body)
		}
		if l := requestLine(t, logs); l["ttfb_ms"] != 10000.0 {
			t.Errorf("ttfb_ms = %v, want 10000: the status leaves at the heartbeat", l["ttfb_ms"])
		}
	})
}

// Before the status has left, a failure is answered with its own status and
// OpenAI's error JSON, streamed or not: the client's mistake is a 400 with
// the model's message, an upstream failure a 502 or a 503, the gateway's own
// failure a 500.
func TestFailureBeforeFirstTokenHasItsStatus(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		err        error
		status     int
		typ, code  string
		message    string // when set, the exact message
		retryAfter bool
	}{
		{
			name: "client error", err: &chat.PublicError{Kind: chat.ErrInvalidRequest, Message: "prompt is too long: 250000 tokens > 200000 maximum"},
			status: 400, typ: "invalid_request_error", code: "invalid_request", message: "prompt is too long: 250000 tokens > 200000 maximum",
		},
		{name: "upstream failure", err: fmt.Errorf("invoke m: %w", chat.ErrUpstream), status: 502, typ: "server_error", code: "upstream_error"},
		{name: "upstream unavailable", err: fmt.Errorf("invoke m: %w", chat.ErrUnavailable), status: 503, typ: "service_unavailable_error", code: "model_unavailable", retryAfter: true},
		{name: "own failure", err: fmt.Errorf("bug"), status: 500, typ: "server_error", code: "internal_error"},
	}
	for _, tt := range tests {
		for _, stream := range []bool{true, false} {
			t.Run(fmt.Sprintf("%s/stream=%v", tt.name, stream), func(t *testing.T) {
				t.Parallel()
				synctest.Test(t, func(t *testing.T) {
					h, logs := newGateway(t, func(c *gateway.Config) {
						c.Heartbeat = 10 * time.Second
						c.FallbackModel = ""
						c.Models[0].Model = fakeModel(func(context.Context, *chat.Request, chat.Emit) (chat.Result, error) {
							time.Sleep(5 * time.Second) // less than the heartbeat
							return chat.Result{}, tt.err
						})
					})
					resp := serve(t.Context(), h, fmt.Sprintf(`{"model":"echo","stream":%v,"messages":[{"role":"user","content":"hi"}]}`, stream))
					if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != "application/json" {
						t.Fatalf("answer = %d %s, want %d JSON", resp.StatusCode, resp.Header.Get("Content-Type"), tt.status)
					}
					e := decodeError(t, resp)
					if e.Type != tt.typ || e.Code != tt.code || (tt.message != "" && e.Message != tt.message) {
						t.Errorf("error = %+v, want type %s, code %s, message %q", e, tt.typ, tt.code, tt.message)
					}
					if tt.message == "" && strings.Contains(e.Message, "invoke") {
						t.Errorf("internal text reached the client: %q", e.Message)
					}
					if got := resp.Header.Get("Retry-After") != ""; got != tt.retryAfter {
						t.Errorf("Retry-After present = %v, want %v", got, tt.retryAfter)
					}
					l := requestLine(t, logs)
					if l["status"] != float64(tt.status) || l["error_code"] != tt.code || l["error"] != tt.err.Error() {
						t.Errorf("log line = %v", l)
					}
				})
			})
		}
	}
}

// After the first token an upstream stall ends the stream in-band with
// upstream_timeout; without streaming it is a 504.
func TestUpstreamTimeoutAfterFirstToken(t *testing.T) {
	t.Parallel()
	stalled := fmt.Errorf("stream m: %w", chat.ErrUpstreamTimeout)
	s := newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = failing(stalled, "partial")
		c.FallbackModel = ""
	})
	chunks, done, _ := readStream(t, s.post(t, hello).Body)
	last := chunks[len(chunks)-1]
	if done || text(chunks) != "partial" || last.Error == nil || last.Error.Code != "upstream_timeout" || last.Error.Type != "timeout_error" {
		t.Fatalf("stream: done=%v text=%q last=%+v; want the text, then an in-band upstream_timeout", done, text(chunks), last)
	}
	resp := s.post(t, `{"model":"echo","messages":[{"role":"user","content":"hi"}]}`)
	if e := decodeError(t, resp); resp.StatusCode != http.StatusGatewayTimeout || e.Code != "upstream_timeout" {
		t.Errorf("without streaming: %d %+v, want 504 upstream_timeout", resp.StatusCode, e)
	}
}

// A failure of the model's service after its first token, without
// streaming, is the upstream's failure (502), not the gateway's (500).
func TestUpstreamFailureAfterFirstTokenWithoutStreaming(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) {
		c.Models[0].Model = failing(fmt.Errorf("stream m: %w", chat.ErrUpstream), "partial")
	})
	resp := s.post(t, `{"model":"echo","messages":[{"role":"user","content":"hi"}]}`)
	if e := decodeError(t, resp); resp.StatusCode != http.StatusBadGateway || e.Code != "upstream_error" || e.Type != "server_error" {
		t.Errorf("answer = %d %+v, want 502 upstream_error", resp.StatusCode, e)
	}
	chunks, done, _ := readStream(t, s.post(t, hello).Body)
	if last := chunks[len(chunks)-1]; done || last.Error == nil || last.Error.Code != "upstream_error" {
		t.Errorf("streamed: done=%v last=%+v, want an in-band upstream_error", done, last)
	}
}
