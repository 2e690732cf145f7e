package gateway

import (
	"encoding/json"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// answer assembles a non-streamed answer from the model's deltas.
type answer struct {
	text      strings.Builder
	reasoning strings.Builder
	// since is where the reasoning of the open thinking block starts.
	since    int
	thinking []chat.ThinkingBlock
	calls    []chat.ToolCall
}

func (a *answer) add(d chat.Delta) {
	a.text.WriteString(d.Text)
	a.reasoning.WriteString(d.Reasoning)
	if t := d.Thinking; t != nil {
		block := *t
		if block.Redacted == "" && block.Text == "" {
			// The block's text came as reasoning deltas.
			block.Text = a.reasoning.String()[a.since:]
		}
		a.since = a.reasoning.Len()
		a.thinking = append(a.thinking, block)
	}
	if t := d.ToolCall; t != nil {
		for len(a.calls) <= t.Index {
			a.calls = append(a.calls, chat.ToolCall{})
		}
		c := &a.calls[t.Index]
		if t.ID != "" {
			c.ID = t.ID
		}
		if t.Name != "" {
			c.Name = t.Name
		}
		c.Arguments += t.Arguments
	}
}

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

func (a *answer) message() messageOut {
	text := a.text.String()
	m := messageOut{Role: "assistant", Content: &text, ReasoningContent: a.reasoning.String()}
	for _, c := range a.calls {
		var out toolCallOut
		out.ID, out.Type = c.ID, "function"
		out.Function.Name, out.Function.Arguments = c.Name, c.Arguments
		m.ToolCalls = append(m.ToolCalls, out)
	}
	if text == "" && len(m.ToolCalls) > 0 {
		m.Content = nil
	}
	if len(a.thinking) > 0 {
		b := []byte{'['}
		for i := range a.thinking {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendThinking(b, &a.thinking[i])
		}
		m.ThinkingBlocks = append(b, ']')
	}
	return m
}

type usageOut struct {
	PromptTokens            int `json:"prompt_tokens"`
	CompletionTokens        int `json:"completion_tokens"`
	TotalTokens             int `json:"total_tokens"`
	CompletionTokensDetails *struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"completion_tokens_details,omitempty"`
}

func usageOf(u chat.Usage) usageOut {
	out := usageOut{PromptTokens: u.PromptTokens, CompletionTokens: u.CompletionTokens, TotalTokens: u.Total()}
	if u.ReasoningTokens > 0 {
		out.CompletionTokensDetails = &struct {
			ReasoningTokens int `json:"reasoning_tokens"`
		}{u.ReasoningTokens}
	}
	return out
}
