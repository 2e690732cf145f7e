package gateway

import (
	"encoding/json"
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// inputItem is one item of input: a message (type "message" or none), or
// another item type, refused by name.
type inputItem struct {
	Type    string          `json:"type"`
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

type inputPart struct {
	Type    string `json:"type"`
	Text    string `json:"text"`
	Refusal string `json:"refusal"`
}

// inputMessages turns instructions and input into the conversation: the
// instructions as a system message first, then each message item.
func inputMessages(raw json.RawMessage, instructions *string, max int) ([]chat.Message, error) {
	if !isSet(raw) {
		return nil, invalid("input", "invalid_value", "input is required")
	}
	var out []chat.Message
	if instructions != nil && *instructions != "" {
		out = append(out, chat.Message{Role: chat.RoleSystem, Content: *instructions})
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, invalid("input", "invalid_type", "input must be a string or an array of input items")
		}
		return append(out, chat.Message{Role: chat.RoleUser, Content: s}), nil
	}
	var items []inputItem
	if err := json.Unmarshal(raw, &items); err != nil {
		return nil, invalid("input", "invalid_type", "input must be a string or an array of input items")
	}
	if len(items) == 0 {
		return nil, invalid("input", "invalid_value", "input must not be an empty array")
	}
	if len(items) > max {
		return nil, invalid("input", "too_many_messages", "at most "+strconv.Itoa(max)+" input items are allowed")
	}
	users := 0
	for i, it := range items {
		param := "input[" + strconv.Itoa(i) + "]"
		m, err := inputMessage(it, param)
		if err != nil {
			return nil, err
		}
		if m.Role == chat.RoleUser {
			users++
		}
		out = append(out, m)
	}
	if users == 0 {
		return nil, invalid("input", "invalid_value", "input must contain at least one user message")
	}
	return out, nil
}

func inputMessage(it inputItem, param string) (chat.Message, error) {
	switch it.Type {
	case "", "message":
	case "item_reference":
		return chat.Message{}, invalid(param+".type", "unsupported_parameter", "item_reference is not supported: this gateway stores no responses; send the item itself")
	default:
		return chat.Message{}, invalid(param+".type", "unsupported_parameter", "input item type "+quote(it.Type)+" is not supported by this gateway")
	}
	var role chat.Role
	switch it.Role {
	case "system", "developer":
		role = chat.RoleSystem
	case "user":
		role = chat.RoleUser
	case "assistant":
		role = chat.RoleAssistant
	default:
		return chat.Message{}, invalid(param+".role", "invalid_value", "role must be one of system, developer, user, assistant")
	}
	text, err := itemContent(it.Content, role, param+".content")
	if err != nil {
		return chat.Message{}, err
	}
	return chat.Message{Role: role, Content: text}, nil
}

// itemContent accepts a string or an array of text parts (input_text; for
// the assistant also output_text and refusal), joined with newlines.
func itemContent(raw json.RawMessage, role chat.Role, param string) (string, error) {
	if !isSet(raw) {
		return "", invalid(param, "invalid_value", param+" is required")
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return "", invalid(param, "invalid_type", param+" must be a string or an array of content parts")
		}
		return s, nil
	}
	var parts []inputPart
	if err := json.Unmarshal(raw, &parts); err != nil {
		return "", invalid(param, "invalid_type", param+" must be a string or an array of content parts")
	}
	if len(parts) == 0 {
		return "", invalid(param, "invalid_value", param+" must not be an empty array")
	}
	var b []byte
	for j, part := range parts {
		text := part.Text
		switch {
		case part.Type == "input_text":
		case role == chat.RoleAssistant && part.Type == "output_text":
		case role == chat.RoleAssistant && part.Type == "refusal":
			text = part.Refusal
		default:
			p := param + "[" + strconv.Itoa(j) + "].type"
			return "", invalid(p, "unsupported_parameter", "content part type "+quote(part.Type)+" is not supported here; only text")
		}
		if j > 0 {
			b = append(b, '\n')
		}
		b = append(b, text...)
	}
	return string(b), nil
}
