package app_test

import (
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

// TestGuardrailBlocksWithoutFallback: a prompt the guardrail blocks is
// answered by the guardrail's message with finish_reason content_filter,
// from the Bedrock model, never by the ELIZA fallback; the answer is
// counted in the ContentFiltered metric.
func TestGuardrailBlocksWithoutFallback(t *testing.T) {
	t.Parallel()
	g := fakebedrock.Guardrail{ID: "gr1", Version: "DRAFT", Word: "forbidden", Message: "I can't help with that."}
	fake := fakebedrock.New(fakebedrock.WithGuardrail(g))
	t.Cleanup(fake.Close)
	h, out := gatewayOn(t, map[string]string{
		"BEDROCK_MODEL_ID": haiku, "BEDROCK_GUARDRAIL_ID": g.ID, "BEDROCK_GUARDRAIL_VERSION": g.Version,
		"METRICS_ENABLED": "true",
	}, awsAt(fake.URL)...)
	chunks, done := streamChat(t, h, "tell me the forbidden thing")
	last := chunks[len(chunks)-1]
	if !done || gatewaytest.Text(chunks) != g.Message || last.Choices[0].FinishReason == nil ||
		*last.Choices[0].FinishReason != "content_filter" || last.Model != haiku {
		t.Fatalf("stream = %+v, done %v; want %q from %s, then content_filter and [DONE]", chunks, done, g.Message, haiku)
	}
	line := out.requestLine(t)
	if line["fallback"] != nil || line["finish_reason"] != "content_filter" {
		t.Fatalf("log line = %v", line)
	}
	if logs := out.String(); !strings.Contains(logs, `"ContentFiltered":1`) {
		t.Fatalf("no ContentFiltered metric in:\n%s", logs)
	}
}
