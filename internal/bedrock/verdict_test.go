package bedrock_test

import (
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// TestCacheTokens: each family's cache counts, in the spelling of its own
// API, are reported apart from the prompt tokens, as Bedrock reports them. Nova's InvokeModel usage
// spells them cacheReadInputTokenCount and cacheWriteInputTokenCount.
func TestCacheTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		family bedrock.Family
		chunks []string
		want   chat.Usage
	}{
		{name: "nova invoke spelling", family: bedrock.FamilyNova, chunks: []string{
			`{"contentBlockDelta":{"delta":{"text":"hi"},"contentBlockIndex":0}}`,
			`{"messageStop":{"stopReason":"end_turn"}}`,
			`{"metadata":{"usage":{"inputTokens":5,"outputTokens":1,"cacheReadInputTokenCount":100,"cacheWriteInputTokenCount":20}}}`,
		}, want: chat.Usage{PromptTokens: 5, CompletionTokens: 1, CacheReadTokens: 100, CacheWriteTokens: 20}},
		{name: "nova converse spelling", family: bedrock.FamilyNova, chunks: []string{
			`{"contentBlockDelta":{"delta":{"text":"hi"},"contentBlockIndex":0}}`,
			`{"messageStop":{"stopReason":"end_turn"}}`,
			`{"metadata":{"usage":{"inputTokens":5,"outputTokens":1,"cacheReadInputTokens":7}}}`,
		}, want: chat.Usage{PromptTokens: 5, CompletionTokens: 1, CacheReadTokens: 7}},
		{name: "claude", family: bedrock.FamilyAnthropic, chunks: []string{
			`{"type":"message_start","message":{"usage":{"input_tokens":3,"output_tokens":1,"cache_read_input_tokens":1000,"cache_creation_input_tokens":50}}}`,
			`{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"hi"}}`,
			`{"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":2}}`,
		}, want: chat.Usage{PromptTokens: 3, CompletionTokens: 2, CacheReadTokens: 1000, CacheWriteTokens: 50}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var payloads [][]byte
			for _, c := range tt.chunks {
				payloads = append(payloads, []byte(c))
			}
			_, res, _, err := bedrock.DecodeChunks(tt.family, payloads)
			if err != nil {
				t.Fatal(err)
			}
			if res.Usage != tt.want {
				t.Errorf("usage = %+v, want %+v", res.Usage, tt.want)
			}
		})
	}
}

// TestGuardrailVerdictEverywhere: the guardrail's verdict ends the answer
// as content_filter wherever a chunk carries it.
func TestGuardrailVerdictEverywhere(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		family bedrock.Family
		chunk  string
	}{
		{name: "top level", family: bedrock.FamilyAnthropic,
			chunk: `{"type":"message_stop","amazon-bedrock-guardrailAction":"INTERVENED"}`},
		{name: "message_start message", family: bedrock.FamilyAnthropic,
			chunk: `{"type":"message_start","message":{"usage":{"input_tokens":3},"amazon-bedrock-guardrailAction":"INTERVENED"}}`},
		{name: "message_delta delta", family: bedrock.FamilyAnthropic,
			chunk: `{"type":"message_delta","delta":{"stop_reason":"end_turn","amazon-bedrock-guardrailAction":"INTERVENED"}}`},
		{name: "nova messageStop", family: bedrock.FamilyNova,
			chunk: `{"messageStop":{"stopReason":"end_turn","amazon-bedrock-guardrailAction":"INTERVENED"}}`},
		{name: "invocation metrics", family: bedrock.FamilyLlama3,
			chunk: `{"generation":"","stop_reason":"stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":1,"outputTokenCount":1,"amazon-bedrock-guardrailAction":"INTERVENED"}}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, res, ended, err := bedrock.DecodeChunks(tt.family, [][]byte{[]byte(tt.chunk)})
			if err != nil {
				t.Fatal(err)
			}
			if res.FinishReason != chat.FinishContentFilter || !ended {
				t.Errorf("finish = %q, ended %v; want content_filter and ended", res.FinishReason, ended)
			}
		})
	}
	// NONE is no intervention.
	_, res, _, err := bedrock.DecodeChunks(bedrock.FamilyAnthropic, [][]byte{[]byte(
		`{"type":"message_start","message":{"amazon-bedrock-guardrailAction":"NONE"}}`)})
	if err != nil || res.FinishReason == chat.FinishContentFilter {
		t.Errorf("NONE: finish = %q, err %v", res.FinishReason, err)
	}
}
