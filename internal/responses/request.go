package responses

import (
	"encoding/json"
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/convstore"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// Path is the route of the Responses API.
const Path = "/v1/responses"

// Format is OpenAI's Responses API; it implements gateway.Format. With a
// Store it also keeps responses and conversations (store: true,
// previous_response_id, conversation, the Conversations API); without
// one it is stateless and refuses those by name.
type Format struct {
	Store convstore.Store
}

// Path is the route it answers.
func (Format) Path() string { return Path }

// Param names the parameter that asks for a capability: images come in
// input, a reasoning effort in reasoning.effort.
func (Format) Param(capability string) string {
	switch capability {
	case "images":
		return "input"
	case "reasoning_effort":
		return "reasoning.effort"
	}
	return capability
}

// Decode decodes and validates a Responses body.
func (f Format) Decode(body []byte, lim gateway.Limits) (gateway.Exchange, error) {
	p, err := decodeResponses(body, lim, f.Store)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func (p *responsesParsed) Request() *chat.Request { return &p.req }
func (p *responsesParsed) Streaming() bool        { return p.stream }

// responsesRequest is the subset of OpenAI's Responses request the gateway
// understands. The gateway keeps no state, so everything that needs stored
// responses, conversations or built-in tools is decoded only to be refused
// by name, never silently ignored.
type responsesRequest struct {
	Model           string          `json:"model"`
	Input           json.RawMessage `json:"input"`
	Instructions    *string         `json:"instructions"`
	MaxOutputTokens *int            `json:"max_output_tokens"`
	Temperature     *float64        `json:"temperature"`
	TopP            *float64        `json:"top_p"`
	Stream          bool            `json:"stream"`
	StreamOptions   *struct {
		IncludeObfuscation *bool `json:"include_obfuscation"`
	} `json:"stream_options"`
	Metadata          map[string]string `json:"metadata"`
	User              string            `json:"user"`
	Text              *textParam        `json:"text"`
	ParallelToolCalls *bool             `json:"parallel_tool_calls"`
	Store             *bool             `json:"store"`
	Background        *bool             `json:"background"`
	Truncation        *string           `json:"truncation"`
	ServiceTier       *string           `json:"service_tier"`
	TopLogprobs       *int              `json:"top_logprobs"`

	// Tools, tool choice and reasoning (see responseTools).
	Tools        json.RawMessage `json:"tools"`
	ToolChoice   json.RawMessage `json:"tool_choice"`
	MaxToolCalls json.RawMessage `json:"max_tool_calls"`
	Reasoning    *struct {
		Effort  *string `json:"effort"`
		Summary *string `json:"summary"`
	} `json:"reasoning"`

	// State the gateway does not keep.
	PreviousResponseID json.RawMessage `json:"previous_response_id"`
	Conversation       json.RawMessage `json:"conversation"`
	Prompt             json.RawMessage `json:"prompt"`
	Include            []string        `json:"include"`
	// Services the gateway does not run.
	ContextManagement json.RawMessage `json:"context_management"`
	Moderation        json.RawMessage `json:"moderation"`
}

type textParam struct {
	Format *struct {
		Type string `json:"type"`
	} `json:"format"`
	Verbosity *string `json:"verbosity"`
}

// OpenAI's bounds on metadata.
const (
	maxMetadataPairs = 16
	maxMetadataKey   = 64
	maxMetadataValue = 512
)

// responsesParsed is a validated Responses request: what the model is asked,
// how to answer, and what the response object echoes back.
type responsesParsed struct {
	req    chat.Request
	stream bool
	echo   responseEcho
	keep   keeping // what it continues and keeps, with a store
	// background: produced without the client, kept, resumed, retrieved
	background bool
}

// responseEcho is what a response object repeats of its request.
type responseEcho struct {
	instructions      *string
	maxOutputTokens   *int
	temperature, topP *float64
	metadata          map[string]string
	user              *string
	parallelToolCalls bool
	tools             json.RawMessage // as sent; nil: none
	toolChoice        json.RawMessage // as sent; nil: "auto"
	effort, summary   *string
}

// decodeResponses decodes and validates a Responses body. Every failure is a
// 400 naming the offending parameter.
func decodeResponses(body []byte, lim gateway.Limits, store convstore.Store) (*responsesParsed, error) {
	var in responsesRequest
	if err := gateway.DecodeJSON(body, &in); err != nil {
		return nil, err
	}
	k, err := decodeKeeping(&in, store, lim)
	if err != nil {
		return nil, err
	}
	if err := stateless(&in, store != nil); err != nil {
		return nil, err
	}
	if err := unsupportedResponses(&in); err != nil {
		return nil, err
	}
	p := &responsesParsed{stream: in.Stream, keep: k, background: in.Background != nil && *in.Background}
	r := &p.req
	r.Model, r.User = in.Model, in.User
	if r.Messages, err = inputMessages(in.Input, "input", in.Instructions, lim); err != nil {
		return nil, err
	}
	if err := responseTools(&in, lim, r, &p.echo); err != nil {
		return nil, err
	}
	r.MaxTokens = lim.MaxTokens
	if v := in.MaxOutputTokens; v != nil {
		if *v < 1 {
			return nil, gateway.Invalid("max_output_tokens", "invalid_value", "max_output_tokens must be at least 1")
		}
		r.MaxTokens = min(*v, lim.MaxTokens)
		p.echo.maxOutputTokens = &r.MaxTokens
	}
	if in.Temperature != nil && (*in.Temperature < 0 || *in.Temperature > 2) {
		return nil, gateway.Invalid("temperature", "invalid_value", "temperature must be between 0 and 2")
	}
	if in.TopP != nil && (*in.TopP < 0 || *in.TopP > 1) {
		return nil, gateway.Invalid("top_p", "invalid_value", "top_p must be between 0 and 1")
	}
	r.Temperature, r.TopP = in.Temperature, in.TopP
	if p.echo.metadata, err = metadata(in.Metadata); err != nil {
		return nil, err
	}
	p.echo.instructions, p.echo.temperature, p.echo.topP = in.Instructions, in.Temperature, in.TopP
	if in.User != "" {
		p.echo.user = &in.User
	}
	p.echo.parallelToolCalls = in.ParallelToolCalls == nil || *in.ParallelToolCalls
	return p, nil
}

// stateless refuses, by name, what needs state the gateway does not keep:
// stored prompts always, and without a store, stored responses and
// conversations.
func stateless(in *responsesRequest, stored bool) error {
	for _, f := range []struct {
		name string
		raw  json.RawMessage
		kept bool // served with a store
	}{
		{"previous_response_id", in.PreviousResponseID, true}, {"conversation", in.Conversation, true}, {"prompt", in.Prompt, false},
	} {
		if gateway.IsSet(f.raw) && string(f.raw) != `""` && !(stored && f.kept) {
			return gateway.Invalid(f.name, "unsupported_parameter", f.name+" is not supported: this gateway stores no responses; send the whole conversation in input")
		}
	}
	if in.Store != nil && *in.Store && !stored {
		return gateway.Invalid("store", "unsupported_parameter", "store: true is not supported: this gateway stores no responses; send store: false or leave it out")
	}
	for i, v := range in.Include {
		// Reasoning blocks always come as encrypted_content; nothing else
		// that include names (search results, logprobs, stored images) is
		// something the gateway produces.
		if v != "reasoning.encrypted_content" {
			return gateway.Invalid("include["+strconv.Itoa(i)+"]", "unsupported_parameter", "include value "+gateway.Quote(v)+" cannot be produced by this gateway")
		}
	}
	return nil
}

// unsupportedResponses refuses, by name, options the gateway cannot honour.
func unsupportedResponses(in *responsesRequest) error {
	if t := in.Text; t != nil {
		if t.Format != nil && t.Format.Type != "text" {
			return gateway.Invalid("text.format", "unsupported_parameter", `only text.format {"type":"text"} is supported`)
		}
		if t.Verbosity != nil && *t.Verbosity != "medium" {
			return gateway.Invalid("text.verbosity", "unsupported_parameter", "only text.verbosity \"medium\" is supported")
		}
	}
	if in.Truncation != nil && *in.Truncation != "disabled" {
		return gateway.Invalid("truncation", "unsupported_parameter", "only truncation \"disabled\" is supported")
	}
	if s := in.ServiceTier; s != nil && *s != "auto" && *s != "default" {
		return gateway.Invalid("service_tier", "unsupported_parameter", "only service_tier \"auto\" or \"default\" is supported")
	}
	if gateway.IsSet(in.ContextManagement) && string(in.ContextManagement) != "[]" {
		return gateway.Invalid("context_management", "unsupported_parameter", "context_management is not supported by this gateway")
	}
	if gateway.IsSet(in.Moderation) {
		return gateway.Invalid("moderation", "unsupported_parameter", "moderation is not supported by this gateway")
	}
	if in.TopLogprobs != nil && *in.TopLogprobs != 0 {
		return gateway.Invalid("top_logprobs", "unsupported_parameter", "top_logprobs is not supported by this gateway")
	}
	return nil
}

func metadata(m map[string]string) (map[string]string, error) {
	if len(m) > maxMetadataPairs {
		return nil, gateway.Invalid("metadata", "invalid_value", "metadata may have at most 16 keys")
	}
	for k, v := range m {
		if len(k) > maxMetadataKey {
			return nil, gateway.Invalid("metadata", "invalid_value", "metadata keys must be at most 64 characters")
		}
		if len(v) > maxMetadataValue {
			return nil, gateway.Invalid("metadata."+k, "invalid_value", "metadata values must be at most 512 characters")
		}
	}
	if m == nil {
		m = map[string]string{}
	}
	return m, nil
}
