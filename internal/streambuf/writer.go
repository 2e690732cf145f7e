package streambuf

import (
	"context"
	"sync"
	"time"
)

// WriterConfig configures a Writer; zero fields take the defaults.
type WriterConfig struct {
	// FlushInterval is how long an event may wait in a batch before the
	// batch is written (DefaultFlushInterval). With the store's poll
	// interval it bounds how far a reader on another instance trails the
	// live stream; it also sets the number of writes per answer.
	FlushInterval time.Duration
	// BatchBytes writes a batch at once when it holds this much
	// (DefaultBatchBytes).
	BatchBytes int
	// MaxPending bounds what may wait while the store is slow
	// (DefaultMaxPending); past it the writer gives up with ErrTooLarge.
	MaxPending int
	// WriteTimeout bounds each store call (DefaultWriteTimeout).
	WriteTimeout time.Duration
	// CancelCheck, when positive, is how often the writer reads the
	// stream's header to learn of a Cancel; Cancelled reports it.
	CancelCheck time.Duration
	Clock       Clock
}

// Defaults of WriterConfig.
const (
	DefaultFlushInterval = 200 * time.Millisecond
	DefaultBatchBytes    = 32 << 10
	DefaultMaxPending    = 4 << 20
	DefaultWriteTimeout  = 5 * time.Second
)

// Writer appends a stream's events to a Store in batches, from a goroutine
// of its own, so that the relay never waits on the store.
type Writer struct {
	s   Store
	key Key
	cfg WriterConfig

	kick      chan struct{} // something for run to look at
	done      chan struct{} // run has returned
	cancelled chan struct{}

	mu      sync.Mutex
	pending []Event
	arena   []byte // the pending events' data, one after the other
	// spare are the slices of the last batch written, reused for the next
	// one: keeping an event costs no allocation once they have grown.
	spare      []Event
	spareArena []byte
	bytes      int   // of pending
	next       int64 // the number the next event must carry
	stored     int64 // the last number written to the store
	end        *End  // set by Close
	err        error // the first failure; events after it are dropped
	// onCancel runs once when a cancel is seen.
	onCancel func()
}

// Start records a new stream under key and returns its Writer.
func Start(ctx context.Context, s Store, key Key, h Header, cfg WriterConfig) (*Writer, error) {
	if err := s.Create(ctx, key, h); err != nil {
		return nil, err
	}
	return NewWriter(s, key, cfg), nil
}

// NewWriter writes the events of a stream that Create has already recorded
// (by this process or another), from event 0.
func NewWriter(s Store, key Key, cfg WriterConfig) *Writer {
	if cfg.FlushInterval <= 0 {
		cfg.FlushInterval = DefaultFlushInterval
	}
	if cfg.BatchBytes <= 0 {
		cfg.BatchBytes = DefaultBatchBytes
	}
	cfg.BatchBytes = min(cfg.BatchBytes, MaxItemBytes)
	if cfg.MaxPending <= 0 {
		cfg.MaxPending = DefaultMaxPending
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = DefaultWriteTimeout
	}
	cfg.Clock = clockOr(cfg.Clock)
	w := &Writer{
		s: s, key: key, cfg: cfg, stored: -1,
		kick: make(chan struct{}, 1), done: make(chan struct{}), cancelled: make(chan struct{}),
	}
	go w.run()
	return w
}

// Key is the stream the writer writes.
func (w *Writer) Key() Key { return w.key }

// Add queues ev, whose number must follow the previous event's. It copies
// ev.Data and never waits for the store. After a failure it does nothing:
// Close reports the failure.
func (w *Writer) Add(ev Event) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.err != nil || w.end != nil {
		return
	}
	if ev.Seq != w.next {
		w.err = ErrGap
		return
	}
	w.next++
	start := len(w.arena)
	w.arena = append(w.arena, ev.Data...)
	// The data may move when the arena grows; earlier events keep the old
	// array, which stays valid.
	w.pending = append(w.pending, Event{Seq: ev.Seq, Data: w.arena[start:len(w.arena):len(w.arena)]})
	w.bytes += len(ev.Data)
	if w.bytes > w.cfg.MaxPending {
		w.err = ErrTooLarge
		w.pending, w.arena, w.bytes = nil, nil, 0
	}
	if len(w.pending) == 1 || w.bytes >= w.cfg.BatchBytes || w.err != nil {
		w.poke()
	}
}

func (w *Writer) poke() {
	select {
	case w.kick <- struct{}{}:
	default:
	}
}

// Cancelled is closed when the stream's header asks for a cancel, as seen
// every CancelCheck.
func (w *Writer) Cancelled() <-chan struct{} { return w.cancelled }

// OnCancel sets f to run, once, from the writer's goroutine when a cancel
// is seen: a producer learns of it without a goroutine of its own.
func (w *Writer) OnCancel(f func()) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.onCancel = f
}

// Close writes what is queued and the stream's end (end.Last is set by the
// writer), then stops. A writer that failed writes an end of Failed after
// what it had stored, so readers are not left waiting, and returns the
// failure. Close waits for the store until ctx ends.
func (w *Writer) Close(ctx context.Context, end End) error {
	w.mu.Lock()
	if w.end == nil {
		end.Last = w.next - 1
		w.end = &end
	}
	w.mu.Unlock()
	w.poke()
	select {
	case <-w.done:
	case <-ctx.Done():
		return ctx.Err()
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err
}

func (w *Writer) run() {
	defer close(w.done)
	var flushAt <-chan time.Time // the current batch's deadline
	var check <-chan time.Time
	if w.cfg.CancelCheck > 0 {
		check = w.cfg.Clock.After(w.cfg.CancelCheck)
	}
	for {
		w.mu.Lock()
		end, failed, n, full := w.end, w.err != nil, len(w.pending), w.bytes >= w.cfg.BatchBytes
		w.mu.Unlock()
		switch {
		case failed:
			w.finishFailed(end)
			return
		case end != nil:
			w.flush(end)
			if w.failed() {
				continue // finishFailed
			}
			return
		case full:
			w.flush(nil)
			flushAt = nil
			continue
		case n > 0 && flushAt == nil:
			flushAt = w.cfg.Clock.After(w.cfg.FlushInterval)
		}
		select {
		case <-w.kick:
		case <-flushAt:
			w.flush(nil)
			flushAt = nil
		case <-check:
			w.checkCancel()
			check = w.cfg.Clock.After(w.cfg.CancelCheck)
		}
	}
}

func (w *Writer) failed() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.err != nil
}

// flush writes the queued events in batches of at most BatchBytes, the
// last one with end when end is not nil.
func (w *Writer) flush(end *End) {
	w.mu.Lock()
	events, arena := w.pending, w.arena
	w.pending, w.arena, w.bytes = w.spare[:0], w.spareArena[:0], 0
	w.spare, w.spareArena = nil, nil
	w.mu.Unlock()
	// The store copies what it keeps: once written, the slices serve the
	// next batch.
	defer func() {
		w.mu.Lock()
		w.spare, w.spareArena = events[:0], arena[:0]
		w.mu.Unlock()
	}()
	for {
		n, size := 0, 0
		for n < len(events) && (n == 0 || size+len(events[n].Data) <= w.cfg.BatchBytes) {
			size += len(events[n].Data)
			n++
		}
		var e *End
		if n == len(events) {
			e = end
		}
		if n == 0 && e == nil {
			return
		}
		if err := w.append(events[:n], e); err != nil {
			w.mu.Lock()
			if w.err == nil {
				w.err = err
			}
			w.mu.Unlock()
			return
		}
		if n > 0 {
			w.mu.Lock()
			w.stored = events[n-1].Seq
			w.mu.Unlock()
		}
		events = events[n:]
		if e != nil {
			return
		}
	}
}

func (w *Writer) append(events []Event, end *End) error {
	ctx, cancel := context.WithTimeout(context.Background(), w.cfg.WriteTimeout)
	defer cancel()
	return w.s.Append(ctx, w.key, events, end)
}

// finishFailed ends a stream whose events could not all be stored, so that
// readers stop at what was stored instead of waiting for the deadline.
// It waits for Close, so that the end carries the producer's Meta.
func (w *Writer) finishFailed(end *End) {
	for end == nil {
		<-w.kick
		w.mu.Lock()
		end = w.end
		w.mu.Unlock()
	}
	w.mu.Lock()
	last := w.stored
	w.mu.Unlock()
	// Best effort: the store has just failed, and may fail again.
	_ = w.append(nil, &End{State: Failed, Last: last, Meta: end.Meta})
}

func (w *Writer) checkCancel() {
	select {
	case <-w.cancelled:
		return
	default:
	}
	ctx, cancel := context.WithTimeout(context.Background(), w.cfg.WriteTimeout)
	defer cancel()
	if h, err := w.s.Header(ctx, w.key); err == nil && h.CancelRequested {
		close(w.cancelled)
		w.mu.Lock()
		f := w.onCancel
		w.mu.Unlock()
		if f != nil {
			f()
		}
	}
}
