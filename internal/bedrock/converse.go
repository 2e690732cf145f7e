package bedrock

import (
	"encoding/base64"
	"encoding/json"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/document"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// The ConverseStream path: one message format for every model, built from
// the SDK's own types (github.com/aws/aws-sdk-go-v2/service/bedrockruntime/
// types), so that its wire shape is AWS's model rather than a belief of
// this package. What the model itself needs beyond that format (Claude's
// thinking budget, gpt-oss's reasoning effort) travels in
// additionalModelRequestFields, as the ConverseStream reference says.

// converseInput builds the ConverseStream request of m for req.
func (m *Model) converseInput(req *chat.Request, p prompt) (*bedrockruntime.ConverseStreamInput, error) {
	maxTokens := req.MaxTokens
	if maxTokens <= 0 {
		maxTokens = defaultMaxTokens
	}
	inf := &types.InferenceConfiguration{StopSequences: req.Stop}
	temperature, topP := req.Temperature, req.TopP
	if m.family == FamilyAnthropic {
		temperature, topP = claudeSampling(req)
	}
	if t := temperature; t != nil {
		inf.Temperature = aws.Float32(float32(min(*t, maxTemperature)))
	}
	if t := topP; t != nil {
		inf.TopP = aws.Float32(float32(*t))
	}
	in := &bedrockruntime.ConverseStreamInput{ModelId: aws.String(m.id), InferenceConfig: inf}
	if p.system != "" {
		in.System = []types.SystemContentBlock{&types.SystemContentBlockMemberText{Value: p.system}}
		if p.systemCache {
			in.System = append(in.System, &types.SystemContentBlockMemberCachePoint{Value: cachePoint})
		}
	}
	thinking := false
	extra := map[string]any{}
	if req.Reasoning != "" {
		switch m.family {
		case FamilyAnthropic:
			budget, err := claudeThinking(req, p)
			if err != nil {
				return nil, err
			}
			if budget > 0 {
				extra["thinking"] = map[string]any{"type": "enabled", "budget_tokens": budget}
				maxTokens += budget
				inf.Temperature, inf.TopP = nil, nil
				thinking = true
			}
		case FamilyGPTOSS:
			extra["reasoning_effort"] = gptOSSEffort(req.Reasoning)
		}
	}
	if len(extra) > 0 {
		in.AdditionalModelRequestFields = document.NewLazyDocument(extra)
	}
	inf.MaxTokens = aws.Int32(int32(min(maxTokens, 1<<30)))
	msgs, history, err := converseMessages(p.turns, thinking)
	if err != nil {
		return nil, err
	}
	in.Messages = msgs
	if len(req.Tools) > 0 {
		if req.ToolChoice.Mode == chat.ToolNone {
			// Converse has no "none": the tools are left out, which it
			// refuses once the conversation holds tool blocks.
			if history {
				return nil, &chat.PublicError{Kind: chat.ErrInvalidRequest, Param: "tool_choice", Code: "unsupported_parameter",
					Message: "tool_choice \"none\" is not supported through Converse once the conversation holds tool calls"}
			}
		} else {
			tc, err := converseTools(req)
			if err != nil {
				return nil, err
			}
			in.ToolConfig = tc
		}
	}
	m.withConverseGuardrail(in)
	return in, nil
}

// cachePoint is a prompt cache point of the default (five-minute) kind.
var cachePoint = types.CachePointBlock{Type: types.CachePointTypeDefault}

// converseMessages shapes the turns into Converse messages: tool results
// are toolResult blocks of a user message, before what the user says next;
// thinking blocks lead their assistant message when thinking is on.
// history reports whether any tool blocks were sent.
func converseMessages(turns []chat.Message, thinking bool) (out []types.Message, history bool, err error) {
	out = make([]types.Message, 0, len(turns))
	for _, t := range turns {
		var blocks []types.ContentBlock
		switch t.Role {
		case chat.RoleTool:
			history = true
			blocks = []types.ContentBlock{&types.ContentBlockMemberToolResult{Value: types.ToolResultBlock{
				ToolUseId: aws.String(t.ToolCallID),
				Content:   []types.ToolResultContentBlock{&types.ToolResultContentBlockMemberText{Value: t.Content}},
			}}}
		case chat.RoleUser:
			for _, part := range partsOf(t) {
				switch {
				case part.Image != nil:
					blocks = append(blocks, &types.ContentBlockMemberImage{Value: types.ImageBlock{
						Format: types.ImageFormat(part.Image.Format()),
						Source: &types.ImageSourceMemberBytes{Value: part.Image.Data},
					}})
				case part.Text != "":
					blocks = append(blocks, &types.ContentBlockMemberText{Value: part.Text})
				}
			}
		default:
			if thinking {
				for _, th := range t.Thinking {
					b, err := reasoningBlock(th)
					if err != nil {
						return nil, false, err
					}
					blocks = append(blocks, b)
				}
			}
			if t.Content != "" {
				blocks = append(blocks, &types.ContentBlockMemberText{Value: t.Content})
			}
			for _, c := range t.ToolCalls {
				history = true
				input, err := jsonDocument(c.Arguments)
				if err != nil {
					return nil, false, &chat.PublicError{Kind: chat.ErrInvalidRequest, Param: "messages", Code: "invalid_value",
						Message: "the arguments of tool call " + c.ID + " are not a JSON object"}
				}
				blocks = append(blocks, &types.ContentBlockMemberToolUse{Value: types.ToolUseBlock{
					ToolUseId: aws.String(c.ID), Name: aws.String(c.Name), Input: input,
				}})
			}
		}
		if t.Cache && len(blocks) > 0 {
			blocks = append(blocks, &types.ContentBlockMemberCachePoint{Value: cachePoint})
		}
		if n := len(out); n > 0 && t.Role != chat.RoleAssistant && out[n-1].Role == types.ConversationRoleUser {
			out[n-1].Content = append(out[n-1].Content, blocks...)
			continue
		}
		role := types.ConversationRoleUser
		if t.Role == chat.RoleAssistant {
			role = types.ConversationRoleAssistant
		}
		out = append(out, types.Message{Role: role, Content: blocks})
	}
	return out, history, nil
}

// reasoningBlock is a thinking block sent back, signature intact. A
// redacted block's data is carried to clients as base64 (its bytes are
// opaque), and decoded here.
func reasoningBlock(th chat.ThinkingBlock) (types.ContentBlock, error) {
	if th.Redacted != "" {
		data, err := base64.StdEncoding.DecodeString(th.Redacted)
		if err != nil {
			return nil, &chat.PublicError{Kind: chat.ErrInvalidRequest, Param: "messages", Code: "invalid_value",
				Message: "a redacted thinking block's data is not the base64 the model sent"}
		}
		return &types.ContentBlockMemberReasoningContent{Value: &types.ReasoningContentBlockMemberRedactedContent{Value: data}}, nil
	}
	rt := types.ReasoningTextBlock{Text: aws.String(th.Text)}
	if th.Signature != "" {
		rt.Signature = aws.String(th.Signature)
	}
	return &types.ContentBlockMemberReasoningContent{Value: &types.ReasoningContentBlockMemberReasoningText{Value: rt}}, nil
}

func converseTools(req *chat.Request) (*types.ToolConfiguration, error) {
	c := &types.ToolConfiguration{}
	for _, t := range req.Tools {
		schema, err := jsonDocument(string(t.Parameters))
		if err != nil {
			return nil, &chat.PublicError{Kind: chat.ErrInvalidRequest, Param: "tools", Code: "invalid_value",
				Message: "the parameters of tool " + t.Name + " are not a JSON object"}
		}
		spec := types.ToolSpecification{Name: aws.String(t.Name), InputSchema: &types.ToolInputSchemaMemberJson{Value: schema}}
		if t.Description != "" {
			spec.Description = aws.String(t.Description)
		}
		c.Tools = append(c.Tools, &types.ToolMemberToolSpec{Value: spec})
		if t.Cache {
			c.Tools = append(c.Tools, &types.ToolMemberCachePoint{Value: cachePoint})
		}
	}
	switch req.ToolChoice.Mode {
	case chat.ToolRequired:
		c.ToolChoice = &types.ToolChoiceMemberAny{}
	case chat.ToolFunction:
		c.ToolChoice = &types.ToolChoiceMemberTool{Value: types.SpecificToolChoice{Name: aws.String(req.ToolChoice.Name)}}
	}
	return c, nil
}

// jsonDocument turns JSON text into a document for the SDK; an empty text
// is an empty object (a tool call without arguments, a schema left out).
func jsonDocument(text string) (document.Interface, error) {
	var v any = map[string]any{}
	if text != "" {
		if err := json.Unmarshal([]byte(text), &v); err != nil {
			return nil, fmt.Errorf("decode JSON: %w", err)
		}
	}
	if _, ok := v.(map[string]any); !ok {
		return nil, fmt.Errorf("decode JSON: not an object")
	}
	return document.NewLazyDocument(v), nil
}

// withConverseGuardrail names the configured guardrail, if any, in the
// request's guardrailConfig.
func (m *Model) withConverseGuardrail(in *bedrockruntime.ConverseStreamInput) {
	if m.cfg.GuardrailID == "" {
		return
	}
	g := &types.GuardrailStreamConfiguration{
		GuardrailIdentifier:  aws.String(m.cfg.GuardrailID),
		GuardrailVersion:     aws.String(m.cfg.GuardrailVersion),
		StreamProcessingMode: types.GuardrailStreamProcessingModeSync,
		Trace:                types.GuardrailTraceDisabled,
	}
	if m.cfg.GuardrailStreamAsync {
		g.StreamProcessingMode = types.GuardrailStreamProcessingModeAsync
	}
	if m.cfg.GuardrailTrace {
		g.Trace = types.GuardrailTraceEnabled
	}
	in.GuardrailConfig = g
}
