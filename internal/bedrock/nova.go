package bedrock

import (
	"encoding/json"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Amazon Nova: messages-v1. Tools are toolConfig and toolUse/toolResult
// blocks, images image blocks with base64 bytes.

var nova = familySpec{
	caps:   chat.Capabilities{Tools: true, Images: true},
	body:   novaBody,
	decode: decodeNova,
}

// novaBlock is any content block; exactly one field is set.
type novaBlock struct {
	Text       *string         `json:"text,omitempty"`
	CachePoint *novaCachePoint `json:"cachePoint,omitempty"`
	Image      *novaImage      `json:"image,omitempty"`
	ToolUse    *novaToolUse    `json:"toolUse,omitempty"`
	ToolResult *novaToolResult `json:"toolResult,omitempty"`
}

func novaText(s string) novaBlock { return novaBlock{Text: &s} }

// novaCachePoint marks a prompt cache point in Nova's system or messages
// (Nova user guide, prompt caching: {"cachePoint":{"type":"default"}}).
// Nova's tools take none [U], so a tool's mark is left out.
type novaCachePoint struct {
	Type string `json:"type"`
}

var novaCache = novaBlock{CachePoint: &novaCachePoint{Type: "default"}}

type novaImage struct {
	Format string `json:"format"` // png, jpeg, gif, webp
	Source struct {
		Bytes []byte `json:"bytes"` // encoded as base64 by encoding/json
	} `json:"source"`
}

type novaToolUse struct {
	ToolUseID string          `json:"toolUseId"`
	Name      string          `json:"name"`
	Input     json.RawMessage `json:"input"`
}

type novaToolResult struct {
	ToolUseID string      `json:"toolUseId"`
	Content   []novaBlock `json:"content"`
}

type novaMessage struct {
	Role    chat.Role   `json:"role"`
	Content []novaBlock `json:"content"`
}

type novaTool struct {
	ToolSpec struct {
		Name        string `json:"name"`
		Description string `json:"description,omitempty"`
		InputSchema struct {
			JSON json.RawMessage `json:"json"`
		} `json:"inputSchema"`
	} `json:"toolSpec"`
}

type novaToolConfig struct {
	Tools      []novaTool                 `json:"tools"`
	ToolChoice map[string]json.RawMessage `json:"toolChoice,omitempty"`
}

type novaRequest struct {
	SchemaVersion   string          `json:"schemaVersion"`
	System          []novaBlock     `json:"system,omitempty"`
	Messages        []novaMessage   `json:"messages"`
	ToolConfig      *novaToolConfig `json:"toolConfig,omitempty"`
	InferenceConfig struct {
		MaxTokens     int      `json:"maxTokens"`
		Temperature   *float64 `json:"temperature,omitempty"`
		TopP          *float64 `json:"topP,omitempty"`
		StopSequences []string `json:"stopSequences,omitempty"`
	} `json:"inferenceConfig"`
}

// novaBody leaves parallel_tool_calls aside (Nova has no such setting).
// Nova's toolChoice has no "none": the tools are then left out, which
// only works while the conversation holds no tool calls yet.
func novaBody(req *chat.Request, p prompt, maxTokens int) (any, error) {
	b := novaRequest{SchemaVersion: "messages-v1", Messages: make([]novaMessage, 0, len(p.turns))}
	if p.system != "" {
		b.System = []novaBlock{novaText(p.system)}
		if p.systemCache {
			b.System = append(b.System, novaCache)
		}
	}
	history := false
	for _, t := range p.turns {
		var blocks []novaBlock
		switch t.Role {
		case chat.RoleTool:
			history = true
			blocks = []novaBlock{{ToolResult: &novaToolResult{ToolUseID: t.ToolCallID, Content: []novaBlock{novaText(t.Content)}}}}
		case chat.RoleUser:
			for _, part := range partsOf(t) {
				switch {
				case part.Image != nil:
					img := &novaImage{Format: part.Image.Format()}
					img.Source.Bytes = part.Image.Data
					blocks = append(blocks, novaBlock{Image: img})
				case part.Text != "":
					blocks = append(blocks, novaText(part.Text))
				}
			}
		default:
			if t.Content != "" {
				blocks = append(blocks, novaText(t.Content))
			}
			for _, c := range t.ToolCalls {
				history = true
				blocks = append(blocks, novaBlock{ToolUse: &novaToolUse{ToolUseID: c.ID, Name: c.Name, Input: json.RawMessage(c.Arguments)}})
			}
		}
		if t.Cache && len(blocks) > 0 {
			blocks = append(blocks, novaCache)
		}
		// Tool results and what the user says next form one user turn.
		if n := len(b.Messages); n > 0 && t.Role != chat.RoleAssistant && b.Messages[n-1].Role == chat.RoleUser {
			b.Messages[n-1].Content = append(b.Messages[n-1].Content, blocks...)
			continue
		}
		role := t.Role
		if role == chat.RoleTool {
			role = chat.RoleUser
		}
		b.Messages = append(b.Messages, novaMessage{Role: role, Content: blocks})
	}
	if len(req.Tools) > 0 {
		if req.ToolChoice.Mode == chat.ToolNone {
			if history {
				return nil, &chat.PublicError{Kind: chat.ErrInvalidRequest, Param: "tool_choice", Code: "unsupported_parameter",
					Message: "tool_choice \"none\" is not supported by Nova once the conversation holds tool calls"}
			}
		} else {
			b.ToolConfig = novaTools(req)
		}
	}
	b.InferenceConfig.MaxTokens = maxTokens
	b.InferenceConfig.Temperature = req.Temperature
	b.InferenceConfig.TopP = req.TopP
	b.InferenceConfig.StopSequences = req.Stop
	return b, nil
}

func novaTools(req *chat.Request) *novaToolConfig {
	c := &novaToolConfig{}
	for _, t := range req.Tools {
		var nt novaTool
		nt.ToolSpec.Name, nt.ToolSpec.Description = t.Name, t.Description
		nt.ToolSpec.InputSchema.JSON = t.Parameters
		c.Tools = append(c.Tools, nt)
	}
	switch req.ToolChoice.Mode {
	case chat.ToolRequired:
		c.ToolChoice = map[string]json.RawMessage{"any": json.RawMessage(`{}`)}
	case chat.ToolFunction:
		name, _ := json.Marshal(map[string]string{"name": req.ToolChoice.Name})
		c.ToolChoice = map[string]json.RawMessage{"tool": name}
	}
	return c
}

type novaChunk struct {
	ContentBlockStart struct {
		Start struct {
			ToolUse *struct {
				ToolUseID string `json:"toolUseId"`
				Name      string `json:"name"`
			} `json:"toolUse"`
		} `json:"start"`
		ContentBlockIndex int `json:"contentBlockIndex"`
	} `json:"contentBlockStart"`
	ContentBlockDelta struct {
		Delta struct {
			Text    string `json:"text"`
			ToolUse *struct {
				Input string `json:"input"`
			} `json:"toolUse"`
			ReasoningContent *struct {
				Text string `json:"text"`
			} `json:"reasoningContent"`
		} `json:"delta"`
		ContentBlockIndex int `json:"contentBlockIndex"`
	} `json:"contentBlockDelta"`
	MessageStop struct {
		StopReason string `json:"stopReason"`
	} `json:"messageStop"`
	Metadata struct {
		// InvokeModel spells the cache counts cacheReadInputTokenCount
		// and cacheWriteInputTokenCount (the Nova user guide's InvokeModel
		// response schema); Converse spells them without "Count". Both are
		// read, since a metadata chunk carries one spelling or none.
		Usage struct {
			Input          int `json:"inputTokens"`
			Output         int `json:"outputTokens"`
			CacheRead      int `json:"cacheReadInputTokenCount"`
			CacheWrite     int `json:"cacheWriteInputTokenCount"`
			CacheReadConv  int `json:"cacheReadInputTokens"`
			CacheWriteConv int `json:"cacheWriteInputTokens"`
		} `json:"usage"`
	} `json:"metadata"`
	Metrics *invocationMetrics `json:"amazon-bedrock-invocationMetrics"`
}

func decodeNova(payload []byte, st *streamState, out emitter) error {
	var c novaChunk
	if err := json.Unmarshal(payload, &c); err != nil {
		return badChunk(err)
	}
	st.addMetrics(c.Metrics)
	st.stop(c.MessageStop.StopReason)
	u := c.Metadata.Usage
	read, write := max(u.CacheRead, u.CacheReadConv), max(u.CacheWrite, u.CacheWriteConv)
	if u.Input+read+write > 0 {
		st.usage.PromptTokens = u.Input
		st.usage.CacheReadTokens, st.usage.CacheWriteTokens = read, write
	}
	if u.Output > 0 {
		st.usage.CompletionTokens = u.Output
	}
	if t := c.ContentBlockStart.Start.ToolUse; t != nil {
		i, _ := st.toolCall(c.ContentBlockStart.ContentBlockIndex)
		return out(chat.Delta{ToolCall: &chat.ToolCallDelta{Index: i, ID: t.ToolUseID, Name: t.Name}})
	}
	d := &c.ContentBlockDelta.Delta
	if t := d.ToolUse; t != nil {
		if i, ok := st.tools[c.ContentBlockDelta.ContentBlockIndex]; ok && t.Input != "" {
			return out(chat.Delta{ToolCall: &chat.ToolCallDelta{Index: i, Arguments: t.Input}})
		}
		return nil
	}
	if r := d.ReasoningContent; r != nil && r.Text != "" {
		return out(chat.Delta{Reasoning: r.Text})
	}
	return st.text(d.Text, out)
}
