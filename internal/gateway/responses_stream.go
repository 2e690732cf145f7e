package gateway

import (
	"context"
	"net/http"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// responseStream relays one answer as the Responses event sequence:
// response.created and .in_progress, then the message item and its text part
// opened at the first text (output_item.added, content_part.added); one
// output_text.delta per piece of text; then output_text.done,
// content_part.done, output_item.done and response.completed (or
// .incomplete). A failure after the start ends the stream with
// response.failed, and nothing follows it.
type responseStream struct {
	out    *deferredStream
	obj    *responseObject
	enc    *eventEncoder
	itemID string
	item   *outputMessage // the message item, once opened
	text   []byte         // the answer so far
	err    error          // the first write error: the client stopped reading
	begun  bool           // response.created was sent
	ended  bool           // a terminal event was sent
}

// streamResponse answers p as a Responses event stream. As for chat
// completions, the status line leaves with the first text, or with a ping
// once the heartbeat interval has passed in silence; a failure before that
// is answered with its own status, as without streaming.
func (h *Handler) streamResponse(ctx context.Context, w http.ResponseWriter, p *responsesParsed, rec *Record) {
	out := deferStream(ctx, w, h.cfg.Heartbeat)
	defer out.stop() // also when the model panics
	id := itemID(rec)
	rs := &responseStream{out: out, obj: h.newResponse(p, rec), enc: newEventEncoder(id), itemID: id}
	if rw, ok := w.(*recorder); ok {
		rw.failStream = rs.fail // once the stream has started
	}
	res, err := h.run(ctx, &p.req, rec, rs.delta, func(id string) { rs.obj.Model = id })
	out.stop()
	if err != nil {
		cause, gone := failure(ctx, err)
		if gone || rs.err != nil {
			rec.Outcome = "client_gone"
			return
		}
		rec.Err = err
		if !out.started() {
			fail(w, rec, cause)
			return
		}
		e := inBand(cause)
		rec.Outcome, rec.ErrorCode = "error", e.Code
		rs.fail(e)
		return
	}
	rs.begin() // before end changes the response: an empty answer starts too
	if rs.finish(h.end(rs.obj, res, rec)) != nil {
		rec.Outcome = "client_gone"
	}
}

// begin sends response.created and response.in_progress, once: with the
// first text, or with the end when there is none. By then a fallback has
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
	if rs.err != nil {
		return
	}
	sw, err := rs.out.writer()
	if err == nil {
		err = sw.Event(name, data)
	}
	rs.err = err
}

// open adds the message item and its text part.
func (rs *responseStream) open() {
	rs.begin()
	rs.item = &outputMessage{ID: rs.itemID, Type: "message", Status: statusInProgress, Role: "assistant", Content: []outputText{}}
	rs.emit(evItemAdded, rs.enc.item(evItemAdded, rs.item))
	rs.emit(evPartAdded, rs.enc.part(evPartAdded, rs.itemID, ""))
}

// delta relays a piece of the answer; it is the model's Emit.
func (rs *responseStream) delta(d chat.Delta) error {
	if d.Text == "" {
		return nil
	}
	text := d.Text
	if rs.item == nil {
		rs.open()
	}
	rs.text = append(rs.text, text...)
	rs.emit(evTextDelta, rs.enc.textDelta(text))
	return rs.err
}

// finish closes the text part and the message item with status (completed
// or incomplete) and sends the matching terminal event. An empty answer
// still has its message.
func (rs *responseStream) finish(status string) error {
	if rs.item == nil {
		rs.open()
	}
	text := string(rs.text)
	rs.emit(evTextDone, rs.enc.textDone(rs.itemID, text))
	rs.emit(evPartDone, rs.enc.part(evPartDone, rs.itemID, text))
	rs.item = newOutputMessage(rs.itemID, status, text)
	rs.emit(evItemDone, rs.enc.item(evItemDone, rs.item))
	rs.obj.Output = append(rs.obj.Output[:0], rs.item)
	typ := evCompleted
	if status != statusCompleted {
		typ = evIncomplete
	}
	rs.ended = true
	rs.emit(typ, rs.enc.lifecycle(typ, rs.obj))
	return rs.err
}

// fail ends the stream with response.failed, carrying e and whatever text
// had been sent, as an incomplete message. It sends nothing after a
// terminal event.
func (rs *responseStream) fail(e *apiError) {
	if rs.ended {
		return
	}
	rs.begin()
	rs.ended = true
	o := rs.obj
	o.Status, o.Error = statusFailed, &responseError{Code: e.Code, Message: e.Message}
	if rs.item != nil {
		o.Output = append(o.Output[:0], newOutputMessage(rs.itemID, statusIncomplete, string(rs.text)))
	}
	rs.emit(evFailed, rs.enc.lifecycle(evFailed, o))
}
