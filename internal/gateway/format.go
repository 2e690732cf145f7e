package gateway

import (
	"bytes"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// Format is one OpenAI wire format, served on one POST route: it decodes
// a request into a chat.Request and encodes the model's answer. The core
// does everything around it (body, auth, model, limits, the SSE stream,
// errors, the record); internal/chatcompletions and internal/responses
// implement it.
type Format interface {
	// Path is the route the format answers, such as "/v1/responses".
	Path() string
	// Decode decodes and validates a request body within lim. A refusal
	// is an *Error naming the format's own parameter.
	Decode(body []byte, lim Limits) (Exchange, error)
	// Param names, in the format's own terms, the request parameter that
	// asks for a capability a model may lack: "tools", "images" or
	// "reasoning_effort", as chat.Capabilities.Missing names them.
	Param(capability string) string
	// ResponseID is the id the client knows the answer to request
	// requestID by (chatcmpl-…, resp_…): the id a kept stream is resumed
	// by.
	ResponseID(requestID string) string
	// ResumeError encodes e as the format's in-band error event, with id
	// seq, for a resumed stream whose end cannot be replayed.
	ResumeError(e *Error, seq int64) (name string, data []byte)
}

// Exchange is one decoded request of a Format and the answer to it.
type Exchange interface {
	// Request is what the model is asked. The core sets its Model.
	Request() *chat.Request
	// Streaming reports whether the answer is an SSE stream (Begin) or
	// one JSON object (Collect).
	Streaming() bool
	// Begin starts a streamed answer: every event it sends leaves
	// through out. The core calls the Stream's methods from one
	// goroutine, except Fail after a panic.
	Begin(m *Meta, out *Events) Stream
	// Collect encodes a whole answer as the JSON value to send, or
	// returns an error to answer instead (one the format could not
	// finish the answer for, such as a store that failed).
	Collect(m *Meta, a *Collected, res chat.Result, u chat.Usage) any
}

// Stream encodes one streamed answer as the format's events.
type Stream interface {
	// Delta relays a piece of the answer; an error (the client stopped
	// reading) stops the model.
	Delta(d chat.Delta) error
	// Switch names the model that answers instead after a failure
	// before the first delta (the fallback); m.Model already names it.
	Switch(model string)
	// Finish ends a complete answer with its finish reason and usage. An
	// error other than a write error means the format ended the stream
	// with its in-band error instead (see Fail).
	Finish(res chat.Result, u chat.Usage) error
	// Fail ends a started stream with an in-band error and nothing after
	// it. It sends nothing once the stream has ended.
	Fail(e *Error)
}

// Meta is what a format knows of the request it answers.
type Meta struct {
	ID      string    // the request id, from which formats derive their object ids
	Model   string    // the model that answers: the fallback's after a Switch
	Created time.Time // when the answer started
	Now     func() time.Time
}

// Limits bound what one request may ask for; formats check them while
// decoding.
type Limits struct {
	MaxMessages        int // messages, or input items
	MaxTokens          int // cap on the answer's tokens
	MaxTools           int
	MaxToolSchemaBytes int // per function: its parameters schema, its description
	MaxImages          int
	MaxImageBytes      int // per image, decoded
}

// Events is a stream's one way out: every event of every format leaves
// through Emit, which numbers it (the SSE id a client resumes from), keeps
// it for resuming when streams are kept, and starts the deferred stream
// with the first one.
type Events struct {
	out  *deferredStream
	err  error // the first write error: the client stopped reading
	next int64 // the id of the next event
	// keep also stores every event, so a client can resume the stream;
	// nil when streams are not kept.
	keep    *streambuf.Writer
	scratch []byte
}

// Emit sends one SSE event with its id: "event: name" (none when name is
// "") and the data. After a write error it sends nothing more and returns
// that error, unless the stream is kept: then the answer goes on for the
// client to resume, and Emit keeps storing its events.
func (e *Events) Emit(name string, data []byte) error {
	id := e.next
	e.next++
	if e.keep != nil {
		e.scratch = appendStored(e.scratch[:0], name, data)
		e.keep.Add(streambuf.Event{Seq: id, Data: e.scratch})
	}
	if e.err == nil {
		sw, err := e.out.writer()
		if err == nil {
			err = sw.Frame(id, name, data)
		}
		e.err = err
	}
	if e.keep != nil {
		return nil
	}
	return e.err
}

// appendStored encodes an event as it is kept: its name, a line break, its
// data (a name never holds a line break).
func appendStored(b []byte, name string, data []byte) []byte {
	b = append(b, name...)
	b = append(b, '\n')
	return append(b, data...)
}

// storedEvent decodes an event appendStored encoded.
func storedEvent(b []byte) (name string, data []byte) {
	n := bytes.IndexByte(b, '\n')
	if n < 0 {
		return "", b
	}
	return string(b[:n]), b[n+1:]
}
