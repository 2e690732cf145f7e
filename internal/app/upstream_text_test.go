package app_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

// The model's own words about an error reach the log line, never the
// client: only a Bedrock ValidationException's message is passed on
// (docs/security.md). An in-stream error event of the model is reported
// by its type, before the first token and after it.
func TestModelErrorTextStaysInTheLog(t *testing.T) {
	t.Parallel()
	const secret = "internal detail 7f3a: prompt rejected by policy shard eu-3"
	tests := []struct {
		name     string
		scenario fakebedrock.Scenario
		stream   bool
		status   int
		code     string
	}{
		{name: "invalid request before the first token", scenario: fakebedrock.ClaudeError("invalid_request_error", secret, 0),
			status: http.StatusBadRequest, code: "invalid_request"},
		{name: "invalid request, streamed", scenario: fakebedrock.ClaudeError("invalid_request_error", secret, 0), stream: true,
			status: http.StatusBadRequest, code: "invalid_request"},
		{name: "api error after the first token", scenario: fakebedrock.ClaudeError("api_error", secret, 2), stream: true,
			status: http.StatusOK, code: "upstream_error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := fakebedrock.New(fakebedrock.WithScenario(tt.scenario))
			t.Cleanup(fake.Close)
			h, out := gatewayOn(t, map[string]string{"BEDROCK_MAX_RETRIES": "0"}, awsAt(fake.URL)...)
			stream := "false"
			if tt.stream {
				stream = "true"
			}
			resp := chatRequest(h, `{"stream":`+stream+`,"messages":[{"role":"user","content":"hi"}]}`)
			body, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d: %s", resp.StatusCode, tt.status, body)
			}
			if strings.Contains(string(body), "7f3a") {
				t.Errorf("the client got the model's own text: %s", body)
			}
			var code string
			if resp.StatusCode == http.StatusOK {
				chunks, done, err := gatewaytest.ReadStream(strings.NewReader(string(body)))
				if err != nil || done || len(chunks) == 0 || chunks[len(chunks)-1].Error == nil {
					t.Fatalf("stream = %s (done %v, %v), want an in-band error last", body, done, err)
				}
				code = chunks[len(chunks)-1].Error.Code
			} else {
				e, err := gatewaytest.Decode(string(body))
				if err != nil || e.Error == nil {
					t.Fatalf("answer %q is not OpenAI's error shape", body)
				}
				code = e.Error.Code
			}
			if code != tt.code {
				t.Errorf("code = %q, want %q", code, tt.code)
			}
			if cause, _ := out.requestLine(t)["error"].(string); !strings.Contains(cause, secret) {
				t.Errorf("log line error = %q, want the model's own text", cause)
			}
		})
	}
}
