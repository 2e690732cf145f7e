package gateway

import (
	"encoding/json"
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// MaxToolCallID bounds the ids of tool calls a client sends back.
const MaxToolCallID = 256

// ToolNameRule is the refusal of a function name that breaks ValidToolName.
const ToolNameRule = "a function name is 1 to 64 letters, digits, underscores or dashes"

// ValidToolName is OpenAI's rule for function names, which every model
// family accepts.
func ValidToolName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, r := range s {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// emptySchema is the parameters of a function that takes none.
var emptySchema = []byte(`{"type":"object","properties":{}}`)

// ToolDef is a function tool as a request defines it.
type ToolDef struct {
	Name        string
	Description string
	Parameters  json.RawMessage
	// Param names the object that holds the function's fields in the
	// format's terms ("tools[2].function", "tools[2]").
	Param string
}

// Tools checks function tools against lim: their number, their names
// (valid, once each) and the size of their descriptions and schemas.
// Schemas are passed on as sent; a function without one takes none.
func Tools(defs []ToolDef, lim Limits) ([]chat.Tool, error) {
	if len(defs) > lim.MaxTools {
		return nil, Invalid("tools", "invalid_value", "at most "+strconv.Itoa(lim.MaxTools)+" tools are allowed")
	}
	out := make([]chat.Tool, 0, len(defs))
	seen := make(map[string]bool, len(defs))
	for _, f := range defs {
		p := f.Param
		switch {
		case !ValidToolName(f.Name):
			return nil, Invalid(p+".name", "invalid_value", ToolNameRule)
		case seen[f.Name]:
			return nil, Invalid(p+".name", "invalid_value", "function "+Quote(f.Name)+" is defined twice")
		case len(f.Description) > lim.MaxToolSchemaBytes:
			return nil, Invalid(p+".description", "invalid_value", "a function description may be at most "+strconv.Itoa(lim.MaxToolSchemaBytes)+" bytes")
		case len(f.Parameters) > lim.MaxToolSchemaBytes:
			return nil, Invalid(p+".parameters", "invalid_value", "a function's parameters schema may be at most "+strconv.Itoa(lim.MaxToolSchemaBytes)+" bytes")
		}
		seen[f.Name] = true
		params := []byte(f.Parameters)
		if !IsSet(f.Parameters) {
			params = emptySchema
		} else if !JSONObject(params) {
			return nil, Invalid(p+".parameters", "invalid_value", "a function's parameters must be a JSON Schema object")
		}
		out = append(out, chat.Tool{Name: f.Name, Description: f.Description, Parameters: params})
	}
	return out, nil
}

// ToolCall checks a tool call an earlier answer made, as the client sends
// it back: an id (once in its message, seen counts them), a valid name and
// arguments that are a JSON object ("" means none). param names the call;
// id, name and args name its fields in the format's terms.
func ToolCall(c chat.ToolCall, seen map[string]bool, id, name, args string) (chat.ToolCall, error) {
	switch {
	case c.ID == "" || len(c.ID) > MaxToolCallID:
		return c, Invalid(id, "invalid_value", "a tool call needs an id of at most "+strconv.Itoa(MaxToolCallID)+" characters")
	case seen[c.ID]:
		return c, Invalid(id, "invalid_value", "tool call id "+Quote(c.ID)+" appears twice")
	case !ValidToolName(c.Name):
		return c, Invalid(name, "invalid_value", ToolNameRule)
	}
	seen[c.ID] = true
	if c.Arguments == "" {
		c.Arguments = "{}"
	}
	if !JSONObject([]byte(c.Arguments)) {
		return c, Invalid(args, "invalid_value", "tool call arguments must be a JSON object")
	}
	return c, nil
}
