package gateway

import (
	"encoding/json"
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

type toolIn struct {
	Type     string `json:"type"`
	Function *struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
		Strict      *bool           `json:"strict"`
	} `json:"function"`
}

// maxToolCallID bounds the ids of tool calls a client sends back.
const maxToolCallID = 256

const toolNameRule = "a function name is 1 to 64 letters, digits, underscores or dashes"

// validToolName is OpenAI's rule for function names, which every model
// family accepts.
func validToolName(s string) bool {
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

// tools decodes the tools the model may call, tool_choice and
// parallel_tool_calls. Schemas are passed on as sent, bounded in size.
func tools(in *completionRequest, lim limits, r *chat.Request) error {
	if isSet(in.Tools) {
		var list []toolIn
		if err := json.Unmarshal(in.Tools, &list); err != nil {
			return invalid("tools", "invalid_type", "tools must be an array of tools")
		}
		if len(list) == 0 {
			return invalid("tools", "invalid_value", "tools must not be an empty array; leave it out instead")
		}
		if len(list) > lim.maxTools {
			return invalid("tools", "invalid_value", "at most "+strconv.Itoa(lim.maxTools)+" tools are allowed")
		}
		seen := make(map[string]bool, len(list))
		for i, t := range list {
			p := "tools[" + strconv.Itoa(i) + "]"
			if t.Type != "function" {
				return invalid(p+".type", "unsupported_parameter", "only tools of type \"function\" are supported")
			}
			if t.Function == nil {
				return invalid(p+".function", "invalid_value", "a function tool needs a function object")
			}
			f := t.Function
			switch {
			case !validToolName(f.Name):
				return invalid(p+".function.name", "invalid_value", toolNameRule)
			case seen[f.Name]:
				return invalid(p+".function.name", "invalid_value", "function "+quote(f.Name)+" is defined twice")
			case len(f.Description) > lim.maxToolSchemaBytes:
				return invalid(p+".function.description", "invalid_value", "a function description may be at most "+strconv.Itoa(lim.maxToolSchemaBytes)+" bytes")
			case len(f.Parameters) > lim.maxToolSchemaBytes:
				return invalid(p+".function.parameters", "invalid_value", "a function's parameters schema may be at most "+strconv.Itoa(lim.maxToolSchemaBytes)+" bytes")
			}
			seen[f.Name] = true
			params := []byte(f.Parameters)
			if !isSet(f.Parameters) {
				params = emptySchema
			} else if !jsonObject(params) {
				return invalid(p+".function.parameters", "invalid_value", "a function's parameters must be a JSON Schema object")
			}
			r.Tools = append(r.Tools, chat.Tool{Name: f.Name, Description: f.Description, Parameters: params})
		}
	}
	if isSet(in.ToolChoice) {
		if len(r.Tools) == 0 {
			return invalid("tool_choice", "invalid_value", "tool_choice is only allowed when tools are specified")
		}
		c, err := toolChoice(in.ToolChoice, r.Tools)
		if err != nil {
			return err
		}
		r.ToolChoice = c
	}
	if in.ParallelToolCalls != nil {
		if len(r.Tools) == 0 {
			return invalid("parallel_tool_calls", "invalid_value", "parallel_tool_calls is only allowed when tools are specified")
		}
		r.ParallelToolCalls = in.ParallelToolCalls
	}
	return nil
}

func toolChoice(raw json.RawMessage, list []chat.Tool) (chat.ToolChoice, error) {
	var mode string
	if json.Unmarshal(raw, &mode) == nil {
		switch chat.ToolMode(mode) {
		case chat.ToolAuto, chat.ToolNone, chat.ToolRequired:
			return chat.ToolChoice{Mode: chat.ToolMode(mode)}, nil
		}
		return chat.ToolChoice{}, invalid("tool_choice", "invalid_value", "tool_choice must be \"auto\", \"none\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":...}}")
	}
	var named struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if json.Unmarshal(raw, &named) != nil || named.Type != "function" {
		return chat.ToolChoice{}, invalid("tool_choice", "invalid_value", "tool_choice must be \"auto\", \"none\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":...}}")
	}
	for _, t := range list {
		if t.Name == named.Function.Name {
			return chat.ToolChoice{Mode: chat.ToolFunction, Name: t.Name}, nil
		}
	}
	return chat.ToolChoice{}, invalid("tool_choice.function.name", "invalid_value", "tool_choice names "+quote(named.Function.Name)+", which is not among the tools")
}

// reasoningEffort decodes reasoning_effort; "none" asks for no reasoning,
// as leaving it out does.
func reasoningEffort(v *string) (chat.ReasoningEffort, error) {
	if v == nil {
		return "", nil
	}
	switch e := chat.ReasoningEffort(*v); e {
	case chat.EffortMinimal, chat.EffortLow, chat.EffortMedium, chat.EffortHigh:
		return e, nil
	case "none":
		return "", nil
	}
	return "", invalid("reasoning_effort", "invalid_value", "reasoning_effort must be one of none, minimal, low, medium, high")
}
