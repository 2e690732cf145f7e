package fakebedrock

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
)

// Each family's request body, read into a convo. A body that does not
// parse is left to the key and turn checks, which word the complaint.

func parseAnthropic(body []byte) (*convo, invalid) {
	var req struct {
		MaxTokens int `json:"max_tokens"`
		Tools     []struct {
			Name        string          `json:"name"`
			InputSchema json.RawMessage `json:"input_schema"`
		} `json:"tools"`
		ToolChoice *struct {
			Type string `json:"type"`
			Name string `json:"name"`
		} `json:"tool_choice"`
		Thinking *struct {
			Type         string `json:"type"`
			BudgetTokens int    `json:"budget_tokens"`
		} `json:"thinking"`
		Temperature *float64 `json:"temperature"`
		Messages    []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		} `json:"messages"`
	}
	if json.Unmarshal(body, &req) != nil {
		return nil, ""
	}
	c := &convo{needTools: true, vision: true}
	for _, t := range req.Tools {
		c.tools = append(c.tools, toolDef{name: t.Name, schema: t.InputSchema})
	}
	if tc := req.ToolChoice; tc != nil {
		c.choice = tc.Type
		if tc.Type == "tool" {
			c.choice = tc.Name
		}
	}
	if th := req.Thinking; th != nil && th.Type == "enabled" {
		c.thinking = true
		switch {
		case th.BudgetTokens < 1024:
			return nil, "thinking.budget_tokens: Input should be greater than or equal to 1024"
		case th.BudgetTokens >= req.MaxTokens:
			return nil, "`max_tokens` must be greater than `thinking.budget_tokens`"
		case req.Temperature != nil && *req.Temperature != 1:
			return nil, "`temperature` may only be set to 1 when thinking is enabled"
		case c.choice != "" && c.choice != "auto" && c.choice != "none":
			return nil, "Thinking may not be enabled when tool_choice forces tool use."
		}
	}
	lastAssistant := -1
	for i, m := range req.Messages {
		if m.Role == "assistant" {
			lastAssistant = i
		}
	}
	for i, m := range req.Messages {
		var blocks []struct {
			Type   string `json:"type"`
			Text   string `json:"text"`
			Source *struct {
				Type      string `json:"type"`
				MediaType string `json:"media_type"`
				Data      string `json:"data"`
			} `json:"source"`
			ID        string          `json:"id"`
			Name      string          `json:"name"`
			Input     json.RawMessage `json:"input"`
			ToolUseID string          `json:"tool_use_id"`
			Content   json.RawMessage `json:"content"`
			Thinking  string          `json:"thinking"`
			Signature string          `json:"signature"`
			Data      string          `json:"data"`
		}
		msg := cmsg{role: m.Role}
		var s string
		if json.Unmarshal(m.Content, &s) == nil {
			msg.text = s
			c.msgs = append(c.msgs, msg)
			continue
		}
		if json.Unmarshal(m.Content, &blocks) != nil {
			return nil, ""
		}
		other := false // a block other than a tool result came
		for j, b := range blocks {
			at := fmt.Sprintf("messages.%d.content.%d", i, j)
			if b.Type == "tool_result" && other {
				return nil, invalid(at + ": tool_result blocks must come first in the user message")
			}
			other = other || b.Type != "tool_result"
			switch b.Type {
			case "text":
				msg.text += b.Text
			case "image":
				if b.Source == nil || b.Source.Type != "base64" {
					return nil, invalid(at + ".source: only base64 image sources are supported")
				}
				data, err := base64.StdEncoding.DecodeString(b.Source.Data)
				if err != nil {
					return nil, invalid(at + ".source.data: invalid base64")
				}
				msg.images = append(msg.images, fakeImage{format: strings.TrimPrefix(b.Source.MediaType, "image/"), data: data})
			case "tool_use":
				if !jsonObject(b.Input) {
					return nil, invalid(at + ".input: Input should be a valid dictionary")
				}
				msg.calls = append(msg.calls, fakeCall{id: b.ID, name: b.Name, args: string(b.Input)})
			case "tool_result":
				var content string
				if json.Unmarshal(b.Content, &content) != nil && len(b.Content) > 0 {
					content = string(b.Content)
				}
				msg.results = append(msg.results, fakeResult{id: b.ToolUseID, content: content})
			case "thinking":
				msg.thinking = append(msg.thinking, thinkBlock{text: b.Thinking, signature: b.Signature})
			case "redacted_thinking":
				msg.thinking = append(msg.thinking, thinkBlock{redacted: b.Data})
			default:
				return nil, invalid(at + ".type: unknown content block type " + b.Type)
			}
		}
		if c.thinking && m.Role == "assistant" && i == lastAssistant && len(msg.calls) > 0 &&
			(len(blocks) == 0 || blocks[0].Type != "thinking" && blocks[0].Type != "redacted_thinking") {
			return nil, invalid(fmt.Sprintf("messages.%d.content.0.type: Expected `thinking` or `redacted_thinking`, but found `%s`. When `thinking` is enabled, a final `assistant` message must start with a thinking block.", i, blocks[0].Type))
		}
		c.msgs = append(c.msgs, msg)
	}
	return c, ""
}

func parseNova(body []byte) (*convo, invalid) {
	type block struct {
		Text  *string `json:"text"`
		Image *struct {
			Format string `json:"format"`
			Source struct {
				Bytes string `json:"bytes"`
			} `json:"source"`
		} `json:"image"`
		ToolUse *struct {
			ToolUseID string          `json:"toolUseId"`
			Name      string          `json:"name"`
			Input     json.RawMessage `json:"input"`
		} `json:"toolUse"`
		ToolResult *struct {
			ToolUseID string `json:"toolUseId"`
			Content   []struct {
				Text string          `json:"text"`
				JSON json.RawMessage `json:"json"`
			} `json:"content"`
		} `json:"toolResult"`
		CachePoint *struct {
			Type string `json:"type"`
		} `json:"cachePoint"`
	}
	var req struct {
		ToolConfig *struct {
			Tools []struct {
				ToolSpec struct {
					Name        string `json:"name"`
					InputSchema struct {
						JSON json.RawMessage `json:"json"`
					} `json:"inputSchema"`
				} `json:"toolSpec"`
			} `json:"tools"`
			ToolChoice map[string]struct {
				Name string `json:"name"`
			} `json:"toolChoice"`
		} `json:"toolConfig"`
		Messages []struct {
			Role    string  `json:"role"`
			Content []block `json:"content"`
		} `json:"messages"`
	}
	if json.Unmarshal(body, &req) != nil {
		return nil, ""
	}
	c := &convo{needTools: true, vision: true}
	if tc := req.ToolConfig; tc != nil {
		for _, t := range tc.Tools {
			c.tools = append(c.tools, toolDef{name: t.ToolSpec.Name, schema: t.ToolSpec.InputSchema.JSON})
		}
		for k, v := range tc.ToolChoice {
			c.choice = map[string]string{"auto": "auto", "any": "any", "tool": v.Name}[k]
		}
	}
	for i, m := range req.Messages {
		msg := cmsg{role: m.Role}
		for j, b := range m.Content {
			at := fmt.Sprintf("messages.%d.content.%d", i, j)
			switch {
			case b.Text != nil:
				msg.text += *b.Text
			case b.Image != nil:
				data, err := base64.StdEncoding.DecodeString(b.Image.Source.Bytes)
				if err != nil {
					return nil, invalid(at + ".image.source.bytes: invalid base64")
				}
				msg.images = append(msg.images, fakeImage{format: b.Image.Format, data: data})
			case b.ToolUse != nil:
				msg.calls = append(msg.calls, fakeCall{id: b.ToolUse.ToolUseID, name: b.ToolUse.Name, args: string(b.ToolUse.Input)})
			case b.ToolResult != nil:
				var parts []string
				for _, p := range b.ToolResult.Content {
					parts = append(parts, p.Text+string(p.JSON))
				}
				msg.results = append(msg.results, fakeResult{id: b.ToolResult.ToolUseID, content: strings.Join(parts, "")})
			case b.CachePoint != nil:
				if b.CachePoint.Type != "default" {
					return nil, invalid(at + ".cachePoint.type: must be default")
				}
			default:
				return nil, invalid(at + ": a content block needs one of text, image, toolUse, toolResult, cachePoint")
			}
		}
		c.msgs = append(c.msgs, msg)
	}
	return c, ""
}

// parseChat reads the chat-completions shape (Mistral Large 2, gpt-oss,
// DeepSeek V3, Qwen3): tool messages become results of a user turn.
func parseChat(body []byte) (*convo, invalid) {
	var req struct {
		Tools []struct {
			Function struct {
				Name       string          `json:"name"`
				Parameters json.RawMessage `json:"parameters"`
			} `json:"function"`
		} `json:"tools"`
		ToolChoice      json.RawMessage `json:"tool_choice"`
		ReasoningEffort string          `json:"reasoning_effort"`
		Messages        []struct {
			Role       string          `json:"role"`
			Content    json.RawMessage `json:"content"`
			ToolCallID string          `json:"tool_call_id"`
			ToolCalls  []struct {
				ID       string `json:"id"`
				Function struct {
					Name      string `json:"name"`
					Arguments string `json:"arguments"`
				} `json:"function"`
			} `json:"tool_calls"`
		} `json:"messages"`
	}
	if json.Unmarshal(body, &req) != nil {
		return nil, ""
	}
	c := &convo{thinking: req.ReasoningEffort != ""}
	for _, t := range req.Tools {
		c.tools = append(c.tools, toolDef{name: t.Function.Name, schema: t.Function.Parameters})
	}
	var choice string
	if json.Unmarshal(req.ToolChoice, &choice) == nil {
		c.choice = map[string]string{"auto": "auto", "none": "none", "required": "any", "any": "any"}[choice]
	} else if len(req.ToolChoice) > 0 {
		var named struct {
			Function struct {
				Name string `json:"name"`
			} `json:"function"`
		}
		_ = json.Unmarshal(req.ToolChoice, &named)
		c.choice = named.Function.Name
	}
	for i, m := range req.Messages {
		var text string
		if len(m.Content) > 0 && string(m.Content) != "null" && json.Unmarshal(m.Content, &text) != nil {
			return nil, invalid(fmt.Sprintf("messages.%d.content: this model takes text content only", i))
		}
		switch m.Role {
		case "system":
		case "tool":
			r := fakeResult{id: m.ToolCallID, content: text}
			if n := len(c.msgs); n > 0 && c.msgs[n-1].role == "user" && len(c.msgs[n-1].results) > 0 {
				c.msgs[n-1].results = append(c.msgs[n-1].results, r)
			} else {
				c.msgs = append(c.msgs, cmsg{role: "user", results: []fakeResult{r}})
			}
		default:
			msg := cmsg{role: m.Role, text: text}
			for _, tc := range m.ToolCalls {
				msg.calls = append(msg.calls, fakeCall{id: tc.ID, name: tc.Function.Name, args: tc.Function.Arguments})
			}
			if n := len(c.msgs); m.Role == "user" && n > 0 && len(c.msgs[n-1].results) > 0 {
				c.msgs[n-1].text = text // a user's words after the results
				continue
			}
			c.msgs = append(c.msgs, msg)
		}
	}
	return c, ""
}

// parsePrompt reads a prompt-template family: one user turn, the text of
// the prompt, with the images of the body.
func parsePrompt(body []byte, vision bool, thinking bool) (*convo, invalid) {
	var req struct {
		Prompt string   `json:"prompt"`
		Images []string `json:"images"`
	}
	if json.Unmarshal(body, &req) != nil {
		return nil, ""
	}
	msg := cmsg{role: "user", text: req.Prompt}
	for _, s := range req.Images {
		data, err := base64.StdEncoding.DecodeString(s)
		if err != nil {
			return nil, "images: invalid base64"
		}
		msg.images = append(msg.images, fakeImage{format: strings.TrimPrefix(http.DetectContentType(data), "image/"), data: data})
	}
	if n := strings.Count(req.Prompt, "<|image|>"); vision && n != len(req.Images) {
		return nil, invalid(fmt.Sprintf("The prompt has %d image tokens and the request %d images.", n, len(req.Images)))
	}
	return &convo{vision: vision, thinking: thinking, msgs: []cmsg{msg}}, ""
}

func jsonObject(b []byte) bool {
	var v map[string]json.RawMessage
	return json.Unmarshal(b, &v) == nil && v != nil
}
