package bedrock

import (
	"encoding/json"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// The chat-completions shape several families share on InvokeModel:
// messages with roles, assistant tool_calls, tool messages with
// tool_call_id; chunks with choices[0].message or .delta, stop_reason or
// finish_reason, and usage. Mistral Large 2 (2407) and the OpenAI-format
// families (gpt-oss, DeepSeek V3, Qwen3) build on it.

// chatMessage is one message; its content is text, so text-only
// conversations look as they always did.
type chatMessage struct {
	Role       chat.Role      `json:"role"`
	Content    string         `json:"content"`
	ToolCalls  []chatToolCall `json:"tool_calls,omitempty"`
	ToolCallID string         `json:"tool_call_id,omitempty"`
}

type chatToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

type chatTool struct {
	Type     string `json:"type"` // function
	Function struct {
		Name        string          `json:"name"`
		Description string          `json:"description,omitempty"`
		Parameters  json.RawMessage `json:"parameters"`
	} `json:"function"`
}

// chatMessages is the system text first, then the turns as they are.
func chatMessages(p prompt) []chatMessage {
	out := make([]chatMessage, 0, len(p.turns)+1)
	if p.system != "" {
		out = append(out, chatMessage{Role: chat.RoleSystem, Content: p.system})
	}
	for _, t := range p.turns {
		m := chatMessage{Role: t.Role, Content: t.Content, ToolCallID: t.ToolCallID}
		for _, c := range t.ToolCalls {
			var tc chatToolCall
			tc.ID, tc.Type = c.ID, "function"
			tc.Function.Name, tc.Function.Arguments = c.Name, c.Arguments
			m.ToolCalls = append(m.ToolCalls, tc)
		}
		out = append(out, m)
	}
	return out
}

func chatTools(tools []chat.Tool) []chatTool {
	var out []chatTool
	for _, t := range tools {
		var ct chatTool
		ct.Type = "function"
		ct.Function.Name, ct.Function.Description, ct.Function.Parameters = t.Name, t.Description, t.Parameters
		out = append(out, ct)
	}
	return out
}

type chatDelta struct {
	Content          string `json:"content"`
	ReasoningContent string `json:"reasoning_content"`
	Reasoning        string `json:"reasoning"`
	ToolCalls        []struct {
		Index    *int   `json:"index"`
		ID       string `json:"id"`
		Function struct {
			Name      string `json:"name"`
			Arguments string `json:"arguments"`
		} `json:"function"`
	} `json:"tool_calls"`
}

type chatChunk struct {
	// The streamed shape is documented for few of these models: accept
	// both "message" and "delta", and both "stop_reason" and
	// "finish_reason". One choice is requested; a fixed array keeps
	// decoding allocation-free and drops any further choices.
	Choices [1]struct {
		Message      chatDelta `json:"message"`
		Delta        chatDelta `json:"delta"`
		StopReason   string    `json:"stop_reason"`
		FinishReason string    `json:"finish_reason"`
	} `json:"choices"`
	Usage struct {
		Prompt     int `json:"prompt_tokens"`
		Completion int `json:"completion_tokens"`
		Details    struct {
			Reasoning int `json:"reasoning_tokens"`
		} `json:"completion_tokens_details"`
	} `json:"usage"`
	Metrics *invocationMetrics `json:"amazon-bedrock-invocationMetrics"`
}

func decodeChat(payload []byte, st *streamState, out emitter) error {
	var c chatChunk
	if err := json.Unmarshal(payload, &c); err != nil {
		return badChunk(err)
	}
	st.addMetrics(c.Metrics)
	ch := &c.Choices[0]
	st.stop(ch.StopReason)
	st.stop(ch.FinishReason)
	if u := &c.Usage; u.Prompt > 0 || u.Completion > 0 {
		st.usage.PromptTokens = max(st.usage.PromptTokens, u.Prompt)
		st.usage.CompletionTokens = max(st.usage.CompletionTokens, u.Completion)
		st.usage.ReasoningTokens = max(st.usage.ReasoningTokens, u.Details.Reasoning)
	}
	for _, d := range [2]*chatDelta{&ch.Delta, &ch.Message} {
		if r := d.ReasoningContent + d.Reasoning; r != "" {
			if err := out(chat.Delta{Reasoning: r}); err != nil {
				return err
			}
		}
		if err := st.text(d.Content, out); err != nil {
			return err
		}
		for _, tc := range d.ToolCalls {
			key := len(st.tools) // a whole call, as Mistral sends them
			if tc.Index != nil {
				key = *tc.Index
			}
			i, first := st.toolCall(key)
			td := &chat.ToolCallDelta{Index: i, Arguments: tc.Function.Arguments}
			if first {
				td.ID, td.Name = tc.ID, tc.Function.Name
			} else if td.Arguments == "" {
				continue
			}
			if err := out(chat.Delta{ToolCall: td}); err != nil {
				return err
			}
		}
	}
	return nil
}
