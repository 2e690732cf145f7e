package chat_test

import (
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

func TestEstimatePromptTokens(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		req  chat.Request
		want int
	}{
		{name: "never zero", req: chat.Request{Messages: []chat.Message{{Role: chat.RoleUser}}}, want: 1},
		{name: "a quarter of the bytes, rounded up",
			req:  chat.Request{Messages: []chat.Message{{Role: chat.RoleUser, Content: strings.Repeat("x", 4001)}}},
			want: 1001},
		{name: "every message",
			req: chat.Request{Messages: []chat.Message{
				{Role: chat.RoleSystem, Content: strings.Repeat("s", 400)},
				{Role: chat.RoleUser, Content: strings.Repeat("u", 400)},
				{Role: chat.RoleAssistant, Content: strings.Repeat("a", 400)},
			}},
			want: 300},
		{name: "tool calls, results, definitions and reasoning sent back",
			req: chat.Request{
				Messages: []chat.Message{
					{Role: chat.RoleUser, Content: "weather?"}, // 8
					{Role: chat.RoleAssistant, ToolCalls: []chat.ToolCall{{ID: "c1", Name: "get", Arguments: `{"city":"Oslo"}`}}, // 3 + 15
						Thinking: []chat.ThinkingBlock{{Text: "think", Signature: "sig"}, {Redacted: "opaque"}}}, // 5 + 6
					{Role: chat.RoleTool, ToolCallID: "c1", Content: "rain"}, // 4
				},
				Tools: []chat.Tool{{Name: "get", Description: "the weather", Parameters: []byte(`{"type":"object"}`)}}, // 3 + 11 + 17
			},
			want: 18}, // 72 bytes
		{name: "images count alike, whatever their bytes",
			req: chat.Request{Messages: []chat.Message{{Role: chat.RoleUser, Content: "what is this?", Parts: []chat.Part{
				{Text: "what is this?"},
				{Image: &chat.Image{MediaType: "image/png", Data: make([]byte, 10)}},
				{Image: &chat.Image{MediaType: "image/jpeg", Data: make([]byte, 100_000)}},
			}}}},
			want: 4 + 2*1600},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.req.EstimatePromptTokens(); got != tt.want {
				t.Fatalf("EstimatePromptTokens = %d; want %d", got, tt.want)
			}
		})
	}
}
