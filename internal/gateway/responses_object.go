package gateway

import (
	"context"
	"net/http"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// The statuses of a response and of its output items.
const (
	statusInProgress = "in_progress"
	statusCompleted  = "completed"
	statusIncomplete = "incomplete"
	statusFailed     = "failed"
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
	ToolChoice         string             `json:"tool_choice"`
	Tools              []any              `json:"tools"`
	TopLogprobs        int                `json:"top_logprobs"`
	TopP               *float64           `json:"top_p"`
	Truncation         string             `json:"truncation"`
	Usage              *responseUsage     `json:"usage"`
	User               *string            `json:"user"`
	Metadata           map[string]string  `json:"metadata"`
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
		CachedTokens int `json:"cached_tokens"`
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

// newResponse returns the response to p as it starts: in progress, with no
// output yet.
func (h *Handler) newResponse(p *responsesParsed, rec *Record) *responseObject {
	e := &p.echo
	o := &responseObject{
		ID: "resp_" + rec.ID, Object: "response", CreatedAt: h.cfg.Now().Unix(), Status: statusInProgress,
		Instructions: e.instructions, MaxOutputTokens: e.maxOutputTokens, Model: p.req.Model, Output: []any{},
		ParallelToolCalls: e.parallelToolCalls, ServiceTier: "default", Temperature: e.temperature,
		ToolChoice: "auto", Tools: []any{}, TopP: e.topP, Truncation: "disabled", User: e.user, Metadata: e.metadata,
	}
	o.Text.Format.Type, o.Text.Verbosity = "text", "medium"
	return o
}

// itemID is the id of the response's message item.
func itemID(rec *Record) string { return "msg_" + rec.ID }

// end settles o as a finished answer: completed, or incomplete when the
// model stopped at the token limit or a content filter. It returns the
// status the output items take.
func (h *Handler) end(o *responseObject, res chat.Result, rec *Record) string {
	u := settle(res, rec)
	o.Usage = &responseUsage{InputTokens: u.PromptTokens, OutputTokens: u.CompletionTokens, TotalTokens: u.Total()}
	switch finishOf(res) {
	case chat.FinishLength:
		o.Status, o.IncompleteDetails = statusIncomplete, &incompleteDetails{Reason: "max_output_tokens"}
	case chat.FinishContentFilter:
		o.Status, o.IncompleteDetails = statusIncomplete, &incompleteDetails{Reason: "content_filter"}
	default:
		now := h.cfg.Now().Unix()
		o.Status, o.CompletedAt = statusCompleted, &now
	}
	return o.Status
}

// collectResponse answers without streaming: one response object, or an
// error status when the model fails.
func (h *Handler) collectResponse(ctx context.Context, w http.ResponseWriter, p *responsesParsed, rec *Record) {
	var text strings.Builder
	o := h.newResponse(p, rec)
	res, err := h.run(ctx, &p.req, rec, func(d chat.Delta) error {
		text.WriteString(d.Text)
		return nil
	}, func(id string) { o.Model = id })
	if err != nil {
		e, gone := failure(ctx, err)
		if gone {
			rec.Outcome = "client_gone"
			return
		}
		rec.Err = err
		fail(w, rec, e)
		return
	}
	status := h.end(o, res, rec)
	o.Output = append(o.Output, newOutputMessage(itemID(rec), status, text.String()))
	writeJSON(w, http.StatusOK, o)
}
