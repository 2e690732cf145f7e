package chatcompletions

import (
	"encoding/json"
	"slices"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// completionRequest is OpenAI's Chat Completions request. Every top-level
// field of OpenAI's schema is decoded, so that none is silently ignored by
// accident: each is honoured, ignored on purpose, or refused by name (see
// unsupported; docs/api.md lists them all). Typed fields give a 400 naming
// the field when the type is wrong.
type completionRequest struct {
	// Honoured.
	Model               string          `json:"model"`
	Messages            []messageIn     `json:"messages"`
	Stream              bool            `json:"stream"`
	StreamOptions       *streamOptions  `json:"stream_options"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	Stop                json.RawMessage `json:"stop"`
	Tools               json.RawMessage `json:"tools"`
	ToolChoice          json.RawMessage `json:"tool_choice"`
	ParallelToolCalls   *bool           `json:"parallel_tool_calls"`
	ReasoningEffort     *string         `json:"reasoning_effort"`

	// Ignored: labels and hints that change nothing in the answer.
	User                 string            `json:"user"`
	SafetyIdentifier     string            `json:"safety_identifier"`
	Metadata             map[string]string `json:"metadata"`
	PromptCacheKey       string            `json:"prompt_cache_key"`
	PromptCacheRetention string            `json:"prompt_cache_retention"`
	Seed                 *int64            `json:"seed"`

	// Accepted only with a value that asks for nothing beyond a plain text
	// answer; refused by name otherwise.
	N                *int                       `json:"n"`
	PresencePenalty  *float64                   `json:"presence_penalty"`
	FrequencyPenalty *float64                   `json:"frequency_penalty"`
	Logprobs         *bool                      `json:"logprobs"`
	TopLogprobs      *int                       `json:"top_logprobs"`
	LogitBias        map[string]json.RawMessage `json:"logit_bias"`
	Modalities       []string                   `json:"modalities"`
	ResponseFormat   *struct {
		Type string `json:"type"`
	} `json:"response_format"`
	ServiceTier string `json:"service_tier"`
	Store       *bool  `json:"store"`
	Verbosity   string `json:"verbosity"`

	// Capabilities the gateway does not offer: refused whenever set.
	Functions        json.RawMessage `json:"functions"`
	FunctionCall     json.RawMessage `json:"function_call"`
	Audio            json.RawMessage `json:"audio"`
	Prediction       json.RawMessage `json:"prediction"`
	WebSearchOptions json.RawMessage `json:"web_search_options"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// parsed is a validated request: what the model is asked and how to answer.
type parsed struct {
	req          chat.Request
	stream       bool
	includeUsage bool
}

// decodeRequest decodes and validates a Chat Completions body. Every failure
// is a 400 naming the offending parameter.
func decodeRequest(body []byte, lim gateway.Limits) (*parsed, error) {
	var in completionRequest
	if err := gateway.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	if err := unsupported(&in); err != nil {
		return nil, err
	}
	p := &parsed{stream: in.Stream}
	if in.StreamOptions != nil {
		if !in.Stream {
			return nil, gateway.Invalid("stream_options", "invalid_value", "stream_options is only allowed when stream is true")
		}
		p.includeUsage = in.StreamOptions.IncludeUsage
	}
	r := &p.req
	r.Model, r.User = in.Model, in.User
	var err error
	if r.Messages, err = conversation(in.Messages, lim); err != nil {
		return nil, err
	}
	if err = tools(&in, lim, r); err != nil {
		return nil, err
	}
	if r.Reasoning, err = reasoningEffort(in.ReasoningEffort); err != nil {
		return nil, err
	}
	if r.MaxTokens, err = maxTokens(&in, lim.MaxTokens); err != nil {
		return nil, err
	}
	if in.Temperature != nil && (*in.Temperature < 0 || *in.Temperature > 2) {
		return nil, gateway.Invalid("temperature", "invalid_value", "temperature must be between 0 and 2")
	}
	if in.TopP != nil && (*in.TopP < 0 || *in.TopP > 1) {
		return nil, gateway.Invalid("top_p", "invalid_value", "top_p must be between 0 and 1")
	}
	r.Temperature, r.TopP = in.Temperature, in.TopP
	if r.Stop, err = stopSequences(in.Stop); err != nil {
		return nil, err
	}
	return p, nil
}

// unsupported refuses, by name, a field that asks for something the
// gateway cannot do. A field whose value asks for nothing (null, false, 0,
// an empty list, the default) is accepted, since clients often send
// defaults explicitly.
func unsupported(in *completionRequest) error {
	for _, f := range []struct {
		name string
		asks bool   // the value asks for what the gateway cannot do
		only string // the value accepted, if any
	}{
		{"functions", gateway.IsSet(in.Functions), ""},
		{"function_call", gateway.IsSet(in.FunctionCall), ""},
		{"audio", gateway.IsSet(in.Audio), ""},
		{"prediction", gateway.IsSet(in.Prediction), ""},
		{"web_search_options", gateway.IsSet(in.WebSearchOptions), ""},
		{"n", in.N != nil && *in.N != 1, "1"},
		{"presence_penalty", in.PresencePenalty != nil && *in.PresencePenalty != 0, "0"},
		{"frequency_penalty", in.FrequencyPenalty != nil && *in.FrequencyPenalty != 0, "0"},
		{"logprobs", in.Logprobs != nil && *in.Logprobs, "false"},
		{"top_logprobs", in.TopLogprobs != nil && *in.TopLogprobs != 0, "0"},
		{"logit_bias", len(in.LogitBias) > 0, "{}"},
		{"modalities", slices.ContainsFunc(in.Modalities, func(m string) bool { return m != "text" }), `["text"]`},
		{"response_format", in.ResponseFormat != nil && in.ResponseFormat.Type != "text", `{"type":"text"}`},
		{"service_tier", in.ServiceTier != "" && in.ServiceTier != "auto" && in.ServiceTier != "default", `"auto" or "default"`},
		{"store", in.Store != nil && *in.Store, "false"},
		{"verbosity", in.Verbosity != "" && in.Verbosity != "medium", `"medium"`},
	} {
		if !f.asks {
			continue
		}
		msg := f.name + " is not supported by this gateway"
		if f.only != "" {
			msg = f.name + " is supported only as " + f.only
		}
		return gateway.Invalid(f.name, "unsupported_parameter", msg)
	}
	return nil
}

// maxTokens picks max_completion_tokens over the older max_tokens and caps
// it: a larger request is answered up to the cap, ending with "length".
func maxTokens(in *completionRequest, limit int) (int, error) {
	v, name := in.MaxCompletionTokens, "max_completion_tokens"
	if v == nil {
		v, name = in.MaxTokens, "max_tokens"
	}
	if v == nil {
		return limit, nil
	}
	if *v < 1 {
		return 0, gateway.Invalid(name, "invalid_value", name+" must be at least 1")
	}
	return min(*v, limit), nil
}

const maxStops = 4

func stopSequences(raw json.RawMessage) ([]string, error) {
	if !gateway.IsSet(raw) {
		return nil, nil
	}
	var stops []string
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, gateway.Invalid("stop", "invalid_type", "stop must be a string or an array of strings")
		}
		stops = []string{s}
	} else if err := json.Unmarshal(raw, &stops); err != nil {
		return nil, gateway.Invalid("stop", "invalid_type", "stop must be a string or an array of strings")
	}
	if len(stops) > maxStops {
		return nil, gateway.Invalid("stop", "invalid_value", "at most 4 stop sequences are allowed")
	}
	for _, s := range stops {
		if s == "" {
			return nil, gateway.Invalid("stop", "invalid_value", "stop sequences must not be empty")
		}
	}
	return stops, nil
}
