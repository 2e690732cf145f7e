package responses

import (
	"encoding/base64"
	"encoding/json"
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// The statuses of a response and of its output items.
const (
	statusInProgress = "in_progress"
	statusCompleted  = "completed"
	statusIncomplete = "incomplete"
	statusFailed     = "failed"
	statusCancelled  = "cancelled"
	statusQueued     = "queued"
)

// responseObject is OpenAI's Response object. Fields the gateway has no
// use for are still present with their neutral values: the SDKs read them.
type responseObject struct {
	ID                 string             `json:"id"`
	Object             string             `json:"object"`
	CreatedAt          int64              `json:"created_at"`
	Status             string             `json:"status"`
	CompletedAt        *int64             `json:"completed_at"`
	Background         bool               `json:"background"`
	Error              *responseError     `json:"error"`
	IncompleteDetails  *incompleteDetails `json:"incomplete_details"`
	Instructions       *string            `json:"instructions"`
	MaxOutputTokens    *int               `json:"max_output_tokens"`
	MaxToolCalls       *int               `json:"max_tool_calls"`
	Model              string             `json:"model"`
	Output             []any              `json:"output"`
	ParallelToolCalls  bool               `json:"parallel_tool_calls"`
	PreviousResponseID *string            `json:"previous_response_id"`
	Reasoning          reasoningEcho      `json:"reasoning"`
	ServiceTier        string             `json:"service_tier"`
	Store              bool               `json:"store"`
	Temperature        *float64           `json:"temperature"`
	Text               textEcho           `json:"text"`
	ToolChoice         json.RawMessage    `json:"tool_choice"`
	Tools              json.RawMessage    `json:"tools"`
	TopLogprobs        int                `json:"top_logprobs"`
	TopP               *float64           `json:"top_p"`
	Truncation         string             `json:"truncation"`
	Usage              *responseUsage     `json:"usage"`
	User               *string            `json:"user"`
	Metadata           map[string]string  `json:"metadata"`
	Conversation       *conversationRef   `json:"conversation,omitempty"`
}

// conversationRef names the conversation a response belongs to.
type conversationRef struct {
	ID string `json:"id"`
}

// responseError is the error of a failed response. Code is the gateway's
// error code, as in a chat completion's in-band error.
type responseError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

type incompleteDetails struct {
	Reason string `json:"reason"`
}

type reasoningEcho struct {
	Effort  *string `json:"effort"`
	Summary *string `json:"summary"`
}

type textEcho struct {
	Format struct {
		Type string `json:"type"`
	} `json:"format"`
	Verbosity string `json:"verbosity"`
}

type responseUsage struct {
	InputTokens        int `json:"input_tokens"`
	InputTokensDetails struct {
		CacheReadTokens int `json:"cached_tokens"`
	} `json:"input_tokens_details"`
	OutputTokens        int `json:"output_tokens"`
	OutputTokensDetails struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
	TotalTokens int `json:"total_tokens"`
}

// outputMessage is an output item of type message.
type outputMessage struct {
	ID      string       `json:"id"`
	Type    string       `json:"type"`
	Status  string       `json:"status"`
	Role    string       `json:"role"`
	Content []outputText `json:"content"`
}

// outputText is a content part of type output_text.
type outputText struct {
	Type        string `json:"type"`
	Text        string `json:"text"`
	Annotations []any  `json:"annotations"`
	Logprobs    []any  `json:"logprobs"`
}

func newOutputText(text string) outputText {
	return outputText{Type: "output_text", Text: text, Annotations: []any{}, Logprobs: []any{}}
}

func newOutputMessage(id, status, text string) *outputMessage {
	return &outputMessage{ID: id, Type: "message", Status: status, Role: "assistant", Content: []outputText{newOutputText(text)}}
}

// outputReasoning is an output item of type reasoning: the model's
// reasoning text as its summary, and the signed blocks a later turn must
// send back (Claude's thinking) as encrypted_content. That is base64 of the
// blocks' JSON, opaque rather than encrypted: the model checks its own
// signatures when they come back.
type outputReasoning struct {
	ID               string        `json:"id"`
	Type             string        `json:"type"`
	Summary          []summaryText `json:"summary"`
	EncryptedContent *string       `json:"encrypted_content,omitempty"`
}

type summaryText struct {
	Type string `json:"type"`
	Text string `json:"text"`
}

func newOutputReasoning(id, text string, blocks []chat.ThinkingBlock) *outputReasoning {
	r := &outputReasoning{ID: id, Type: "reasoning", Summary: []summaryText{{"summary_text", text}}}
	if len(blocks) > 0 {
		enc := base64.StdEncoding.EncodeToString(gateway.AppendThinkingList(nil, blocks))
		r.EncryptedContent = &enc
	}
	return r
}

// outputFunctionCall is an output item of type function_call.
type outputFunctionCall struct {
	ID        string `json:"id"`
	Type      string `json:"type"`
	Status    string `json:"status"`
	CallID    string `json:"call_id"`
	Name      string `json:"name"`
	Arguments string `json:"arguments"`
}

func newOutputFunctionCall(id, status string, c chat.ToolCall) *outputFunctionCall {
	return &outputFunctionCall{ID: id, Type: "function_call", Status: status, CallID: c.ID, Name: c.Name, Arguments: c.Arguments}
}

// The ids of a response's output items: one per kind, calls numbered.
func reasoningID(m *gateway.Meta) string       { return "rs_" + m.ID }
func callID(m *gateway.Meta, index int) string { return "fc_" + m.ID + "_" + strconv.Itoa(index) }

// newResponse returns the response to p as it starts: in progress, with no
// output yet.
func newResponse(p *responsesParsed, m *gateway.Meta) *responseObject {
	e := &p.echo
	o := &responseObject{
		ID: Format{}.ResponseID(m.ID), Object: "response", CreatedAt: m.Created.Unix(), Status: statusInProgress,
		Instructions: e.instructions, MaxOutputTokens: e.maxOutputTokens, Model: m.Model, Output: []any{},
		ParallelToolCalls: e.parallelToolCalls, ServiceTier: "default", Temperature: e.temperature,
		ToolChoice: e.toolChoice, Tools: e.tools, TopP: e.topP, Truncation: "disabled", User: e.user, Metadata: e.metadata,
		Reasoning:  reasoningEcho{Effort: e.effort, Summary: e.summary},
		Store:      p.keep.save,
		Background: p.background,
	}
	if p.keep.previous != "" {
		o.PreviousResponseID = &p.keep.previous
	}
	if p.keep.conversation != "" {
		o.Conversation = &conversationRef{ID: p.keep.conversation}
	}
	if o.ToolChoice == nil {
		o.ToolChoice = json.RawMessage(`"auto"`)
	}
	if o.Tools == nil {
		o.Tools = json.RawMessage(`[]`)
	}
	o.Text.Format.Type, o.Text.Verbosity = "text", "medium"
	return o
}

// itemID is the id of the response's message item.
func itemID(m *gateway.Meta) string { return "msg_" + m.ID }

// end settles o as a finished answer: completed, or incomplete when the
// model stopped at the token limit or a content filter. It returns the
// status the output items take.
func end(o *responseObject, res chat.Result, u chat.Usage, m *gateway.Meta) string {
	o.Usage = &responseUsage{InputTokens: u.Prompt(), OutputTokens: u.CompletionTokens, TotalTokens: u.Total()}
	o.Usage.InputTokensDetails.CacheReadTokens = u.CacheReadTokens
	o.Usage.OutputTokensDetails.ReasoningTokens = u.ReasoningTokens
	switch res.FinishReason {
	case chat.FinishLength:
		o.Status, o.IncompleteDetails = statusIncomplete, &incompleteDetails{Reason: "max_output_tokens"}
	case chat.FinishContentFilter:
		o.Status, o.IncompleteDetails = statusIncomplete, &incompleteDetails{Reason: "content_filter"}
	default:
		now := m.Now().Unix()
		o.Status, o.CompletedAt = statusCompleted, &now
	}
	return o.Status
}

// Collect encodes a whole answer as one response object. Its output is
// the reasoning, the message and the function calls, in that order; a
// message whenever there is text or nothing else.
func (p *responsesParsed) Collect(m *gateway.Meta, a *gateway.Collected, res chat.Result, u chat.Usage) any {
	o := newResponse(p, m)
	status := end(o, res, u, m)
	if a.Reasoning() != "" || len(a.Thinking()) > 0 {
		o.Output = append(o.Output, newOutputReasoning(reasoningID(m), a.Reasoning(), a.Thinking()))
	}
	calls := a.ToolCalls()
	if a.Text() != "" || len(calls) == 0 {
		o.Output = append(o.Output, newOutputMessage(itemID(m), status, a.Text()))
	}
	for i, c := range calls {
		o.Output = append(o.Output, newOutputFunctionCall(callID(m, i), status, c))
	}
	if err := p.keepAnswer(o); err != nil {
		return err
	}
	return o
}
