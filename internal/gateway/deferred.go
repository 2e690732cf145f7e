package gateway

import (
	"context"
	"net/http"
	"sync"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/sse"
)

// deferredStream holds a stream's status line back until there is
// something to send: the first token, or a ping once the heartbeat interval
// has passed in silence. Until then a failure can still be answered with
// its own status (a 400 for the client's mistake, a 502 for the
// upstream's), which a 200 already sent would rule out.
//
// The silent start waits on a timer's callback, not in a goroutine of its
// own, as the heartbeat after it does: an open stream holds no goroutine of
// the gateway's while it waits.
type deferredStream struct {
	ctx      context.Context
	w        http.ResponseWriter
	interval time.Duration // <= 0: no heartbeat, the status waits for the first token

	mu        sync.Mutex // held while the stream starts
	sw        *sse.Writer
	err       error // from starting the stream
	stopped   bool
	silence   *time.Timer // starts the stream with a ping; nil without a heartbeat
	heartbeat func()      // stops the started stream's heartbeat
}

func deferStream(ctx context.Context, w http.ResponseWriter, interval time.Duration) *deferredStream {
	d := &deferredStream{ctx: ctx, w: w, interval: interval, heartbeat: func() {}}
	if interval > 0 {
		d.mu.Lock()
		d.silence = time.AfterFunc(interval, d.pingWhenSilent)
		d.mu.Unlock()
	}
	return d
}

// pingWhenSilent starts the stream with a ping when nothing else has
// started it within the heartbeat interval.
func (d *deferredStream) pingWhenSilent() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sw != nil || d.err != nil || d.stopped || d.ctx.Err() != nil {
		return
	}
	if sw, err := d.startLocked(); err == nil {
		_ = sw.Comment("ping")
	}
}

// writer returns the stream, sending the status line and the SSE headers
// first if they have not left yet.
func (d *deferredStream) writer() (*sse.Writer, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.startLocked()
}

func (d *deferredStream) startLocked() (*sse.Writer, error) {
	if d.sw == nil && d.err == nil {
		if d.silence != nil {
			d.silence.Stop()
		}
		sw, err := startStream(d.w)
		if err != nil {
			d.err = err
			return nil, err
		}
		d.sw = sw
		if !d.stopped {
			d.heartbeat = sw.Heartbeat(d.ctx, d.interval)
		}
	}
	return d.sw, d.err
}

// started reports whether the status line has left (or failed to).
func (d *deferredStream) started() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.sw != nil || d.err != nil
}

// stop ends the heartbeat, before and after the start: no ping is written
// once stop returns (one being written holds the lock, or the heartbeat's
// own, until it is done). It may be called more than once.
func (d *deferredStream) stop() {
	d.mu.Lock()
	d.stopped = true
	if d.silence != nil {
		d.silence.Stop()
	}
	hb := d.heartbeat
	d.mu.Unlock()
	hb()
}
