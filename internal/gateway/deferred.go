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
type deferredStream struct {
	ctx      context.Context
	w        http.ResponseWriter
	interval time.Duration // <= 0: no heartbeat, the status waits for the first token

	mu        sync.Mutex
	sw        *sse.Writer
	err       error // from starting the stream
	stopped   bool
	heartbeat func() // stops the started stream's heartbeat

	quit     chan struct{}
	quitOnce sync.Once
	wg       sync.WaitGroup
}

func deferStream(ctx context.Context, w http.ResponseWriter, interval time.Duration) *deferredStream {
	d := &deferredStream{ctx: ctx, w: w, interval: interval, heartbeat: func() {}, quit: make(chan struct{})}
	if interval > 0 {
		d.wg.Add(1)
		go d.pingWhenSilent()
	}
	return d
}

// pingWhenSilent starts the stream with a ping when nothing else has
// started it within the heartbeat interval.
func (d *deferredStream) pingWhenSilent() {
	defer d.wg.Done()
	t := time.NewTimer(d.interval)
	defer t.Stop()
	select {
	case <-t.C:
	case <-d.quit:
		return
	case <-d.ctx.Done():
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.sw != nil || d.err != nil || d.stopped {
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

// stop ends the heartbeat, before and after the start, and waits for it:
// no ping is written once stop returns. It may be called more than once.
func (d *deferredStream) stop() {
	d.mu.Lock()
	d.stopped = true
	d.mu.Unlock()
	d.quitOnce.Do(func() { close(d.quit) })
	d.wg.Wait()
	d.mu.Lock()
	hb := d.heartbeat
	d.mu.Unlock()
	hb()
}
