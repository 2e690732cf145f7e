package responses

import (
	"encoding/json"
	"errors"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// ResponseID is the id of the response answering request requestID: the
// id its object carries, and its kept stream is filed under.
func (Format) ResponseID(requestID string) string { return "resp_" + requestID }

// ResumeError is the error event that ends a resumed stream whose end
// cannot be replayed: Responses' own "error" event, numbered seq.
func (Format) ResumeError(e *gateway.Error, seq int64) (string, []byte) {
	b, _ := json.Marshal(struct {
		Type     string  `json:"type"`
		Code     string  `json:"code"`
		Message  string  `json:"message"`
		Param    *string `json:"param"`
		Sequence int64   `json:"sequence_number"`
	}{Type: "error", Code: e.Code, Message: e.Message, Sequence: seq})
	return "error", b
}

var errNoResponse = errors.New("kept stream holds no response event")

// Retrieve returns the response as the latest of its lifecycle events
// carries it (created, in_progress, then completed, incomplete or failed).
// A stream whose producer stopped with no final event is reported as
// failed; one cancelled, as cancelled.
func (Format) Retrieve(accepted []byte, events []gateway.KeptEvent, end *streambuf.End) (any, error) {
	for i := len(events) - 1; i >= -1; i-- {
		if i < 0 {
			// Nothing said yet: the response as accepted.
			var r map[string]json.RawMessage
			if err := json.Unmarshal(accepted, &r); err != nil || r == nil {
				return nil, errors.Join(errNoResponse, err)
			}
			return withEnd(r, end), nil
		}
		switch events[i].Name {
		case evCreated, evInProgress, evCompleted, evIncomplete, evFailed:
		default:
			continue
		}
		var ev struct {
			Response map[string]json.RawMessage `json:"response"`
		}
		if err := json.Unmarshal(events[i].Data, &ev); err != nil || ev.Response == nil {
			return nil, errors.Join(errNoResponse, err)
		}
		return withEnd(ev.Response, end), nil
	}
	return nil, errNoResponse
}

// withEnd marks a response whose stream was cancelled, or failed without
// saying so (its producer stopped), with that status.
func withEnd(r map[string]json.RawMessage, end *streambuf.End) map[string]json.RawMessage {
	if end == nil {
		return r
	}
	switch end.State {
	case streambuf.Cancelled:
		r["status"] = json.RawMessage(`"` + statusCancelled + `"`)
	case streambuf.Failed:
		var s string
		if json.Unmarshal(r["status"], &s) == nil && (s == statusInProgress || s == statusQueued) {
			r["status"] = json.RawMessage(`"` + statusFailed + `"`)
		}
	}
	return r
}

var _ gateway.Retriever = Format{}

// Background reports whether the request asked for background: true.
func (p *responsesParsed) Background() bool { return p.background }

// Accepted is the response a background request is answered with at once,
// before the model has said anything: queued.
func (p *responsesParsed) Accepted(m *gateway.Meta) any {
	o := newResponse(p, m)
	o.Status = statusQueued
	return o
}

var _ gateway.Backgrounder = (*responsesParsed)(nil)
