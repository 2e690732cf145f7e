package bedrock

import (
	"context"
	"io"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// attemptRelay is what one attempt's stream does the same way whatever
// the API (InvokeModel or ConverseStream): it passes deltas on, the first
// one stopping the first-token timer and starting the idle watch, and
// says why a stream that stopped did.
type attemptRelay struct {
	ctx     context.Context
	timer   *time.Timer // the first-token timer; nil without one
	emit    chat.Emit
	timeout time.Duration
	onIdle  func() // closes the stream
	emitted bool
	idle    *idleWatch // from the first delta on
}

// send passes d on. Bind it once per attempt: a method value made per
// chunk would allocate per chunk.
func (r *attemptRelay) send(d chat.Delta) error {
	if r.ctx.Err() != nil {
		return r.ctx.Err()
	}
	if !r.emitted {
		if r.timer != nil && !r.timer.Stop() {
			return ErrFirstTokenTimeout // fired as the answer came in
		}
		r.emitted = true
		r.idle = startIdleWatch(r.timeout, r.onIdle)
	}
	return r.emit(d)
}

// waiting and busy mark a read of the next event, for the idle watch.
func (r *attemptRelay) waiting() {
	if r.idle != nil {
		r.idle.waiting()
	}
}

func (r *attemptRelay) busy() {
	if r.idle != nil {
		r.idle.busy()
	}
}

func (r *attemptRelay) stop() {
	if r.idle != nil {
		r.idle.stop()
	}
}

// end says why the stream stopped, given the read's error (nil or io.EOF
// at the end of the stream) and whether the model said it was done: the
// caller's context, the idle watch (both close the stream, which fails
// the read), the read's own error, a cut, or nil for a complete answer.
func (r *attemptRelay) end(read error, ended bool) error {
	switch {
	case r.ctx.Err() != nil:
		return r.ctx.Err()
	case r.idle != nil && r.idle.idle():
		return ErrIdleTimeout
	case read != nil && read != io.EOF:
		return read
	case !ended:
		return ErrStreamCut
	}
	return nil
}
