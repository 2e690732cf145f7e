package gateway

import (
	"encoding/json"
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/jsonstr"
)

// The Responses stream's event types, in the order a text answer uses them.
const (
	evCreated      = "response.created"
	evInProgress   = "response.in_progress"
	evItemAdded    = "response.output_item.added"
	evPartAdded    = "response.content_part.added"
	evTextDelta    = "response.output_text.delta"
	evTextDone     = "response.output_text.done"
	evPartDone     = "response.content_part.done"
	evItemDone     = "response.output_item.done"
	evCompleted    = "response.completed"
	evIncomplete   = "response.incomplete"
	evFailed       = "response.failed"
	textPartIndex  = 0 // the message's one output_text part
	messageItemIdx = 0 // the message is the response's first output item
)

// eventEncoder encodes the events of one Responses stream, numbering them
// from 0 in the order they are encoded. Text deltas, one per token, are
// appended to a reused buffer and allocate nothing once it has grown; the
// few other events are marshalled whole.
type eventEncoder struct {
	seq   int
	delta []byte // the fixed head of every text delta of the message item
	buf   []byte
}

func newEventEncoder(itemID string) *eventEncoder {
	b := append(make([]byte, 0, 160), `{"type":"`+evTextDelta+`","item_id":`...)
	b = jsonstr.AppendString(b, itemID)
	b = append(b, `,"output_index":`+strconv.Itoa(messageItemIdx)+`,"content_index":`+strconv.Itoa(textPartIndex)+`,"logprobs":[],"sequence_number":`...)
	return &eventEncoder{delta: b, buf: make([]byte, 0, 512)}
}

func (e *eventEncoder) next() int {
	n := e.seq
	e.seq++
	return n
}

// textDelta encodes a response.output_text.delta of the message item.
func (e *eventEncoder) textDelta(text string) []byte {
	b := append(e.buf[:0], e.delta...)
	b = strconv.AppendInt(b, int64(e.next()), 10)
	b = append(b, `,"delta":`...)
	b = jsonstr.AppendString(b, text)
	b = append(b, '}')
	e.buf = b
	return b
}

type lifecycleEvent struct {
	Type           string          `json:"type"`
	SequenceNumber int             `json:"sequence_number"`
	Response       *responseObject `json:"response"`
}

type itemEvent struct {
	Type           string `json:"type"`
	SequenceNumber int    `json:"sequence_number"`
	OutputIndex    int    `json:"output_index"`
	Item           any    `json:"item"`
}

type partEvent struct {
	Type           string     `json:"type"`
	SequenceNumber int        `json:"sequence_number"`
	ItemID         string     `json:"item_id"`
	OutputIndex    int        `json:"output_index"`
	ContentIndex   int        `json:"content_index"`
	Part           outputText `json:"part"`
}

type textDoneEvent struct {
	Type           string `json:"type"`
	SequenceNumber int    `json:"sequence_number"`
	ItemID         string `json:"item_id"`
	OutputIndex    int    `json:"output_index"`
	ContentIndex   int    `json:"content_index"`
	Text           string `json:"text"`
	Logprobs       []any  `json:"logprobs"`
}

// lifecycle encodes response.created, .in_progress, .completed,
// .incomplete or .failed: each carries the whole response as it stands.
func (e *eventEncoder) lifecycle(typ string, o *responseObject) []byte {
	return marshalEvent(lifecycleEvent{Type: typ, SequenceNumber: e.next(), Response: o})
}

func (e *eventEncoder) item(typ string, item *outputMessage) []byte {
	return marshalEvent(itemEvent{Type: typ, SequenceNumber: e.next(), OutputIndex: messageItemIdx, Item: item})
}

func (e *eventEncoder) part(typ, itemID, text string) []byte {
	return marshalEvent(partEvent{Type: typ, SequenceNumber: e.next(), ItemID: itemID,
		OutputIndex: messageItemIdx, ContentIndex: textPartIndex, Part: newOutputText(text)})
}

func (e *eventEncoder) textDone(itemID, text string) []byte {
	return marshalEvent(textDoneEvent{Type: evTextDone, SequenceNumber: e.next(), ItemID: itemID,
		OutputIndex: messageItemIdx, ContentIndex: textPartIndex, Text: text, Logprobs: []any{}})
}

// marshalEvent encodes an event. The event types hold nothing that JSON
// cannot carry (strings, validated numbers), so a failure is a bug: it
// panics, and the handler ends the stream with response.failed.
func marshalEvent(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("gateway: encode response event: " + err.Error())
	}
	return b
}
