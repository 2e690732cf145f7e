package chatcompletions

import (
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// BenchmarkChunkEncoder measures the encoding of one chat.completion.chunk
// per delta kind: one op is one frame. Text is the hot path; reasoning,
// tool-call pieces and thinking blocks take the general one, and each
// should stay allocation-free too once the buffer has grown.
func BenchmarkChunkEncoder(b *testing.B) {
	for _, bc := range []struct {
		name  string
		delta chat.Delta
	}{
		{"text", chat.Delta{Text: " token"}},
		{"text-escaped", chat.Delta{Text: "line \"one\"\n\tline <two> \u2028"}},
		{"reasoning", chat.Delta{Reasoning: " so the user wants"}},
		{"tool-call-start", chat.Delta{ToolCall: &chat.ToolCallDelta{Index: 0, ID: "tooluse_Xk2Jq8b3SNmE5Yp7Wc1", Name: "get_weather"}}},
		{"tool-call-arguments", chat.Delta{ToolCall: &chat.ToolCallDelta{Index: 0, Arguments: `{"city":"Par`}}},
		{"thinking-block", chat.Delta{Thinking: &chat.ThinkingBlock{Signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxDdKwMkrbNeYtnWr0iMHhKz1h"}}},
	} {
		b.Run(bc.name, func(b *testing.B) {
			c := newChunker("chatcmpl-ZEHCWTCBGRJQKPLTWL27KM6C6Q", 1795335497, "anthropic.claude-sonnet-4-5-20250929-v1:0")
			c.frame(bc.delta) // the role, and the buffer's growth
			b.ReportAllocs()
			var n int
			for b.Loop() {
				n = len(c.frame(bc.delta))
			}
			b.SetBytes(int64(n))
		})
	}
}
