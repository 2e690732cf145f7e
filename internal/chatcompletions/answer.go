package chatcompletions

import (
	"encoding/json"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

type toolCallOut struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type messageOut struct {
	Role string `json:"role"`
	// Content is null when the answer is only tool calls, as OpenAI's is.
	Content          *string         `json:"content"`
	ReasoningContent string          `json:"reasoning_content,omitempty"`
	ToolCalls        []toolCallOut   `json:"tool_calls,omitempty"`
	ThinkingBlocks   json.RawMessage `json:"thinking_blocks,omitempty"`
}

// message is a whole answer as a chat.completion's message.
func message(a *gateway.Collected) messageOut {
	text := a.Text()
	m := messageOut{Role: "assistant", Content: &text, ReasoningContent: a.Reasoning()}
	for _, c := range a.ToolCalls() {
		var out toolCallOut
		out.ID, out.Type = c.ID, "function"
		out.Function.Name, out.Function.Arguments = c.Name, c.Arguments
		m.ToolCalls = append(m.ToolCalls, out)
	}
	if text == "" && len(m.ToolCalls) > 0 {
		m.Content = nil
	}
	if t := a.Thinking(); len(t) > 0 {
		m.ThinkingBlocks = gateway.AppendThinkingList(nil, t)
	}
	return m
}

type usageOut struct {
	PromptTokens        int `json:"prompt_tokens"`
	CompletionTokens    int `json:"completion_tokens"`
	TotalTokens         int `json:"total_tokens"`
	PromptTokensDetails *struct {
		CachedTokens int `json:"cached_tokens"`
	} `json:"prompt_tokens_details,omitempty"`
	CompletionTokensDetails *struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"completion_tokens_details,omitempty"`
}

func usageOf(u chat.Usage) usageOut {
	out := usageOut{PromptTokens: u.Prompt(), CompletionTokens: u.CompletionTokens, TotalTokens: u.Total()}
	if u.CacheReadTokens > 0 || u.CacheWriteTokens > 0 {
		out.PromptTokensDetails = &struct {
			CachedTokens int `json:"cached_tokens"`
		}{u.CacheReadTokens}
	}
	if u.ReasoningTokens > 0 {
		out.CompletionTokensDetails = &struct {
			ReasoningTokens int `json:"reasoning_tokens"`
		}{u.ReasoningTokens}
	}
	return out
}
