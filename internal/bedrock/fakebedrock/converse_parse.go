package fakebedrock

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"strings"
)

// converseRequest is a ConverseStream request body, as the AWS SDK
// serialises bedrockruntime.ConverseStreamInput (restJson1, member names
// from the service model: github.com/aws/aws-sdk-go-v2/service/
// bedrockruntime/schemas).
type converseRequest struct {
	System   []converseBlock `json:"system"`
	Messages []struct {
		Role    string          `json:"role"`
		Content []converseBlock `json:"content"`
	} `json:"messages"`
	InferenceConfig *struct {
		MaxTokens     *int     `json:"maxTokens"`
		Temperature   *float64 `json:"temperature"`
		TopP          *float64 `json:"topP"`
		StopSequences []string `json:"stopSequences"`
	} `json:"inferenceConfig"`
	ToolConfig *struct {
		Tools []struct {
			ToolSpec *struct {
				Name        string `json:"name"`
				InputSchema struct {
					JSON json.RawMessage `json:"json"`
				} `json:"inputSchema"`
			} `json:"toolSpec"`
			CachePoint *struct {
				Type string `json:"type"`
			} `json:"cachePoint"`
		} `json:"tools"`
		ToolChoice map[string]struct {
			Name string `json:"name"`
		} `json:"toolChoice"`
	} `json:"toolConfig"`
	GuardrailConfig *struct {
		GuardrailIdentifier  string `json:"guardrailIdentifier"`
		GuardrailVersion     string `json:"guardrailVersion"`
		Trace                string `json:"trace"`
		StreamProcessingMode string `json:"streamProcessingMode"`
	} `json:"guardrailConfig"`
	AdditionalModelRequestFields map[string]json.RawMessage `json:"additionalModelRequestFields"`
}

// converseBlock is a content block of a message or of the system prompt;
// exactly one member is set.
type converseBlock struct {
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
			Text *string         `json:"text"`
			JSON json.RawMessage `json:"json"`
		} `json:"content"`
	} `json:"toolResult"`
	ReasoningContent *struct {
		ReasoningText *struct {
			Text      string `json:"text"`
			Signature string `json:"signature"`
		} `json:"reasoningText"`
		RedactedContent string `json:"redactedContent"`
	} `json:"reasoningContent"`
	CachePoint *struct {
		Type string `json:"type"`
	} `json:"cachePoint"`
}

// parsed is what the fake reads from a ConverseStream body.
type parsed struct {
	convo      *convo
	maxTokens  int
	cachePoint bool // the body marks a cache point
	// signed: the reasoning is Claude's extended thinking, whose block
	// ends with a signature (gpt-oss's reasoning carries none).
	signed    bool
	prefix    string
	guardrail struct{ id, version, trace, mode string }
}

// parseConverse reads a ConverseStream body. vision and cache say whether
// the model takes images and cache points.
func parseConverse(body []byte, vision, cache bool) (*parsed, invalid) {
	var req converseRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return nil, "Malformed input request: " + invalid(err.Error())
	}
	if len(req.Messages) == 0 {
		return nil, "A conversation must start with a user message. Try again with a conversation that starts with a user message."
	}
	p := &parsed{convo: &convo{needTools: true, vision: vision}}
	if ic := req.InferenceConfig; ic != nil && ic.MaxTokens != nil {
		if *ic.MaxTokens < 1 {
			return nil, "The maximum tokens you requested must be at least 1."
		}
		p.maxTokens = *ic.MaxTokens
	}
	if g := req.GuardrailConfig; g != nil {
		p.guardrail.id, p.guardrail.version, p.guardrail.trace, p.guardrail.mode = g.GuardrailIdentifier, g.GuardrailVersion, g.Trace, g.StreamProcessingMode
	}
	var prefix strings.Builder
	for _, b := range req.System {
		switch {
		case b.Text != nil:
			prefix.WriteString(*b.Text)
		case b.CachePoint != nil:
			p.cachePoint = true
			p.prefix = prefix.String()
		}
	}
	if raw, ok := req.AdditionalModelRequestFields["thinking"]; ok {
		var th struct {
			Type         string `json:"type"`
			BudgetTokens int    `json:"budget_tokens"`
		}
		if json.Unmarshal(raw, &th) != nil || th.Type != "enabled" || th.BudgetTokens < 1024 {
			return nil, "thinking.budget_tokens: Input should be greater than or equal to 1024"
		}
		p.convo.thinking, p.signed = true, true
	}
	if raw, ok := req.AdditionalModelRequestFields["reasoning_effort"]; ok {
		var effort string
		if json.Unmarshal(raw, &effort) != nil || (effort != "low" && effort != "medium" && effort != "high") {
			return nil, "reasoning_effort: must be one of low, medium, high"
		}
		p.convo.thinking = true
	}
	c := p.convo
	if tc := req.ToolConfig; tc != nil {
		for _, t := range tc.Tools {
			switch {
			case t.ToolSpec != nil:
				c.tools = append(c.tools, toolDef{name: t.ToolSpec.Name, schema: t.ToolSpec.InputSchema.JSON})
				prefix.WriteString(t.ToolSpec.Name)
			case t.CachePoint != nil:
				p.cachePoint = true
				p.prefix = prefix.String()
			}
		}
		for k, v := range tc.ToolChoice {
			c.choice = map[string]string{"auto": "auto", "any": "any", "tool": v.Name}[k]
		}
		if c.thinking && (c.choice == "any" || (c.choice != "" && c.choice != "auto")) {
			return nil, "Thinking may not be enabled when tool_choice forces tool use."
		}
	}
	for i, m := range req.Messages {
		msg := cmsg{role: m.Role}
		for j, b := range m.Content {
			at := fmt.Sprintf("messages.%d.content.%d", i, j)
			switch {
			case b.Text != nil:
				msg.text += *b.Text
				prefix.WriteString(*b.Text)
			case b.Image != nil:
				data, err := base64.StdEncoding.DecodeString(b.Image.Source.Bytes)
				if err != nil {
					return nil, invalid(at + ".image.source.bytes: invalid base64")
				}
				msg.images = append(msg.images, fakeImage{format: b.Image.Format, data: data})
			case b.ToolUse != nil:
				if !jsonObject(b.ToolUse.Input) {
					return nil, invalid(at + ".toolUse.input: must be a JSON object")
				}
				msg.calls = append(msg.calls, fakeCall{id: b.ToolUse.ToolUseID, name: b.ToolUse.Name, args: string(b.ToolUse.Input)})
			case b.ToolResult != nil:
				var parts []string
				for _, r := range b.ToolResult.Content {
					if r.Text != nil {
						parts = append(parts, *r.Text)
					}
					parts = append(parts, string(r.JSON))
				}
				msg.results = append(msg.results, fakeResult{id: b.ToolResult.ToolUseID, content: strings.Join(parts, "")})
			case b.ReasoningContent != nil:
				r := b.ReasoningContent
				if r.ReasoningText != nil {
					msg.thinking = append(msg.thinking, thinkBlock{text: r.ReasoningText.Text, signature: r.ReasoningText.Signature})
				} else {
					msg.thinking = append(msg.thinking, thinkBlock{redacted: r.RedactedContent})
				}
			case b.CachePoint != nil:
				p.cachePoint = true
				p.prefix = prefix.String()
			default:
				return nil, invalid(at + ": a content block needs exactly one member")
			}
		}
		c.msgs = append(c.msgs, msg)
	}
	if p.cachePoint && !cache {
		// [U] The words are the fake's; that Bedrock refuses a cache point
		// for a model without prompt caching is what its prompt caching
		// page implies (caching is per model).
		return nil, "You invoked an unsupported model or your request did not allow prompt caching. See the documentation for more information."
	}
	if c.tools == nil && hasToolBlocks(c) {
		return nil, "The toolConfig field must be defined when using toolUse and toolResult content blocks."
	}
	return p, ""
}

func hasToolBlocks(c *convo) bool {
	for _, m := range c.msgs {
		if len(m.calls) > 0 || len(m.results) > 0 {
			return true
		}
	}
	return false
}
