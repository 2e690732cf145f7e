package gateway

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// completionRequest is the subset of OpenAI's Chat Completions request the
// gateway understands. Fields it cannot honour are decoded only to be refused
// by name, never silently ignored.
type completionRequest struct {
	Model               string          `json:"model"`
	Messages            []messageIn     `json:"messages"`
	Stream              bool            `json:"stream"`
	StreamOptions       *streamOptions  `json:"stream_options"`
	MaxTokens           *int            `json:"max_tokens"`
	MaxCompletionTokens *int            `json:"max_completion_tokens"`
	Temperature         *float64        `json:"temperature"`
	TopP                *float64        `json:"top_p"`
	Stop                json.RawMessage `json:"stop"`
	User                string          `json:"user"`
	N                   *int            `json:"n"`
	Seed                *int64          `json:"seed"`
	PresencePenalty     *float64        `json:"presence_penalty"`
	FrequencyPenalty    *float64        `json:"frequency_penalty"`
	Tools               json.RawMessage `json:"tools"`
	ToolChoice          json.RawMessage `json:"tool_choice"`
	ParallelToolCalls   *bool           `json:"parallel_tool_calls"`
	ReasoningEffort     *string         `json:"reasoning_effort"`

	// Capabilities the gateway does not offer.
	Functions      json.RawMessage `json:"functions"`
	FunctionCall   json.RawMessage `json:"function_call"`
	ResponseFormat json.RawMessage `json:"response_format"`
	Logprobs       json.RawMessage `json:"logprobs"`
	TopLogprobs    json.RawMessage `json:"top_logprobs"`
	LogitBias      json.RawMessage `json:"logit_bias"`
	Audio          json.RawMessage `json:"audio"`
	Modalities     json.RawMessage `json:"modalities"`
	Prediction     json.RawMessage `json:"prediction"`
}

type streamOptions struct {
	IncludeUsage bool `json:"include_usage"`
}

// limits bound what one request may ask for.
type limits struct {
	maxMessages        int
	maxTokens          int
	maxTools           int
	maxToolSchemaBytes int // per function: its parameters schema, its description
	maxImages          int
	maxImageBytes      int // per image, decoded
}

// parsed is a validated request: what the model is asked and how to answer.
type parsed struct {
	req          chat.Request
	stream       bool
	includeUsage bool
}

// decodeRequest decodes and validates a Chat Completions body. Every failure
// is a 400 naming the offending parameter.
func decodeRequest(body []byte, lim limits) (*parsed, error) {
	if !utf8.Valid(body) {
		// encoding/json would quietly replace invalid bytes with U+FFFD.
		return nil, invalid("", "invalid_encoding", "request body is not valid UTF-8")
	}
	var in completionRequest
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(&in); err != nil {
		return nil, jsonError(err)
	}
	if dec.More() {
		return nil, invalid("", "invalid_json", "request body must be a single JSON object")
	}
	if err := unsupported(&in); err != nil {
		return nil, err
	}
	p := &parsed{stream: in.Stream}
	if in.StreamOptions != nil {
		if !in.Stream {
			return nil, invalid("stream_options", "invalid_value", "stream_options is only allowed when stream is true")
		}
		p.includeUsage = in.StreamOptions.IncludeUsage
	}
	if in.N != nil && *in.N != 1 {
		return nil, invalid("n", "invalid_value", "only n=1 is supported")
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
	if r.MaxTokens, err = maxTokens(&in, lim.maxTokens); err != nil {
		return nil, err
	}
	if in.Temperature != nil && (*in.Temperature < 0 || *in.Temperature > 2) {
		return nil, invalid("temperature", "invalid_value", "temperature must be between 0 and 2")
	}
	if in.TopP != nil && (*in.TopP < 0 || *in.TopP > 1) {
		return nil, invalid("top_p", "invalid_value", "top_p must be between 0 and 1")
	}
	r.Temperature, r.TopP = in.Temperature, in.TopP
	if r.Stop, err = stopSequences(in.Stop); err != nil {
		return nil, err
	}
	return p, nil
}

func jsonError(err error) error {
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		field := te.Field
		if field == "" {
			return invalid("", "invalid_type", "request body must be a JSON object")
		}
		return invalid(field, "invalid_type", fmt.Sprintf("%s must be of type %s", field, jsonKind(te.Type.Kind().String())))
	}
	return invalid("", "invalid_json", "request body is not valid JSON")
}

func jsonKind(k string) string {
	switch k {
	case "int", "int64", "float64":
		return "number"
	case "slice":
		return "array"
	case "struct", "map":
		return "object"
	}
	return k
}

// unsupported refuses, by name, capabilities the gateway cannot honour.
func unsupported(in *completionRequest) error {
	for _, f := range []struct {
		name string
		raw  json.RawMessage
	}{
		{"functions", in.Functions},
		{"function_call", in.FunctionCall}, {"logprobs", in.Logprobs}, {"top_logprobs", in.TopLogprobs},
		{"logit_bias", in.LogitBias}, {"audio", in.Audio}, {"modalities", in.Modalities},
		{"prediction", in.Prediction},
	} {
		if isSet(f.raw) && !(f.name == "logprobs" && string(f.raw) == "false") {
			return invalid(f.name, "unsupported_parameter", f.name+" is not supported by this gateway")
		}
	}
	if isSet(in.ResponseFormat) {
		var rf struct {
			Type string `json:"type"`
		}
		if json.Unmarshal(in.ResponseFormat, &rf) != nil || rf.Type != "text" {
			return invalid("response_format", "unsupported_parameter", "only response_format {\"type\":\"text\"} is supported")
		}
	}
	for _, f := range []struct {
		name string
		v    *float64
	}{{"presence_penalty", in.PresencePenalty}, {"frequency_penalty", in.FrequencyPenalty}} {
		if f.v != nil && *f.v != 0 {
			return invalid(f.name, "unsupported_parameter", f.name+" is not supported by this gateway")
		}
	}
	return nil
}

func isSet(raw json.RawMessage) bool { return len(raw) > 0 && string(raw) != "null" }

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
		return 0, invalid(name, "invalid_value", name+" must be at least 1")
	}
	return min(*v, limit), nil
}

const maxStops = 4

func stopSequences(raw json.RawMessage) ([]string, error) {
	if !isSet(raw) {
		return nil, nil
	}
	var stops []string
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, invalid("stop", "invalid_type", "stop must be a string or an array of strings")
		}
		stops = []string{s}
	} else if err := json.Unmarshal(raw, &stops); err != nil {
		return nil, invalid("stop", "invalid_type", "stop must be a string or an array of strings")
	}
	if len(stops) > maxStops {
		return nil, invalid("stop", "invalid_value", "at most 4 stop sequences are allowed")
	}
	for _, s := range stops {
		if s == "" {
			return nil, invalid("stop", "invalid_value", "stop sequences must not be empty")
		}
	}
	return stops, nil
}
