package app_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/metrics"
)

// retired is a model Bedrock has retired; the fake answers for it as
// Bedrock does.
const retired = "anthropic.claude-3-5-haiku-20241022-v1:0"

// logLines returns the JSON lines of out whose msg is msg.
func logLines(t *testing.T, out *lockedBuffer, msg string) []map[string]any {
	t.Helper()
	var lines []map[string]any
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["msg"] == msg {
			lines = append(lines, m)
		}
	}
	return lines
}

// emfLine returns the metrics line of out.
func emfLine(t *testing.T, out *lockedBuffer) map[string]any {
	t.Helper()
	sc := bufio.NewScanner(strings.NewReader(out.String()))
	sc.Buffer(nil, 1<<20)
	for sc.Scan() {
		var m map[string]any
		if json.Unmarshal(sc.Bytes(), &m) == nil && m["_aws"] != nil {
			return m
		}
	}
	t.Fatalf("no metrics line in %s", out.String())
	return nil
}

// A retired model (or one not found, or not allowed) is a configuration
// error, not an outage: an ERROR line naming the model with Bedrock's own
// message, the ModelConfigErrors metric, and a 503 model_unavailable that
// says so, unless FALLBACK_ON=any lets ELIZA answer.
func TestModelConfigurationErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		scenario   fakebedrock.Scenario
		fallbackOn string
		reason     string
		message    string
		wantEliza  bool
	}{
		{name: "end of life", scenario: fakebedrock.EndOfLife(), reason: "end_of_life", message: "reached the end of its life"},
		{name: "not found", scenario: fakebedrock.NotFound(), reason: "model_not_found", message: "Could not resolve the foundation model"},
		{name: "access denied", scenario: fakebedrock.AccessDenied(), reason: "access_denied", message: "You don't have access to the model"},
		{name: "end of life, fallback on any", scenario: fakebedrock.EndOfLife(), fallbackOn: "any", reason: "end_of_life", message: "reached the end of its life", wantEliza: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			fake := fakebedrock.New(fakebedrock.WithScenario(tt.scenario))
			t.Cleanup(fake.Close)
			env := map[string]string{"BEDROCK_MODEL_ID": retired, "METRICS_ENABLED": "true"}
			if tt.fallbackOn != "" {
				env["FALLBACK_ON"] = tt.fallbackOn
			}
			h, out := gatewayOn(t, env, awsAt(fake.URL)...)
			resp := chatRequest(h, `{"messages":[{"role":"user","content":"hi"}]}`)
			if tt.wantEliza {
				body, _ := io.ReadAll(resp.Body)
				if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"model":"eliza"`) {
					t.Errorf("answer = %d %s, want ELIZA's", resp.StatusCode, body)
				}
			} else {
				e := decodeError(t, resp)
				if resp.StatusCode != http.StatusServiceUnavailable || e.Code != "model_unavailable" || !strings.Contains(e.Message, "retrying will not help") {
					t.Errorf("answer = %d %+v, want 503 model_unavailable saying retrying will not help", resp.StatusCode, e)
				}
				if strings.Contains(e.Message, tt.message) {
					t.Errorf("the client got Bedrock's own text: %q", e.Message)
				}
			}
			lines := logLines(t, out, "model configuration error: the model cannot answer as configured")
			if len(lines) != 1 {
				t.Fatalf("%d configuration error lines, want 1:\n%s", len(lines), out.String())
			}
			l := lines[0]
			if l["level"] != "ERROR" || l["model"] != retired || l["reason"] != tt.reason || !strings.Contains(l["error"].(string), tt.message) {
				t.Errorf("log line = %v, want ERROR naming %s, %s and Bedrock's message %q", l, retired, tt.reason, tt.message)
			}
			if got := out.requestLine(t)["model_config_error"]; got != tt.reason {
				t.Errorf("request line model_config_error = %v, want %s", got, tt.reason)
			}
			if got := emfLine(t, out)[metrics.MetricModelConfigErrs]; got != 1.0 {
				t.Errorf("metrics line %s = %v, want 1", metrics.MetricModelConfigErrs, got)
			}
		})
	}
}
