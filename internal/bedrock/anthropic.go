package bedrock

import (
	"encoding/json"

	"github.com/aws/smithy-go"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Anthropic Claude: the Messages API with Bedrock's anthropic_version.
// Tools, images and extended thinking are content blocks of its messages.

var anthropic = familySpec{
	caps:   chat.Capabilities{Tools: true, Images: true, Reasoning: true},
	body:   anthropicBody,
	decode: decodeAnthropic,
}

type anthropicRequest struct {
	AnthropicVersion string               `json:"anthropic_version"`
	MaxTokens        int                  `json:"max_tokens"`
	System           any                  `json:"system,omitempty"` // text, or blocks with a cache point
	Messages         []anthropicMessage   `json:"messages"`
	Temperature      *float64             `json:"temperature,omitempty"`
	TopP             *float64             `json:"top_p,omitempty"`
	StopSequences    []string             `json:"stop_sequences,omitempty"`
	Tools            []anthropicTool      `json:"tools,omitempty"`
	ToolChoice       *anthropicToolChoice `json:"tool_choice,omitempty"`
	Thinking         *anthropicThinking   `json:"thinking,omitempty"`
}

// anthropicMessage's content is a string for text alone, as before tools
// existed, and an array of blocks otherwise.
type anthropicMessage struct {
	Role    chat.Role `json:"role"`
	Content any       `json:"content"`
}

// anthropicBlock is any content block; the type says which fields it has.
type anthropicBlock struct {
	Type string `json:"type"`
	Text string `json:"text,omitempty"`
	// image
	Source *anthropicImage `json:"source,omitempty"`
	// tool_use
	ID    string          `json:"id,omitempty"`
	Name  string          `json:"name,omitempty"`
	Input json.RawMessage `json:"input,omitempty"`
	// tool_result
	ToolUseID string `json:"tool_use_id,omitempty"`
	Content   string `json:"content,omitempty"`
	// thinking, redacted_thinking
	Thinking  string `json:"thinking,omitempty"`
	Signature string `json:"signature,omitempty"`
	Data      string `json:"data,omitempty"`
	// CacheControl marks a prompt cache point after this block.
	CacheControl *anthropicCache `json:"cache_control,omitempty"`
}

// anthropicCache is Claude's cache_control; ephemeral is the only type.
type anthropicCache struct {
	Type string `json:"type"`
}

var ephemeral = &anthropicCache{Type: "ephemeral"}

type anthropicImage struct {
	Type      string `json:"type"` // base64
	MediaType string `json:"media_type"`
	Data      []byte `json:"data"` // encoded as base64 by encoding/json
}

type anthropicTool struct {
	Name         string          `json:"name"`
	Description  string          `json:"description,omitempty"`
	InputSchema  json.RawMessage `json:"input_schema"`
	CacheControl *anthropicCache `json:"cache_control,omitempty"`
}

type anthropicToolChoice struct {
	Type                   string `json:"type"` // auto, any, tool, none
	Name                   string `json:"name,omitempty"`
	DisableParallelToolUse bool   `json:"disable_parallel_tool_use,omitempty"`
}

type anthropicThinking struct {
	Type         string `json:"type"` // enabled
	BudgetTokens int    `json:"budget_tokens"`
}

// thinkingBudgets map a reasoning effort to Claude's thinking budget; 1024
// is the smallest Claude takes.
var thinkingBudgets = map[chat.ReasoningEffort]int{
	chat.EffortMinimal: 1024,
	chat.EffortLow:     2048,
	chat.EffortMedium:  4096,
	chat.EffortHigh:    8192,
}

// claudeSampling is the temperature and top_p a Claude request sends, on
// either API: only the temperature when both are given. Claude 4.5 and
// later reject the pair (on ConverseStream too: "temperature and top_p
// cannot both be specified for this model", a ValidationException,
// aws-samples/bedrock-access-gateway#191), and older models are not hurt
// by the simpler rule.
func claudeSampling(req *chat.Request) (temperature, topP *float64) {
	if req.Temperature != nil {
		return req.Temperature, nil
	}
	return nil, req.TopP
}

// claudeThinking is the extended thinking budget of a Claude request, on
// either API, 0 for thinking off. With a reasoning effort thinking is on,
// except in a tool loop that the client continues without the thinking
// block of its assistant turn: Claude refuses such a turn with thinking
// on, and accepts it without. Thinking with a tool call forced is refused.
func claudeThinking(req *chat.Request, p prompt) (int, error) {
	budget := thinkingBudgets[req.Reasoning]
	if budget == 0 {
		return 0, nil
	}
	if t := p.lastToolTurn(); t != nil && len(t.Thinking) == 0 {
		return 0, nil
	}
	if m := req.ToolChoice.Mode; m == chat.ToolRequired || m == chat.ToolFunction {
		return 0, &chat.PublicError{Kind: chat.ErrInvalidRequest, Param: "reasoning_effort", Code: "unsupported_parameter",
			Message: "reasoning_effort cannot be combined with a tool_choice that forces a tool call on Claude"}
	}
	return budget, nil
}

// anthropicBody is Claude's InvokeModel request (claudeSampling,
// claudeThinking). With thinking on, its budget is added to max_tokens
// (thinking counts against it, and must stay below it), and temperature
// and top_p are left out, as thinking requires.
func anthropicBody(req *chat.Request, p prompt, maxTokens int) (any, error) {
	b := anthropicRequest{
		AnthropicVersion: "bedrock-2023-05-31",
		MaxTokens:        maxTokens,
		StopSequences:    req.Stop,
	}
	b.Temperature, b.TopP = claudeSampling(req)
	budget, err := claudeThinking(req, p)
	if err != nil {
		return nil, err
	}
	if budget > 0 {
		b.Thinking = &anthropicThinking{Type: "enabled", BudgetTokens: budget}
		b.MaxTokens += budget
		b.Temperature, b.TopP = nil, nil
	}
	switch {
	case p.system == "":
	case p.systemCache:
		b.System = []anthropicBlock{{Type: "text", Text: p.system, CacheControl: ephemeral}}
	default:
		b.System = p.system
	}
	b.Messages = anthropicMessages(p.turns, b.Thinking != nil)
	for _, t := range req.Tools {
		at := anthropicTool{Name: t.Name, Description: t.Description, InputSchema: t.Parameters}
		if t.Cache {
			at.CacheControl = ephemeral
		}
		b.Tools = append(b.Tools, at)
	}
	if len(b.Tools) > 0 {
		b.ToolChoice = anthropicChoice(req)
	}
	return b, nil
}

func anthropicChoice(req *chat.Request) *anthropicToolChoice {
	c := &anthropicToolChoice{Type: "auto"}
	switch req.ToolChoice.Mode {
	case chat.ToolNone:
		return &anthropicToolChoice{Type: "none"}
	case chat.ToolRequired:
		c.Type = "any"
	case chat.ToolFunction:
		c.Type, c.Name = "tool", req.ToolChoice.Name
	}
	if req.ParallelToolCalls != nil && !*req.ParallelToolCalls {
		c.DisableParallelToolUse = true
	}
	if *c == (anthropicToolChoice{Type: "auto"}) {
		return nil // the default
	}
	return c
}

// anthropicMessages shapes the turns into Claude's messages, each turn
// that asks for a cache point with cache_control on the last block of the
// message it ended in.
func anthropicMessages(turns []chat.Message, thinking bool) []anthropicMessage {
	out := make([]anthropicMessage, 0, len(turns))
	var cached []int // the messages that turns asking for a cache point ended in
	for _, t := range turns {
		out = appendAnthropicTurn(out, t, thinking)
		if t.Cache {
			cached = append(cached, len(out)-1)
		}
	}
	for _, n := range cached {
		blocks := blocksOf(out[n].Content)
		if len(blocks) == 0 {
			continue
		}
		blocks[len(blocks)-1].CacheControl = ephemeral
		out[n].Content = blocks
	}
	return out
}

// appendAnthropicTurn adds a turn to Claude's messages: tool results
// become tool_result blocks of a user message, before what the user says
// next; thinking blocks lead their assistant message when thinking is on.
func appendAnthropicTurn(out []anthropicMessage, t chat.Message, thinking bool) []anthropicMessage {
	switch {
	case t.Role == chat.RoleTool:
		block := anthropicBlock{Type: "tool_result", ToolUseID: t.ToolCallID, Content: t.Content}
		if n := len(out); n > 0 && out[n-1].Role == chat.RoleUser {
			out[n-1].Content = append(blocksOf(out[n-1].Content), block)
			return out
		}
		out = append(out, anthropicMessage{Role: chat.RoleUser, Content: []anthropicBlock{block}})
	case t.Role == chat.RoleUser:
		blocks := anthropicUserBlocks(t)
		if n := len(out); n > 0 && out[n-1].Role == chat.RoleUser {
			// Results came first: the user's words join their message.
			out[n-1].Content = append(blocksOf(out[n-1].Content), blocks...)
			return out
		}
		if t.Parts == nil {
			out = append(out, anthropicMessage{Role: t.Role, Content: t.Content})
			return out
		}
		out = append(out, anthropicMessage{Role: t.Role, Content: blocks})
	case len(t.ToolCalls) == 0 && (!thinking || len(t.Thinking) == 0):
		out = append(out, anthropicMessage{Role: t.Role, Content: t.Content})
	default:
		var blocks []anthropicBlock
		if thinking {
			for _, th := range t.Thinking {
				if th.Redacted != "" {
					blocks = append(blocks, anthropicBlock{Type: "redacted_thinking", Data: th.Redacted})
				} else {
					blocks = append(blocks, anthropicBlock{Type: "thinking", Thinking: th.Text, Signature: th.Signature})
				}
			}
		}
		if t.Content != "" {
			blocks = append(blocks, anthropicBlock{Type: "text", Text: t.Content})
		}
		for _, c := range t.ToolCalls {
			blocks = append(blocks, anthropicBlock{Type: "tool_use", ID: c.ID, Name: c.Name, Input: json.RawMessage(c.Arguments)})
		}
		out = append(out, anthropicMessage{Role: t.Role, Content: blocks})
	}
	return out
}

// blocksOf returns a message's content as blocks.
func blocksOf(content any) []anthropicBlock {
	if s, ok := content.(string); ok {
		return []anthropicBlock{{Type: "text", Text: s}}
	}
	b, _ := content.([]anthropicBlock)
	return b
}

func anthropicUserBlocks(t chat.Message) []anthropicBlock {
	var blocks []anthropicBlock
	for _, p := range partsOf(t) {
		switch {
		case p.Image != nil:
			blocks = append(blocks, anthropicBlock{Type: "image",
				Source: &anthropicImage{Type: "base64", MediaType: p.Image.MediaType, Data: p.Image.Data}})
		case p.Text != "":
			blocks = append(blocks, anthropicBlock{Type: "text", Text: p.Text})
		}
	}
	return blocks
}

type anthropicUsage struct {
	Input      int `json:"input_tokens"`
	Output     int `json:"output_tokens"`
	CacheRead  int `json:"cache_read_input_tokens"`
	CacheWrite int `json:"cache_creation_input_tokens"`
}

type anthropicChunk struct {
	Type    string `json:"type"`
	Index   int    `json:"index"`
	Message struct {
		Usage anthropicUsage `json:"usage"`
	} `json:"message"`
	ContentBlock struct {
		Type string `json:"type"`
		ID   string `json:"id"`
		Name string `json:"name"`
		Data string `json:"data"`
	} `json:"content_block"`
	Delta struct {
		Type        string `json:"type"`
		Text        string `json:"text"`
		PartialJSON string `json:"partial_json"`
		Thinking    string `json:"thinking"`
		Signature   string `json:"signature"`
		StopReason  string `json:"stop_reason"`
	} `json:"delta"`
	Usage anthropicUsage `json:"usage"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
	Metrics *invocationMetrics `json:"amazon-bedrock-invocationMetrics"`
}

// anthropicErrors maps the error types of Anthropic "error" events to the
// Bedrock exception with the same meaning, so one policy table covers both.
var anthropicErrors = map[string]string{
	"overloaded_error":      "ServiceUnavailableException",
	"api_error":             "InternalServerException",
	"rate_limit_error":      "ThrottlingException",
	"invalid_request_error": "ValidationException",
	"permission_error":      "AccessDeniedException",
	"not_found_error":       "ResourceNotFoundException",
}

func decodeAnthropic(payload []byte, st *streamState, out emitter) error {
	var c anthropicChunk
	if err := json.Unmarshal(payload, &c); err != nil {
		return badChunk(err)
	}
	st.addMetrics(c.Metrics)
	switch c.Type {
	case "message_start":
		u := c.Message.Usage
		// input_tokens leaves out the prompt read from and written to the
		// cache; chat.Usage counts those apart too.
		st.usage.PromptTokens = u.Input
		st.usage.CompletionTokens = u.Output
		st.usage.CacheReadTokens, st.usage.CacheWriteTokens = u.CacheRead, u.CacheWrite
	case "content_block_start":
		switch b := &c.ContentBlock; b.Type {
		case "tool_use":
			i, _ := st.toolCall(c.Index)
			return out(chat.Delta{ToolCall: &chat.ToolCallDelta{Index: i, ID: b.ID, Name: b.Name}})
		case "redacted_thinking":
			return out(chat.Delta{Thinking: &chat.ThinkingBlock{Redacted: b.Data}})
		}
	case "content_block_delta":
		switch d := &c.Delta; d.Type {
		case "text_delta":
			return st.text(d.Text, out)
		case "input_json_delta":
			if i, ok := st.tools[c.Index]; ok && d.PartialJSON != "" {
				return out(chat.Delta{ToolCall: &chat.ToolCallDelta{Index: i, Arguments: d.PartialJSON}})
			}
		case "thinking_delta":
			if d.Thinking != "" {
				return out(chat.Delta{Reasoning: d.Thinking})
			}
		case "signature_delta":
			return out(chat.Delta{Thinking: &chat.ThinkingBlock{Signature: d.Signature}})
		}
	case "message_delta":
		st.stop(c.Delta.StopReason)
		if c.Usage.Output > 0 { // cumulative
			st.usage.CompletionTokens = c.Usage.Output
		}
		if c.Usage.Input+c.Usage.CacheRead+c.Usage.CacheWrite > 0 {
			st.usage.PromptTokens = c.Usage.Input
			st.usage.CacheReadTokens, st.usage.CacheWriteTokens = c.Usage.CacheRead, c.Usage.CacheWrite
		}
	case "error":
		code, ok := anthropicErrors[c.Error.Type]
		if !ok {
			code = "ModelStreamErrorException"
		}
		return &modelError{code: code, typ: c.Error.Type, msg: c.Error.Message}
	}
	return nil
}

// modelError is an error a model reported inside its own stream (Claude's
// "error" event), named by the Bedrock exception of the same meaning so
// that one policy table covers both. Its text is the model's, free text
// that goes to the log line only: the client learns the error's type,
// never its words (docs/security.md lets only a Bedrock
// ValidationException's message through).
type modelError struct{ code, typ, msg string }

func (e *modelError) Error() string {
	return "the model's stream reported " + e.typ + " (" + e.code + "): " + e.msg
}
func (e *modelError) ErrorCode() string             { return e.code }
func (e *modelError) ErrorMessage() string          { return e.msg }
func (e *modelError) ErrorFault() smithy.ErrorFault { return smithy.FaultServer }
