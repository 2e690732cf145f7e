package responses

import (
	"encoding/json"
	"errors"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// ResponseID is the id of the response answering request requestID.
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
func (Format) Retrieve(events []gateway.KeptEvent, end *streambuf.End) (any, error) {
	for i := len(events) - 1; i >= 0; i-- {
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
		if end != nil && end.State == streambuf.Cancelled {
			ev.Response["status"] = json.RawMessage(`"` + statusCancelled + `"`)
		}
		return ev.Response, nil
	}
	return nil, errNoResponse
}

var _ gateway.Retriever = Format{}
