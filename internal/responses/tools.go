package responses

import (
	"encoding/json"
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// responseToolIn is a Responses function tool: the function's fields sit
// beside its type, where Chat Completions nests them under "function".
type responseToolIn struct {
	Type        string          `json:"type"`
	Name        string          `json:"name"`
	Description string          `json:"description"`
	Parameters  json.RawMessage `json:"parameters"`
	Strict      *bool           `json:"strict"`
}

// builtinTools are OpenAI's hosted tools: they run on OpenAI's servers, so
// no gateway in front of another model can offer them.
var builtinTools = map[string]bool{
	"web_search": true, "web_search_preview": true, "web_search_preview_2025_03_11": true, "web_search_2025_08_26": true,
	"file_search": true, "code_interpreter": true, "computer_use_preview": true, "computer": true,
	"image_generation": true, "mcp": true, "local_shell": true, "shell": true, "apply_patch": true,
}

// responseTools decodes function tools, tool_choice, parallel_tool_calls
// and reasoning into r, under the rules both wire formats share (see
// gateway.Tools). Built-in tools are refused by their type.
func responseTools(in *responsesRequest, lim gateway.Limits, r *chat.Request, echo *responseEcho) error {
	var list []responseToolIn
	if gateway.IsSet(in.Tools) {
		if err := json.Unmarshal(in.Tools, &list); err != nil {
			return gateway.Invalid("tools", "invalid_type", "tools must be an array of tool objects")
		}
	}
	if len(list) > 0 {
		defs := make([]gateway.ToolDef, len(list))
		for i, t := range list {
			p := "tools[" + strconv.Itoa(i) + "]"
			switch {
			case builtinTools[t.Type]:
				return gateway.Invalid(p+".type", "unsupported_parameter", "tools: built-in tool "+gateway.Quote(t.Type)+" is not offered by this gateway")
			case t.Type != "function":
				return gateway.Invalid(p+".type", "unsupported_parameter", "tools: tool type "+gateway.Quote(t.Type)+" is not supported; only \"function\"")
			}
			defs[i] = gateway.ToolDef{Name: t.Name, Description: t.Description, Parameters: t.Parameters, Param: p}
		}
		var err error
		if r.Tools, err = gateway.Tools(defs, lim); err != nil {
			return err
		}
		if gateway.IsSet(in.ToolChoice) {
			if r.ToolChoice, err = toolChoice(in.ToolChoice, r.Tools); err != nil {
				return err
			}
		}
		r.ParallelToolCalls = in.ParallelToolCalls
		echo.tools = in.Tools
	} else if gateway.IsSet(in.ToolChoice) && string(in.ToolChoice) != `"auto"` && string(in.ToolChoice) != `"none"` {
		return gateway.Invalid("tool_choice", "invalid_value", "tool_choice other than \"auto\" or \"none\" needs tools")
	}
	if gateway.IsSet(in.ToolChoice) {
		echo.toolChoice = in.ToolChoice
	}
	if gateway.IsSet(in.MaxToolCalls) {
		return gateway.Invalid("max_tool_calls", "unsupported_parameter", "max_tool_calls is not supported by this gateway")
	}
	if rs := in.Reasoning; rs != nil {
		if rs.Effort != nil {
			e, ok := gateway.ReasoningEffort(*rs.Effort)
			if !ok {
				return gateway.Invalid("reasoning.effort", "invalid_value", "reasoning.effort"+gateway.EffortRule)
			}
			r.Reasoning = e
		}
		if s := rs.Summary; s != nil && *s != "auto" && *s != "concise" && *s != "detailed" {
			return gateway.Invalid("reasoning.summary", "invalid_value", "reasoning.summary must be auto, concise or detailed")
		}
		echo.effort, echo.summary = rs.Effort, rs.Summary
	}
	return nil
}

// toolChoiceRule is the refusal of a tool_choice of another shape.
const toolChoiceRule = "tool_choice must be \"auto\", \"none\", \"required\" or {\"type\":\"function\",\"name\":...}"

// toolChoice decodes a tool_choice: a mode, or {"type":"function","name"}
// naming one of the tools.
func toolChoice(raw json.RawMessage, list []chat.Tool) (chat.ToolChoice, error) {
	var mode string
	if json.Unmarshal(raw, &mode) == nil {
		switch chat.ToolMode(mode) {
		case chat.ToolAuto, chat.ToolNone, chat.ToolRequired:
			return chat.ToolChoice{Mode: chat.ToolMode(mode)}, nil
		}
		return chat.ToolChoice{}, gateway.Invalid("tool_choice", "invalid_value", toolChoiceRule)
	}
	var named struct {
		Type string `json:"type"`
		Name string `json:"name"`
	}
	if json.Unmarshal(raw, &named) != nil || named.Type != "function" {
		return chat.ToolChoice{}, gateway.Invalid("tool_choice", "unsupported_parameter", toolChoiceRule)
	}
	for _, t := range list {
		if t.Name == named.Name {
			return chat.ToolChoice{Mode: chat.ToolFunction, Name: t.Name}, nil
		}
	}
	return chat.ToolChoice{}, gateway.Invalid("tool_choice.name", "invalid_value", "tool_choice names "+gateway.Quote(named.Name)+", which is not among the tools")
}
