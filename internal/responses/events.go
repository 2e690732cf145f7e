package responses

import (
	"encoding/json"
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/jsonstr"
)

// The Responses stream's event types.
const (
	evCreated        = "response.created"
	evInProgress     = "response.in_progress"
	evItemAdded      = "response.output_item.added"
	evPartAdded      = "response.content_part.added"
	evTextDelta      = "response.output_text.delta"
	evTextDone       = "response.output_text.done"
	evPartDone       = "response.content_part.done"
	evItemDone       = "response.output_item.done"
	evSummaryAdded   = "response.reasoning_summary_part.added"
	evSummaryDelta   = "response.reasoning_summary_text.delta"
	evSummaryDone    = "response.reasoning_summary_text.done"
	evSummaryPartEnd = "response.reasoning_summary_part.done"
	evArgsDelta      = "response.function_call_arguments.delta"
	evArgsDone       = "response.function_call_arguments.done"
	evCompleted      = "response.completed"
	evIncomplete     = "response.incomplete"
	evFailed         = "response.failed"
)

// eventEncoder encodes the events of one Responses stream, numbering them
// from 0 in the order they are encoded. Deltas (of text, reasoning summary
// and function call arguments), one per token, are appended to a reused
// buffer and allocate nothing once it has grown; the other events are
// marshalled whole.
type eventEncoder struct {
	seq   int
	delta []byte // the fixed head of the open message's text deltas
	buf   []byte
}

func newEventEncoder() *eventEncoder { return &eventEncoder{buf: make([]byte, 0, 512)} }

func (e *eventEncoder) next() int {
	n := e.seq
	e.seq++
	return n
}

// message sets the message item that text deltas belong to.
func (e *eventEncoder) message(itemID string, outputIndex int) {
	b := append(e.delta[:0], `{"type":"`+evTextDelta+`","item_id":`...)
	b = jsonstr.AppendString(b, itemID)
	b = append(b, `,"output_index":`...)
	b = strconv.AppendInt(b, int64(outputIndex), 10)
	e.delta = append(b, `,"content_index":0,"logprobs":[],"sequence_number":`...)
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

// itemPartEvent is an event about a part of an item: a content part
// (ContentIndex) or a summary part (SummaryIndex) and its text, or a
// function call's arguments.
type itemPartEvent struct {
	Type           string  `json:"type"`
	SequenceNumber int     `json:"sequence_number"`
	ItemID         string  `json:"item_id"`
	OutputIndex    int     `json:"output_index"`
	ContentIndex   *int    `json:"content_index,omitempty"`
	SummaryIndex   *int    `json:"summary_index,omitempty"`
	Part           any     `json:"part,omitempty"`
	Delta          *string `json:"delta,omitempty"`
	Text           *string `json:"text,omitempty"`
	Logprobs       *[]any  `json:"logprobs,omitempty"`
	Name           string  `json:"name,omitempty"`
	Arguments      *string `json:"arguments,omitempty"`
}

// firstPart is the index of an item's one part: a message has one text
// part, a reasoning item one summary part. Never written.
var firstPart = 0

// lifecycle encodes response.created, .in_progress, .completed,
// .incomplete or .failed: each carries the whole response as it stands.
func (e *eventEncoder) lifecycle(typ string, o *responseObject) []byte {
	return marshalEvent(lifecycleEvent{Type: typ, SequenceNumber: e.next(), Response: o})
}

func (e *eventEncoder) item(typ string, index int, item any) []byte {
	return marshalEvent(itemEvent{Type: typ, SequenceNumber: e.next(), OutputIndex: index, Item: item})
}

// part encodes content_part.added (text "") or .done of a message.
func (e *eventEncoder) part(typ, itemID string, index int, text string) []byte {
	return marshalEvent(itemPartEvent{Type: typ, SequenceNumber: e.next(), ItemID: itemID, OutputIndex: index,
		ContentIndex: &firstPart, Part: newOutputText(text)})
}

func (e *eventEncoder) textDone(itemID string, index int, text string) []byte {
	return marshalEvent(itemPartEvent{Type: evTextDone, SequenceNumber: e.next(), ItemID: itemID, OutputIndex: index,
		ContentIndex: &firstPart, Text: &text, Logprobs: &[]any{}})
}

// summaryPart encodes reasoning_summary_part.added (text "") or .done.
func (e *eventEncoder) summaryPart(typ, itemID string, index int, text string) []byte {
	return marshalEvent(itemPartEvent{Type: typ, SequenceNumber: e.next(), ItemID: itemID, OutputIndex: index,
		SummaryIndex: &firstPart, Part: summaryText{"summary_text", text}})
}

// summaryDone encodes reasoning_summary_text.done.
func (e *eventEncoder) summaryDone(itemID string, index int, text string) []byte {
	return marshalEvent(itemPartEvent{Type: evSummaryDone, SequenceNumber: e.next(), ItemID: itemID, OutputIndex: index,
		SummaryIndex: &firstPart, Text: &text})
}

// summaryDelta encodes a reasoning_summary_text.delta, as itemPartEvent
// would with SummaryIndex and Delta.
func (e *eventEncoder) summaryDelta(itemID string, index int, delta string) []byte {
	b := e.appendItemHead(evSummaryDelta, itemID, index)
	b = append(b, `,"summary_index":0`...)
	return e.appendDelta(b, delta)
}

// argsDelta encodes a function_call_arguments.delta, as itemPartEvent
// would with Delta.
func (e *eventEncoder) argsDelta(itemID string, index int, delta string) []byte {
	return e.appendDelta(e.appendItemHead(evArgsDelta, itemID, index), delta)
}

// appendItemHead starts an itemPartEvent in the reused buffer: its type,
// number, item id and output index.
func (e *eventEncoder) appendItemHead(typ, itemID string, index int) []byte {
	b := append(e.buf[:0], `{"type":`...)
	b = jsonstr.AppendString(b, typ)
	b = append(b, `,"sequence_number":`...)
	b = strconv.AppendInt(b, int64(e.next()), 10)
	b = append(b, `,"item_id":`...)
	b = jsonstr.AppendString(b, itemID)
	b = append(b, `,"output_index":`...)
	return strconv.AppendInt(b, int64(index), 10)
}

// appendDelta ends an event begun by appendItemHead with its delta.
func (e *eventEncoder) appendDelta(b []byte, delta string) []byte {
	b = append(b, `,"delta":`...)
	b = jsonstr.AppendString(b, delta)
	b = append(b, '}')
	e.buf = b
	return b
}

func (e *eventEncoder) argsDone(itemID string, index int, name, args string) []byte {
	return marshalEvent(itemPartEvent{Type: evArgsDone, SequenceNumber: e.next(), ItemID: itemID, OutputIndex: index,
		Name: name, Arguments: &args})
}

// marshalEvent encodes an event. The event types hold nothing that JSON
// cannot carry (strings, validated numbers), so a failure is a bug: it
// panics, and the handler ends the stream with response.failed.
func marshalEvent(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic("responses: encode event: " + err.Error())
	}
	return b
}
