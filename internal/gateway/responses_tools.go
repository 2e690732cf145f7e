package gateway

import (
	"encoding/json"
	"errors"
	"strconv"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
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
// and reasoning into r, through the Chat Completions rules (tools,
// reasoningEffort) so that both wire formats accept the same things.
// Built-in tools are refused by their type.
func responseTools(in *responsesRequest, lim limits, r *chat.Request, echo *responseEcho) error {
	var list []responseToolIn
	if isSet(in.Tools) {
		if err := json.Unmarshal(in.Tools, &list); err != nil {
			return invalid("tools", "invalid_type", "tools must be an array of tool objects")
		}
	}
	var cr completionRequest
	if len(list) > 0 {
		conv := make([]toolIn, len(list))
		for i, t := range list {
			p := "tools[" + strconv.Itoa(i) + "].type"
			switch {
			case builtinTools[t.Type]:
				return invalid(p, "unsupported_parameter", "tools: built-in tool "+quote(t.Type)+" is not offered by this gateway")
			case t.Type != "function":
				return invalid(p, "unsupported_parameter", "tools: tool type "+quote(t.Type)+" is not supported; only \"function\"")
			}
			conv[i].Type = "function"
			conv[i].Function = &struct {
				Name        string          `json:"name"`
				Description string          `json:"description"`
				Parameters  json.RawMessage `json:"parameters"`
				Strict      *bool           `json:"strict"`
			}{t.Name, t.Description, t.Parameters, t.Strict}
		}
		var err error
		if cr.Tools, err = json.Marshal(conv); err != nil {
			return err
		}
		cr.ParallelToolCalls = in.ParallelToolCalls
		if cr.ToolChoice, err = toolChoiceOf(in.ToolChoice); err != nil {
			return err
		}
		echo.tools = in.Tools
	} else if isSet(in.ToolChoice) && string(in.ToolChoice) != `"auto"` && string(in.ToolChoice) != `"none"` {
		return invalid("tool_choice", "invalid_value", "tool_choice other than \"auto\" or \"none\" needs tools")
	}
	if err := tools(&cr, lim, r); err != nil {
		return renameParam(err, ".function.", ".", ".function", "")
	}
	if isSet(in.ToolChoice) {
		echo.toolChoice = in.ToolChoice
	}
	if isSet(in.MaxToolCalls) {
		return invalid("max_tool_calls", "unsupported_parameter", "max_tool_calls is not supported by this gateway")
	}
	if rs := in.Reasoning; rs != nil {
		var err error
		if r.Reasoning, err = reasoningEffort(rs.Effort); err != nil {
			return renameParam(err, "reasoning_effort", "reasoning.effort")
		}
		if s := rs.Summary; s != nil && *s != "auto" && *s != "concise" && *s != "detailed" {
			return invalid("reasoning.summary", "invalid_value", "reasoning.summary must be auto, concise or detailed")
		}
		echo.effort, echo.summary = rs.Effort, rs.Summary
	}
	return nil
}

// toolChoiceOf turns a Responses tool_choice into the Chat Completions one:
// the modes are the same, a named function is {"type":"function","name"}.
func toolChoiceOf(raw json.RawMessage) (json.RawMessage, error) {
	if !isSet(raw) || raw[0] == '"' {
		return raw, nil
	}
	var named struct {
		Type string `json:"type"`
		Name string `json:"name"`
	}
	if json.Unmarshal(raw, &named) != nil || named.Type != "function" {
		return nil, invalid("tool_choice", "unsupported_parameter", "tool_choice must be \"auto\", \"none\", \"required\" or {\"type\":\"function\",\"name\":...}")
	}
	return json.Marshal(map[string]any{"type": "function", "function": map[string]string{"name": named.Name}})
}

// renameParam rewrites the parameter an error names, and its message,
// from the Chat Completions name to the Responses one (pairs of old, new).
func renameParam(err error, pairs ...string) error {
	var e *apiError
	if !errors.As(err, &e) || e.Param == nil {
		return err
	}
	rp := strings.NewReplacer(pairs...)
	name := rp.Replace(*e.Param)
	renamed := *e
	renamed.Param = &name
	renamed.Message = strings.ReplaceAll(e.Message, *e.Param, name)
	if strings.HasPrefix(*e.Param, "reasoning_effort") {
		renamed.Message = rp.Replace(e.Message)
	}
	return &renamed
}
