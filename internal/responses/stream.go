package responses

import (
	"slices"
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// The kinds of output item a stream opens.
const (
	kindReasoning = iota
	kindMessage
	kindCall
)

// streamItem is an output item as it is streamed.
type streamItem struct {
	kind     int
	index    int // output_index
	id       string
	text     []byte               // the message's text, the reasoning, the call's arguments
	thinking []chat.ThinkingBlock // a reasoning item's signed blocks
	since    int                  // where the open thinking block's text starts in text
	call     chat.ToolCall        // a function call's id and name
	status   string               // once done
}

// responseStream relays one answer as the Responses event sequence:
// response.created and .in_progress, then one output item per kind of
// delta as it comes (a reasoning item for reasoning, a message for text, a
// function_call per tool call), each added, filled by its deltas and done;
// then response.completed (or .incomplete). A failure after the start ends
// the stream with response.failed, and nothing follows it.
type responseStream struct {
	p     *responsesParsed
	out   *gateway.Events
	m     *gateway.Meta
	obj   *responseObject
	enc   *eventEncoder
	items []*streamItem
	cur   *streamItem         // the open reasoning or message item
	calls map[int]*streamItem // function calls by their index in the answer
	err   error               // the first write error: the client stopped reading
	begun bool                // response.created was sent
	ended bool                // a terminal event was sent
}

// Begin starts a Responses event stream.
func (p *responsesParsed) Begin(m *gateway.Meta, out *gateway.Events) gateway.Stream {
	return &responseStream{p: p, out: out, m: m, obj: newResponse(p, m), enc: newEventEncoder(), calls: map[int]*streamItem{}}
}

// Switch names the fallback model in the response.
func (rs *responseStream) Switch(model string) { rs.obj.Model = model }

// Finish ends a complete answer: every item done, then response.completed
// or .incomplete.
func (rs *responseStream) Finish(res chat.Result, u chat.Usage) error {
	rs.begin() // before end changes the response: an empty answer starts too
	return rs.finish(end(rs.obj, res, u, rs.m))
}

// begin sends response.created and response.in_progress, once: with the
// first delta, or with the end when there is none. By then a fallback has
// happened, so the response names the model that answers.
func (rs *responseStream) begin() {
	if !rs.begun {
		rs.begun = true
		rs.emit(evCreated, rs.enc.lifecycle(evCreated, rs.obj))
		rs.emit(evInProgress, rs.enc.lifecycle(evInProgress, rs.obj))
	}
}

// emit sends one event, starting the stream if it has not started yet.
func (rs *responseStream) emit(name string, data []byte) {
	if rs.err == nil {
		rs.err = rs.out.Emit(name, data)
	}
}

// Delta relays a piece of the answer.
func (rs *responseStream) Delta(d chat.Delta) error {
	if d.Reasoning != "" || d.Thinking != nil {
		it := rs.current(kindReasoning)
		if d.Reasoning != "" {
			it.text = append(it.text, d.Reasoning...)
			rs.emit(evSummaryDelta, rs.enc.summaryDelta(it.id, it.index, d.Reasoning))
		}
		if t := d.Thinking; t != nil {
			block := *t
			if block.Redacted == "" && block.Text == "" {
				block.Text = string(it.text[it.since:]) // it came as reasoning deltas
			}
			it.since = len(it.text)
			it.thinking = append(it.thinking, block)
		}
	}
	if d.Text != "" {
		it := rs.current(kindMessage)
		it.text = append(it.text, d.Text...)
		rs.emit(evTextDelta, rs.enc.textDelta(d.Text))
	}
	if t := d.ToolCall; t != nil {
		rs.closeCurrent()
		it := rs.calls[t.Index]
		if it == nil {
			it = rs.open(kindCall, callID(rs.m, t.Index))
			it.call = chat.ToolCall{ID: t.ID, Name: t.Name}
			rs.calls[t.Index] = it
			rs.emit(evItemAdded, rs.enc.item(evItemAdded, it.index, newOutputFunctionCall(it.id, statusInProgress, it.call)))
		}
		if t.Arguments != "" {
			it.text = append(it.text, t.Arguments...)
			rs.emit(evArgsDelta, rs.enc.argsDelta(it.id, it.index, t.Arguments))
		}
	}
	return rs.err
}

// current returns the open item of kind (reasoning or message), closing
// the other one and opening this one as needed.
func (rs *responseStream) current(kind int) *streamItem {
	if rs.cur != nil && rs.cur.kind == kind {
		return rs.cur
	}
	rs.closeCurrent()
	if kind == kindReasoning {
		rs.cur = rs.open(kind, reasoningID(rs.m))
		rs.emit(evItemAdded, rs.enc.item(evItemAdded, rs.cur.index, &outputReasoning{ID: rs.cur.id, Type: "reasoning", Summary: []summaryText{}}))
		rs.emit(evSummaryAdded, rs.enc.summaryPart(evSummaryAdded, rs.cur.id, rs.cur.index, ""))
	} else {
		rs.cur = rs.open(kind, itemID(rs.m))
		rs.enc.message(rs.cur.id, rs.cur.index)
		rs.emit(evItemAdded, rs.enc.item(evItemAdded, rs.cur.index, &outputMessage{ID: rs.cur.id, Type: "message", Status: statusInProgress, Role: "assistant", Content: []outputText{}}))
		rs.emit(evPartAdded, rs.enc.part(evPartAdded, rs.cur.id, rs.cur.index, ""))
	}
	return rs.cur
}

// open adds an output item. A second item of a kind that has one id (a
// message after a function call, say) gets its output index in its id.
func (rs *responseStream) open(kind int, id string) *streamItem {
	rs.begin()
	index := len(rs.items)
	if slices.ContainsFunc(rs.items, func(it *streamItem) bool { return it.id == id }) {
		id += "_" + strconv.Itoa(index)
	}
	it := &streamItem{kind: kind, index: index, id: id}
	rs.items = append(rs.items, it)
	return it
}

// closeCurrent finishes the open reasoning or message item.
func (rs *responseStream) closeCurrent() {
	if it := rs.cur; it != nil {
		rs.cur = nil
		rs.close(it, statusCompleted)
	}
}

func (rs *responseStream) close(it *streamItem, status string) {
	text := string(it.text)
	switch it.kind {
	case kindReasoning:
		rs.emit(evSummaryDone, rs.enc.summaryDone(it.id, it.index, text))
		rs.emit(evSummaryPartEnd, rs.enc.summaryPart(evSummaryPartEnd, it.id, it.index, text))
	case kindMessage:
		rs.emit(evTextDone, rs.enc.textDone(it.id, it.index, text))
		rs.emit(evPartDone, rs.enc.part(evPartDone, it.id, it.index, text))
	case kindCall:
		rs.emit(evArgsDone, rs.enc.argsDone(it.id, it.index, it.call.Name, text))
	}
	it.status = status
	rs.emit(evItemDone, rs.enc.item(evItemDone, it.index, rs.snapshot(it, status)))
}

// snapshot is the item as the response's output shows it.
func (rs *responseStream) snapshot(it *streamItem, status string) any {
	switch it.kind {
	case kindReasoning:
		return newOutputReasoning(it.id, string(it.text), it.thinking)
	case kindMessage:
		return newOutputMessage(it.id, status, string(it.text))
	}
	c := it.call
	c.Arguments = string(it.text)
	return newOutputFunctionCall(it.id, status, c)
}

// finish closes every open item with status (completed or incomplete) and
// sends the matching terminal event. An answer with no output at all still
// has its (empty) message.
func (rs *responseStream) finish(status string) error {
	if len(rs.items) == 0 {
		rs.current(kindMessage)
	}
	if rs.cur != nil && rs.cur.kind == kindMessage {
		rs.close(rs.cur, status)
		rs.cur = nil
	}
	rs.closeCurrent()
	for _, it := range rs.items {
		if it.status == "" {
			rs.close(it, status)
		}
	}
	rs.obj.Output = rs.output(status)
	if err := rs.p.keepAnswer(rs.obj); err != nil {
		// The client was told it would be kept: say it was not.
		rs.Fail(gateway.InBand(err))
		return err
	}
	typ := evCompleted
	if status != statusCompleted {
		typ = evIncomplete
	}
	rs.ended = true
	rs.emit(typ, rs.enc.lifecycle(typ, rs.obj))
	return rs.err
}

// output is the response's output: each item as it was done, or with
// status (for the items still open when the answer failed).
func (rs *responseStream) output(status string) []any {
	out := make([]any, len(rs.items))
	for i, it := range rs.items {
		s := it.status
		if s == "" {
			s = status
		}
		out[i] = rs.snapshot(it, s)
	}
	return out
}

// Fail ends the stream with response.failed, carrying e and the output so
// far, each item incomplete. It sends nothing after a terminal event.
func (rs *responseStream) Fail(e *gateway.Error) {
	if rs.ended {
		return
	}
	rs.begin()
	rs.ended = true
	o := rs.obj
	o.Status, o.Error = statusFailed, &responseError{Code: e.Code, Message: e.Message}
	o.Output = rs.output(statusIncomplete)
	rs.emit(evFailed, rs.enc.lifecycle(evFailed, o))
}
