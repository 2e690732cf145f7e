package gateway

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
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
func conversation(in []messageIn, lim limits) ([]chat.Message, error) {
	if len(in) == 0 {
		return nil, invalid("messages", "invalid_value", "messages must be a non-empty array")
	}
	if len(in) > lim.maxMessages {
		return nil, invalid("messages", "too_many_messages", "at most "+strconv.Itoa(lim.maxMessages)+" messages are allowed")
	}
	out := make([]chat.Message, len(in))
	d := contentDecoder{lim: lim}
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
			return nil, invalid(param+".role", "unsupported_parameter", "function messages are not supported; use tool messages with tool_call_id")
		default:
			return nil, invalid(param+".role", "invalid_value", "role must be one of system, developer, user, assistant, tool")
		}
		if err != nil {
			return nil, err
		}
		if m.Role != "assistant" && m.Role != "tool" {
			if isSet(m.ToolCalls) {
				return nil, invalid(param+".tool_calls", "invalid_value", "only assistant messages may carry tool_calls")
			}
			if isSet(m.ToolCallID) {
				return nil, invalid(param+".tool_call_id", "invalid_value", "only tool messages may carry tool_call_id")
			}
		}
		if m.Role != "assistant" && isSet(m.ThinkingBlocks) {
			return nil, invalid(param+".thinking_blocks", "invalid_value", "only assistant messages may carry thinking_blocks")
		}
	}
	if len(open) > 0 {
		return nil, unanswered("messages", open)
	}
	if users == 0 {
		return nil, invalid("messages", "invalid_value", "messages must contain at least one user message")
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
	return invalid(param, "invalid_value", "an assistant message with tool_calls must be followed by a tool message for each call; no result for "+quote(strings.Join(ids, ", ")))
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
	if isSet(m.FunctionCall) {
		return invalid(param+".function_call", "unsupported_parameter", "function_call is not supported; use tool_calls")
	}
	if isSet(m.ToolCalls) {
		var calls []toolCallIn
		if err := json.Unmarshal(m.ToolCalls, &calls); err != nil {
			return invalid(param+".tool_calls", "invalid_type", param+".tool_calls must be an array of tool calls")
		}
		if len(calls) > maxToolCalls {
			return invalid(param+".tool_calls", "invalid_value", "at most "+strconv.Itoa(maxToolCalls)+" tool calls are allowed in one message")
		}
		seen := make(map[string]bool, len(calls))
		for j, c := range calls {
			p := param + ".tool_calls[" + strconv.Itoa(j) + "]"
			switch {
			case c.Type != "function":
				return invalid(p+".type", "unsupported_parameter", "only tool calls of type \"function\" are supported")
			case c.ID == "" || len(c.ID) > maxToolCallID:
				return invalid(p+".id", "invalid_value", "a tool call needs an id of at most "+strconv.Itoa(maxToolCallID)+" characters")
			case seen[c.ID]:
				return invalid(p+".id", "invalid_value", "tool call id "+quote(c.ID)+" appears twice")
			case !validToolName(c.Function.Name):
				return invalid(p+".function.name", "invalid_value", toolNameRule)
			}
			seen[c.ID] = true
			args := c.Function.Arguments
			if args == "" {
				args = "{}"
			}
			if !jsonObject([]byte(args)) {
				return invalid(p+".function.arguments", "invalid_value", "tool call arguments must be a JSON object")
			}
			msg.ToolCalls = append(msg.ToolCalls, chat.ToolCall{ID: c.ID, Name: c.Function.Name, Arguments: args})
		}
	}
	var err error
	if msg.Thinking, err = thinkingBlocks(m.ThinkingBlocks, param+".thinking_blocks"); err != nil {
		return err
	}
	if !isSet(m.Content) && len(msg.ToolCalls) > 0 {
		return nil // content is optional beside tool calls
	}
	msg.Content, err = d.text(m.Content, param+".content")
	return err
}

// toolResult decodes a tool message, which must answer one of the calls
// of the assistant message right before it (or before its fellow results).
func toolResult(m *messageIn, msg *chat.Message, param string, d *contentDecoder, open map[string]bool) error {
	var id string
	if !isSet(m.ToolCallID) || json.Unmarshal(m.ToolCallID, &id) != nil || id == "" {
		return invalid(param+".tool_call_id", "invalid_value", "a tool message needs the tool_call_id of the call it answers")
	}
	if !open[id] {
		return invalid(param+".tool_call_id", "invalid_value",
			"tool message answers "+quote(id)+", which is not a call of the assistant message before it (or was answered already)")
	}
	delete(open, id)
	msg.ToolCallID = id
	var err error
	msg.Content, err = d.text(m.Content, param+".content")
	return err
}

type thinkingBlockIn struct {
	Type      string `json:"type"`
	Thinking  string `json:"thinking"`
	Signature string `json:"signature"`
	Data      string `json:"data"`
}

// maxThinkingBlocks bounds the thinking blocks of one message.
const maxThinkingBlocks = 16

// thinkingBlocks decodes the signed reasoning blocks a client returns with
// an assistant message, in the shape the gateway sent them:
// {"type":"thinking","thinking","signature"} or
// {"type":"redacted_thinking","data"}.
func thinkingBlocks(raw json.RawMessage, param string) ([]chat.ThinkingBlock, error) {
	if !isSet(raw) {
		return nil, nil
	}
	var in []thinkingBlockIn
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, invalid(param, "invalid_type", param+" must be an array of thinking blocks")
	}
	if len(in) > maxThinkingBlocks {
		return nil, invalid(param, "invalid_value", "at most "+strconv.Itoa(maxThinkingBlocks)+" thinking blocks are allowed in one message")
	}
	out := make([]chat.ThinkingBlock, 0, len(in))
	for j, b := range in {
		p := param + "[" + strconv.Itoa(j) + "]"
		switch {
		case b.Type == "thinking" && b.Signature != "":
			out = append(out, chat.ThinkingBlock{Text: b.Thinking, Signature: b.Signature})
		case b.Type == "redacted_thinking" && b.Data != "":
			out = append(out, chat.ThinkingBlock{Redacted: b.Data})
		default:
			return nil, invalid(p, "invalid_value", "a thinking block is {\"type\":\"thinking\",\"thinking\",\"signature\"} or {\"type\":\"redacted_thinking\",\"data\"}, returned as the gateway sent it")
		}
	}
	return out, nil
}

// jsonObject reports whether b is one JSON object.
func jsonObject(b []byte) bool {
	var v map[string]json.RawMessage
	return json.Unmarshal(b, &v) == nil && v != nil
}
