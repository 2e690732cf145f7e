package chatcompletions

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

type messageIn struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	Name       string          `json:"name"`
	ToolCalls  json.RawMessage `json:"tool_calls"`
	ToolCallID json.RawMessage `json:"tool_call_id"`
	// FunctionCall is the legacy form of tool_calls, refused by name.
	FunctionCall json.RawMessage `json:"function_call"`
	// ThinkingBlocks are the signed reasoning blocks an earlier answer
	// carried; see thinkingBlocks.
	ThinkingBlocks json.RawMessage `json:"thinking_blocks"`
}

// conversation turns the request's messages into the model's: roles
// mapped, content decoded (text and inline images), tool calls and their
// results paired. Every failure is a 400 naming the offending parameter.
func conversation(in []messageIn, lim gateway.Limits) ([]chat.Message, error) {
	if len(in) == 0 {
		return nil, gateway.Invalid("messages", "invalid_value", "messages must be a non-empty array")
	}
	if len(in) > lim.MaxMessages {
		return nil, gateway.Invalid("messages", "too_many_messages", "at most "+strconv.Itoa(lim.MaxMessages)+" messages are allowed")
	}
	out := make([]chat.Message, len(in))
	d := contentDecoder{images: gateway.NewImages(lim)}
	users := 0
	// open holds the ids of the latest assistant tool calls that have no
	// result yet: a tool message must answer one of them.
	var open map[string]bool
	for i := range in {
		m := &in[i]
		param := "messages[" + strconv.Itoa(i) + "]"
		msg := &out[i]
		if m.Role != "tool" && len(open) > 0 {
			return nil, unanswered(param, open)
		}
		var err error
		switch m.Role {
		case "system", "developer":
			msg.Role = chat.RoleSystem
			msg.Content, err = d.text(m.Content, param+".content")
		case "user":
			msg.Role = chat.RoleUser
			users++
			msg.Content, msg.Parts, err = d.parts(m.Content, param+".content")
		case "assistant":
			msg.Role = chat.RoleAssistant
			err = assistant(m, msg, param, &d)
			open = nil
			if len(msg.ToolCalls) > 0 {
				open = make(map[string]bool, len(msg.ToolCalls))
				for _, c := range msg.ToolCalls {
					open[c.ID] = true
				}
			}
		case "tool":
			msg.Role = chat.RoleTool
			err = toolResult(m, msg, param, &d, open)
		case "function":
			return nil, gateway.Invalid(param+".role", "unsupported_parameter", "function messages are not supported; use tool messages with tool_call_id")
		default:
			return nil, gateway.Invalid(param+".role", "invalid_value", "role must be one of system, developer, user, assistant, tool")
		}
		if err != nil {
			return nil, err
		}
		// The cache point goes after the message's content; the parts'
		// order within it is kept, and a point inside is a point after it.
		msg.Cache = d.cache
		d.cache = false
		if m.Role != "assistant" && m.Role != "tool" {
			if gateway.IsSet(m.ToolCalls) {
				return nil, gateway.Invalid(param+".tool_calls", "invalid_value", "only assistant messages may carry tool_calls")
			}
			if gateway.IsSet(m.ToolCallID) {
				return nil, gateway.Invalid(param+".tool_call_id", "invalid_value", "only tool messages may carry tool_call_id")
			}
		}
		if m.Role != "assistant" && gateway.IsSet(m.ThinkingBlocks) {
			return nil, gateway.Invalid(param+".thinking_blocks", "invalid_value", "only assistant messages may carry thinking_blocks")
		}
	}
	if len(open) > 0 {
		return nil, unanswered("messages", open)
	}
	if users == 0 {
		return nil, gateway.Invalid("messages", "invalid_value", "messages must contain at least one user message")
	}
	return out, nil
}

// unanswered is the error of tool calls whose results do not follow them,
// which OpenAI and every model with tools refuse.
func unanswered(param string, open map[string]bool) error {
	ids := make([]string, 0, len(open))
	for id := range open {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return gateway.Invalid(param, "invalid_value", "an assistant message with tool_calls must be followed by a tool message for each call; no result for "+gateway.Quote(strings.Join(ids, ", ")))
}

type toolCallIn struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"`
	} `json:"function"`
}

// maxToolCalls bounds the tool calls of one assistant message.
const maxToolCalls = 128

// assistant decodes an assistant message: its text (which may be null when
// it made tool calls), its tool calls and its thinking blocks.
func assistant(m *messageIn, msg *chat.Message, param string, d *contentDecoder) error {
	if gateway.IsSet(m.FunctionCall) {
		return gateway.Invalid(param+".function_call", "unsupported_parameter", "function_call is not supported; use tool_calls")
	}
	if gateway.IsSet(m.ToolCalls) {
		var calls []toolCallIn
		if err := json.Unmarshal(m.ToolCalls, &calls); err != nil {
			return gateway.Invalid(param+".tool_calls", "invalid_type", param+".tool_calls must be an array of tool calls")
		}
		if len(calls) > maxToolCalls {
			return gateway.Invalid(param+".tool_calls", "invalid_value", "at most "+strconv.Itoa(maxToolCalls)+" tool calls are allowed in one message")
		}
		seen := make(map[string]bool, len(calls))
		for j, c := range calls {
			p := param + ".tool_calls[" + strconv.Itoa(j) + "]"
			if c.Type != "function" {
				return gateway.Invalid(p+".type", "unsupported_parameter", "only tool calls of type \"function\" are supported")
			}
			call, err := gateway.ToolCall(chat.ToolCall{ID: c.ID, Name: c.Function.Name, Arguments: c.Function.Arguments}, seen,
				p+".id", p+".function.name", p+".function.arguments")
			if err != nil {
				return err
			}
			msg.ToolCalls = append(msg.ToolCalls, call)
		}
	}
	var err error
	if msg.Thinking, err = gateway.DecodeThinking(m.ThinkingBlocks, param+".thinking_blocks"); err != nil {
		return err
	}
	if !gateway.IsSet(m.Content) && len(msg.ToolCalls) > 0 {
		return nil // content is optional beside tool calls
	}
	msg.Content, err = d.text(m.Content, param+".content")
	return err
}

// toolResult decodes a tool message, which must answer one of the calls
// of the assistant message right before it (or before its fellow results).
func toolResult(m *messageIn, msg *chat.Message, param string, d *contentDecoder, open map[string]bool) error {
	var id string
	if !gateway.IsSet(m.ToolCallID) || json.Unmarshal(m.ToolCallID, &id) != nil || id == "" {
		return gateway.Invalid(param+".tool_call_id", "invalid_value", "a tool message needs the tool_call_id of the call it answers")
	}
	if !open[id] {
		return gateway.Invalid(param+".tool_call_id", "invalid_value",
			"tool message answers "+gateway.Quote(id)+", which is not a call of the assistant message before it (or was answered already)")
	}
	delete(open, id)
	msg.ToolCallID = id
	var err error
	msg.Content, err = d.text(m.Content, param+".content")
	return err
}
