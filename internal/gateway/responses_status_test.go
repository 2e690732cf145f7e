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
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

// When the status line of a Responses stream leaves: as for chat
// completions, with the first text or with a ping at the heartbeat. The
// tests run in a synctest bubble, so the time it left is exact.
func TestResponsesStatusLeavesWithFirstTextOrPing(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		silence time.Duration
		prefix  string
		ttfb    float64
	}{
		{silence: 3 * time.Second, prefix: "id: 0\nevent: response.created\n", ttfb: 3000},
		{silence: 15 * time.Second, prefix: ": ping\n\nid: 0\nevent: response.created\n", ttfb: 10000},
	} {
		synctest.Test(t, func(t *testing.T) {
			h, logs := newGateway(t, func(c *gateway.Config) {
				c.Heartbeat = 10 * time.Second
				c.Models[0].Model = silentFor(tt.silence)
			})
			resp := serveResponses(t.Context(), h, responsesHello)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != http.StatusOK || !strings.HasPrefix(string(body), tt.prefix) {
				t.Fatalf("answer = %d %q, want 200 and %q first", resp.StatusCode, body, tt.prefix)
			}
			if l := requestLine(t, logs); l["ttfb_ms"] != tt.ttfb {
				t.Errorf("silent for %v: ttfb_ms = %v, want %v", tt.silence, l["ttfb_ms"], tt.ttfb)
			}
		})
	}
}

// Before the status has left, a failure has its own status and OpenAI's
// error JSON, streamed or not; after a ping has sent it, response.failed.
func TestResponsesFailureBeforeFirstText(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		err    error
		status int
		code   string
	}{
		{name: "client error", err: &chat.PublicError{Kind: chat.ErrInvalidRequest, Message: "prompt is too long"}, status: 400, code: "invalid_request"},
		{name: "upstream failure", err: fmt.Errorf("invoke m: %w", chat.ErrUpstream), status: 502, code: "upstream_error"},
		{name: "upstream unavailable", err: fmt.Errorf("invoke m: %w", chat.ErrUnavailable), status: 503, code: "model_unavailable"},
		{name: "own failure", err: fmt.Errorf("bug"), status: 500, code: "internal_error"},
	}
	for _, tt := range tests {
		for _, after := range []time.Duration{5 * time.Second, 15 * time.Second} {
			for _, stream := range []bool{true, false} {
				t.Run(fmt.Sprintf("%s/after=%v/stream=%v", tt.name, after, stream), func(t *testing.T) {
					t.Parallel()
					synctest.Test(t, func(t *testing.T) {
						h, logs := newGateway(t, func(c *gateway.Config) {
							c.Heartbeat = 10 * time.Second
							c.FallbackModel = ""
							c.Models[0].Model = fakeModel(func(context.Context, *chat.Request, chat.Emit) (chat.Result, error) {
								time.Sleep(after)
								return chat.Result{}, tt.err
							})
						})
						resp := serveResponses(t.Context(), h, fmt.Sprintf(`{"model":"echo","stream":%v,"input":"hi"}`, stream))
						if stream && after > 10*time.Second {
							// The ping at 10s sent the status: the failure is in-band.
							st := readResponses(t, resp)
							code := tt.code
							if tt.status == 500 {
								code = "model_error"
							}
							if st.Terminal != gatewaytest.Failed || st.Final.Error.Code != code || strings.Contains(st.Final.Error.Message, "invoke") {
								t.Errorf("terminal %s, error %+v; want response.failed with %s", st.Terminal, st.Final.Error, code)
							}
							return
						}
						if resp.StatusCode != tt.status || resp.Header.Get("Content-Type") != "application/json" {
							t.Fatalf("answer = %d %s, want %d JSON", resp.StatusCode, resp.Header.Get("Content-Type"), tt.status)
						}
						if e := decodeError(t, resp); e.Code != tt.code || strings.Contains(e.Message, "invoke") {
							t.Errorf("error = %+v, want code %s", e, tt.code)
						}
						if l := requestLine(t, logs); l["status"] != float64(tt.status) || l["error"] != tt.err.Error() {
							t.Errorf("log line = %v", l)
						}
					})
				})
			}
		}
	}
}
