package chat

import (
	"context"
	"errors"
	"strings"
)

// Role is who wrote a message.
type Role string

// The roles a conversation may contain.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	// RoleTool carries the result of a tool call back to the model.
	RoleTool Role = "tool"
)

// Message is one turn of a conversation.
type Message struct {
	Role Role
	// Content is the message's text: its text parts joined with newlines.
	Content string
	// Parts is set only when the message holds more than text (images):
	// all its parts, text included, in the order the client sent them.
	Parts []Part
	// ToolCalls are the calls an assistant message made.
	ToolCalls []ToolCall
	// ToolCallID names the call a RoleTool message answers.
	ToolCallID string
	// Thinking is the reasoning an assistant message carried, sent back
	// so the model can check it (see ThinkingBlock).
	Thinking []ThinkingBlock
	// Cache asks for a prompt cache point after this message's content
	// (the client marked a part of it cache_control ephemeral): the prompt
	// up to here may be cached, where the model caches prompts.
	Cache bool
}

// Part is one piece of a message's content: text or an image.
type Part struct {
	Text  string
	Image *Image // nil for a text part
}

// JoinText is the text of parts as a Message's Content holds it: the text
// parts joined with newlines, images left out.
func JoinText(parts []Part) string {
	var b strings.Builder
	first := true
	for _, p := range parts {
		if p.Image != nil {
			continue
		}
		if !first {
			b.WriteByte('\n')
		}
		first = false
		b.WriteString(p.Text)
	}
	return b.String()
}

// Image is an image a user sent inline.
type Image struct {
	// MediaType is image/png, image/jpeg, image/gif or image/webp, as
	// the bytes themselves say (never only the client's claim).
	MediaType string
	Data      []byte
}

// Format is the image's format as the model families name it: "png",
// "jpeg", "gif" or "webp".
func (im *Image) Format() string {
	const prefix = "image/"
	if len(im.MediaType) > len(prefix) {
		return im.MediaType[len(prefix):]
	}
	return im.MediaType
}

// Tool is a function the model may call.
type Tool struct {
	Name        string
	Description string
	// Parameters is the function's JSON Schema, passed on as the client
	// sent it (an object schema).
	Parameters []byte
	// Cache asks for a prompt cache point after this tool's definition.
	Cache bool
}

// ToolMode says whether and how the model must call a tool.
type ToolMode string

// The tool modes of OpenAI's tool_choice.
const (
	ToolAuto     ToolMode = "auto"     // the model decides (the default)
	ToolNone     ToolMode = "none"     // the model must not call tools
	ToolRequired ToolMode = "required" // the model must call some tool
	ToolFunction ToolMode = "function" // the model must call ToolChoice.Name
)

// ToolChoice is the request's tool_choice. The zero value means auto.
type ToolChoice struct {
	Mode ToolMode
	Name string // for ToolFunction
}

// ToolCall is one call of a tool by the model.
type ToolCall struct {
	// ID is the model's own id for the call; a RoleTool message names it
	// to answer the call.
	ID        string
	Name      string
	Arguments string // a JSON object, as text
}

// ThinkingBlock is a piece of a model's reasoning that must be sent back
// unchanged for the model to accept a later turn (Claude's extended
// thinking with tools): the model signs it, and checks the signature.
type ThinkingBlock struct {
	Text      string // the reasoning text; empty for a redacted block
	Signature string // the model's signature over Text
	// Redacted is the opaque data of a block the model chose not to show.
	Redacted string
}

// ReasoningEffort is how much the model should reason before answering.
type ReasoningEffort string

// The reasoning efforts a request may ask for; "" leaves the model's default.
const (
	EffortMinimal ReasoningEffort = "minimal"
	EffortLow     ReasoningEffort = "low"
	EffortMedium  ReasoningEffort = "medium"
	EffortHigh    ReasoningEffort = "high"
)

// Request is what a model is asked to answer. The gateway has already
// validated it: Messages is non-empty and MaxTokens is positive and capped;
// tool calls and their results pair up.
type Request struct {
	Model       string
	Messages    []Message
	MaxTokens   int
	Temperature *float64 // nil means the model's default
	TopP        *float64 // nil means the model's default
	Stop        []string
	User        string

	Tools      []Tool
	ToolChoice ToolChoice
	// ParallelToolCalls false asks for at most one tool call per answer;
	// nil leaves the model's default.
	ParallelToolCalls *bool
	Reasoning         ReasoningEffort
}

// Features lists what a request needs beyond text: the model answering it
// must have each of them.
func (r *Request) Features() Capabilities {
	var c Capabilities
	c.Tools = len(r.Tools) > 0
	c.Reasoning = r.Reasoning != ""
	for i := range r.Messages {
		m := &r.Messages[i]
		if len(m.ToolCalls) > 0 || m.Role == RoleTool {
			c.Tools = true
		}
		for _, p := range m.Parts {
			if p.Image != nil {
				c.Images = true
			}
		}
	}
	return c
}

// Capabilities are what a model can do beyond plain text.
type Capabilities struct {
	Tools     bool // function tools, tool calls and their results
	Images    bool // images in user messages
	Reasoning bool // a reasoning effort the model honours
}

// Missing names the first of want's features that c lacks, by the request
// parameter that asks for it ("tools", "images", "reasoning_effort"), or "".
func (c Capabilities) Missing(want Capabilities) string {
	switch {
	case want.Tools && !c.Tools:
		return "tools"
	case want.Images && !c.Images:
		return "images"
	case want.Reasoning && !c.Reasoning:
		return "reasoning_effort"
	}
	return ""
}

// Capable is a Model that can do more than text. A Model that does not
// implement it answers text only.
type Capable interface {
	Capabilities() Capabilities
}

// CapabilitiesOf returns what m can do beyond text.
func CapabilitiesOf(m Model) Capabilities {
	if c, ok := m.(Capable); ok {
		return c.Capabilities()
	}
	return Capabilities{}
}

// FinishReason says why a model stopped, in OpenAI's vocabulary.
type FinishReason string

// The finish reasons a Result may carry.
const (
	FinishStop          FinishReason = "stop"
	FinishLength        FinishReason = "length"
	FinishContentFilter FinishReason = "content_filter"
	FinishToolCalls     FinishReason = "tool_calls"
)

// Usage counts tokens. Models report their own counts where they have them.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
	// ReasoningTokens is the part of CompletionTokens spent reasoning,
	// where the model reports it.
	ReasoningTokens int
	// CacheReadTokens are prompt tokens read from the model's prompt cache
	// and CacheWriteTokens prompt tokens written to it. Both are counted
	// apart from PromptTokens, as Bedrock reports them (Anthropic's
	// input_tokens leaves out cache_read_input_tokens and
	// cache_creation_input_tokens), because each kind has its own price.
	CacheReadTokens  int
	CacheWriteTokens int
}

// Total is every token of the call: the prompt, cached or not, and the
// completion. Budgets count it.
func (u Usage) Total() int {
	return u.PromptTokens + u.CacheReadTokens + u.CacheWriteTokens + u.CompletionTokens
}

// Prompt is the whole prompt: the tokens read fresh, from the cache and
// into it.
func (u Usage) Prompt() int { return u.PromptTokens + u.CacheReadTokens + u.CacheWriteTokens }

// Result is how a completed answer ended.
type Result struct {
	FinishReason FinishReason
	Usage        Usage
}

// Delta is one piece of an answer, as the model produces it. Most deltas
// carry only Text; the others are set where the model reasons or calls
// tools. A delta is passed by value and allocates nothing for text.
type Delta struct {
	Text      string // answer text
	Reasoning string // reasoning text, never mixed into Text
	// Thinking, when set, closes a block of reasoning that must be sent
	// back to the model (its Text is empty: the text came as Reasoning).
	Thinking *ThinkingBlock
	// ToolCall, when set, is a piece of a tool call.
	ToolCall *ToolCallDelta
}

// Empty reports whether d carries nothing.
func (d *Delta) Empty() bool {
	return d.Text == "" && d.Reasoning == "" && d.Thinking == nil && d.ToolCall == nil
}

// ToolCallDelta is a piece of a tool call: the first piece of each call
// carries its ID and Name, later ones more of its Arguments.
type ToolCallDelta struct {
	Index     int // the call's position in this answer, from 0
	ID        string
	Name      string
	Arguments string // a fragment of the arguments' JSON text
}

// Emit receives the answer as the model produces it, one delta per call,
// in order. An error from Emit (the client is gone, say) makes the model
// stop and return that error.
type Emit func(Delta) error

// Model answers chat requests by streaming deltas.
//
// Stream calls emit for each piece of the answer, in order, and returns how
// the answer ended. It must stop promptly and return ctx.Err() (possibly
// wrapped) when ctx ends, and must not call emit after it returns.
// Implementations are safe for concurrent use.
//
// With an error, Stream still returns a Result whose Usage holds what the
// model reported as far as it got: the prompt's tokens once the model has
// said them (Claude's message_start, say), and the completion tokens so
// far where it counts them; zero where it has not said. The caller's token
// budget is charged from it on every exit (client gone, deadline, upstream
// failure), because the service behind the model bills the prompt as soon
// as the model starts. FinishReason is meaningless with an error.
type Model interface {
	Stream(ctx context.Context, req *Request, emit Emit) (Result, error)
}

// Sentinel errors that say whose fault a failure is. The gateway maps them
// to HTTP statuses in one place.
var (
	// ErrInvalidRequest: the request itself is wrong (HTTP 400).
	ErrInvalidRequest = errors.New("invalid request")
	// ErrUnavailable: the model cannot answer now (HTTP 503).
	ErrUnavailable = errors.New("model unavailable")
	// ErrModelConfig: the model cannot answer as it is configured (retired,
	// not found, not allowed): an operator must change the configuration;
	// retrying does not help (HTTP 503 model_unavailable).
	ErrModelConfig = errors.New("model misconfigured")
	// ErrUpstream: the service behind the model failed; neither the
	// client's fault nor the gateway's (HTTP 502).
	ErrUpstream = errors.New("upstream failure")
	// ErrUpstreamTimeout: the service behind the model stopped sending in
	// the middle of an answer (in-band code upstream_timeout; HTTP 504
	// without streaming).
	ErrUpstreamTimeout = errors.New("upstream stopped sending")
	// ErrDeadline: the answer was stopped because the invocation's
	// deadline is near.
	ErrDeadline = errors.New("deadline reached")
)

// PublicError is an error whose message is safe to show a client. Kind is
// one of the sentinel errors above, so errors.Is works on it. Param, when
// set, names the request parameter at fault, and Code, when set, is the
// machine-readable reason ("unsupported_parameter").
type PublicError struct {
	Kind    error
	Message string
	Param   string
	Code    string
}

func (e *PublicError) Error() string { return e.Message }

// Unwrap returns the error's kind.
func (e *PublicError) Unwrap() error { return e.Kind }

// Unsupported is the error of a model asked for a feature it lacks
// (param as Capabilities.Missing names it).
func Unsupported(model, param string) error {
	what := param + " is"
	if param == "images" {
		what = "images are"
	}
	return &PublicError{Kind: ErrInvalidRequest, Param: param, Code: "unsupported_parameter",
		Message: what + " not supported by model " + model}
}

// ModelFunc adapts a function to the Model interface, as http.HandlerFunc
// does for handlers. It answers text only.
type ModelFunc func(ctx context.Context, req *Request, emit Emit) (Result, error)

// Stream calls f(ctx, req, emit).
func (f ModelFunc) Stream(ctx context.Context, req *Request, emit Emit) (Result, error) {
	return f(ctx, req, emit)
}
