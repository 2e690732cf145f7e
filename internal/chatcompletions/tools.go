package chatcompletions

import (
	"encoding/json"
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

type toolIn struct {
	Type string `json:"type"`
	// CacheControl marks a prompt cache point after this tool.
	CacheControl json.RawMessage `json:"cache_control"`
	Function     *struct {
		Name        string          `json:"name"`
		Description string          `json:"description"`
		Parameters  json.RawMessage `json:"parameters"`
		Strict      *bool           `json:"strict"`
	} `json:"function"`
}

// tools decodes the tools the model may call, tool_choice and
// parallel_tool_calls. Schemas are passed on as sent, bounded in size.
func tools(in *completionRequest, lim gateway.Limits, r *chat.Request) error {
	if gateway.IsSet(in.Tools) {
		var list []toolIn
		if err := json.Unmarshal(in.Tools, &list); err != nil {
			return gateway.Invalid("tools", "invalid_type", "tools must be an array of tools")
		}
		if len(list) == 0 {
			return gateway.Invalid("tools", "invalid_value", "tools must not be an empty array; leave it out instead")
		}
		defs := make([]gateway.ToolDef, len(list))
		for i, t := range list {
			p := "tools[" + strconv.Itoa(i) + "]"
			if t.Type != "function" {
				return gateway.Invalid(p+".type", "unsupported_parameter", "only tools of type \"function\" are supported")
			}
			if t.Function == nil {
				return gateway.Invalid(p+".function", "invalid_value", "a function tool needs a function object")
			}
			f := t.Function
			defs[i] = gateway.ToolDef{Name: f.Name, Description: f.Description, Parameters: f.Parameters, Param: p + ".function"}
		}
		var err error
		if r.Tools, err = gateway.Tools(defs, lim); err != nil {
			return err
		}
		for i, t := range list {
			if r.Tools[i].Cache, err = cacheControl(t.CacheControl, "tools["+strconv.Itoa(i)+"].cache_control"); err != nil {
				return err
			}
		}
	}
	if gateway.IsSet(in.ToolChoice) {
		if len(r.Tools) == 0 {
			return gateway.Invalid("tool_choice", "invalid_value", "tool_choice is only allowed when tools are specified")
		}
		c, err := toolChoice(in.ToolChoice, r.Tools)
		if err != nil {
			return err
		}
		r.ToolChoice = c
	}
	if in.ParallelToolCalls != nil {
		if len(r.Tools) == 0 {
			return gateway.Invalid("parallel_tool_calls", "invalid_value", "parallel_tool_calls is only allowed when tools are specified")
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
		return chat.ToolChoice{}, gateway.Invalid("tool_choice", "invalid_value", "tool_choice must be \"auto\", \"none\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":...}}")
	}
	var named struct {
		Type     string `json:"type"`
		Function struct {
			Name string `json:"name"`
		} `json:"function"`
	}
	if json.Unmarshal(raw, &named) != nil || named.Type != "function" {
		return chat.ToolChoice{}, gateway.Invalid("tool_choice", "invalid_value", "tool_choice must be \"auto\", \"none\", \"required\" or {\"type\":\"function\",\"function\":{\"name\":...}}")
	}
	for _, t := range list {
		if t.Name == named.Function.Name {
			return chat.ToolChoice{Mode: chat.ToolFunction, Name: t.Name}, nil
		}
	}
	return chat.ToolChoice{}, gateway.Invalid("tool_choice.function.name", "invalid_value", "tool_choice names "+gateway.Quote(named.Function.Name)+", which is not among the tools")
}

// reasoningEffort decodes reasoning_effort.
func reasoningEffort(v *string) (chat.ReasoningEffort, error) {
	if v == nil {
		return "", nil
	}
	e, ok := gateway.ReasoningEffort(*v)
	if !ok {
		return "", gateway.Invalid("reasoning_effort", "invalid_value", "reasoning_effort"+gateway.EffortRule)
	}
	return e, nil
}
