package app_test

import (
	"io"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

// The fallback chain as app.New assembles it, against the fake Bedrock:
// the first model fails mid-answer, the chain's model continues it.
func TestFailoverAgainstBedrock(t *testing.T) {
	t.Parallel()
	const next = "eu." + haiku
	fake := fakebedrock.New()
	t.Cleanup(fake.Close)
	fake.Push(fakebedrock.InStream("modelStreamErrorException", 2), fakebedrock.Tokens(3))
	h, out := gatewayOn(t, map[string]string{"BEDROCK_FALLBACK_MODELS": next}, awsAt(fake.URL)...)
	resp := chatRequest(h, `{"stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	body, _ := io.ReadAll(resp.Body)
	b := string(body)
	if !strings.Contains(b, `"finish_reason":"stop"`) || strings.Contains(b, `"error"`) || !strings.HasSuffix(strings.TrimSpace(b), "data: [DONE]") {
		t.Errorf("stream = %s, want one answer ending with stop and [DONE]", b)
	}
	reqs := fake.Requests()
	if len(reqs) != 2 || reqs[1].ModelID != next || !strings.Contains(string(reqs[1].Body), "tok1 tok2 ") {
		t.Fatalf("Bedrock calls = %d, the second %+v; want the chain's model asked to continue", len(reqs), reqs[len(reqs)-1].ModelID)
	}
	if l := out.requestLine(t); l["model"] != next || l["failovers"] != 1.0 {
		t.Errorf("request line model=%v failovers=%v", l["model"], l["failovers"])
	}
}
