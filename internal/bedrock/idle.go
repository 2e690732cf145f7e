package bedrock

import (
	"math"
	"sync/atomic"
	"time"
)

// idleWatch ends a stream that stays silent for d while it is waited on.
// It runs on a timer's callback, so the loop that reads the stream's events
// receives from one channel (a select over the events, the context and an
// idle timer cost about as much per event as decoding it) and marks only
// when it starts and stops waiting. A silence is counted from the start of
// a wait: time spent handing text to a slow client is not the upstream's.
type idleWatch struct {
	d      time.Duration
	base   time.Time    // the clock's origin for since
	since  atomic.Int64 // when the current wait began, as time since base, plus 1; 0 while not waiting
	fired  atomic.Bool
	t      *time.Timer
	onIdle func()
}

// startIdleWatch starts watching; onIdle is called, once, when a wait
// lasts d. Call stop when the stream ends.
func startIdleWatch(d time.Duration, onIdle func()) *idleWatch {
	w := &idleWatch{d: d, base: time.Now(), onIdle: onIdle}
	// Armed once w.t is set, which check reads.
	w.t = time.AfterFunc(math.MaxInt64, w.check)
	w.t.Reset(d)
	return w
}

// waiting marks the start of a wait for the next event.
func (w *idleWatch) waiting() { w.since.Store(int64(time.Since(w.base)) + 1) }

// busy marks the end of a wait: an event arrived.
func (w *idleWatch) busy() { w.since.Store(0) }

// idle reports whether the watch ended the stream.
func (w *idleWatch) idle() bool { return w.fired.Load() }

func (w *idleWatch) stop() { w.t.Stop() }

// check runs when the timer fires: the stream is idle if the current wait
// began d ago; otherwise the timer is set for when it would be.
func (w *idleWatch) check() {
	s := w.since.Load()
	if s == 0 {
		w.t.Reset(w.d)
		return
	}
	waited := time.Since(w.base) - time.Duration(s-1)
	if waited < w.d {
		w.t.Reset(w.d - waited)
		return
	}
	w.fired.Store(true)
	w.onIdle()
}
