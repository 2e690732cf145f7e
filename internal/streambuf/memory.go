package streambuf

import (
	"context"
	"slices"
	"sync"
	"time"
)

// MemoryConfig configures a Memory store; zero fields take the defaults.
type MemoryConfig struct {
	// TTL is how long a stream stays after it was created (DefaultTTL).
	TTL time.Duration
	// MaxBytes bounds the event data held for all streams together
	// (DefaultMemoryBytes); an Append over it fails with ErrTooLarge.
	MaxBytes int64
	// WakeInterval bounds how long Wait blocks with nothing happening,
	// so that a reader notices a deadline (default 1s).
	WakeInterval time.Duration
	Clock        Clock
}

// DefaultMemoryBytes is the default bound on the event data a Memory store
// holds.
const DefaultMemoryBytes = 256 << 20

// Memory keeps streams in the process. Readers are woken as soon as a
// batch is appended. Streams are forgotten after their TTL.
type Memory struct {
	cfg MemoryConfig

	mu        sync.Mutex
	streams   map[Key]*memStream
	bytes     int64
	nextSweep time.Time
}

type memStream struct {
	h       Header
	expires time.Time
	events  []Event
	data    []byte // the events' data, one after the other
	bytes   int64
	end     *End
	changed chan struct{} // closed and replaced on every change
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty store.
func NewMemory(cfg MemoryConfig) *Memory {
	if cfg.TTL <= 0 {
		cfg.TTL = DefaultTTL
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMemoryBytes
	}
	if cfg.WakeInterval <= 0 {
		cfg.WakeInterval = time.Second
	}
	cfg.Clock = clockOr(cfg.Clock)
	return &Memory{cfg: cfg, streams: map[Key]*memStream{}}
}

// live returns the stream under key unless it has expired. m.mu is held.
func (m *Memory) live(key Key) (*memStream, error) {
	if !key.Valid() {
		return nil, ErrInvalidKey
	}
	st := m.streams[key]
	if st == nil || !m.cfg.Clock.Now().Before(st.expires) {
		return nil, ErrNotFound
	}
	return st, nil
}

// sweep forgets expired streams, at most once a tenth of the TTL. m.mu is
// held.
func (m *Memory) sweep(now time.Time) {
	if now.Before(m.nextSweep) {
		return
	}
	m.nextSweep = now.Add(m.cfg.TTL / 10)
	for k, st := range m.streams {
		if !now.Before(st.expires) {
			m.bytes -= st.bytes
			delete(m.streams, k)
		}
	}
}

// Create implements Store.
func (m *Memory) Create(ctx context.Context, key Key, h Header) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if !key.Valid() {
		return ErrInvalidKey
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.cfg.Clock.Now()
	m.sweep(now)
	if st := m.streams[key]; st != nil && now.Before(st.expires) {
		return ErrExists
	}
	h.Meta, h.Job = slices.Clone(h.Meta), slices.Clone(h.Job)
	m.streams[key] = &memStream{h: h, expires: now.Add(m.cfg.TTL), changed: make(chan struct{})}
	return nil
}

// Header implements Store.
func (m *Memory) Header(ctx context.Context, key Key) (Header, error) {
	if err := ctx.Err(); err != nil {
		return Header{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.live(key)
	if err != nil {
		return Header{}, err
	}
	return st.h, nil
}

// Append implements Store.
func (m *Memory) Append(ctx context.Context, key Key, events []Event, end *End) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.live(key)
	if err != nil {
		return err
	}
	next := int64(len(st.events))
	var size int64
	for i, ev := range events {
		if ev.Seq != next+int64(i) {
			return ErrGap
		}
		size += int64(len(ev.Data))
	}
	if m.bytes+size > m.cfg.MaxBytes {
		return ErrTooLarge
	}
	if st.end != nil {
		return ErrGap // nothing follows an end
	}
	for _, ev := range events {
		// One growing array per stream rather than one per event; an
		// event keeps the array it was copied into when the array moves.
		start := len(st.data)
		st.data = append(st.data, ev.Data...)
		st.events = append(st.events, Event{Seq: ev.Seq, Data: st.data[start:len(st.data):len(st.data)]})
	}
	st.bytes += size
	m.bytes += size
	if end != nil {
		e := *end
		e.Meta = slices.Clone(e.Meta)
		st.end = &e
	}
	close(st.changed)
	st.changed = make(chan struct{})
	return nil
}

// Events implements Store. The events returned share their Data with the
// store, which never changes it.
func (m *Memory) Events(ctx context.Context, key Key, after int64) ([]Event, *End, error) {
	if err := ctx.Err(); err != nil {
		return nil, nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.live(key)
	if err != nil {
		return nil, nil, err
	}
	from := min(max(after+1, 0), int64(len(st.events)))
	return slices.Clone(st.events[from:]), st.end, nil
}

// Cancel implements Store.
func (m *Memory) Cancel(ctx context.Context, key Key) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	st, err := m.live(key)
	if err != nil {
		return err
	}
	st.h.CancelRequested = true
	close(st.changed)
	st.changed = make(chan struct{})
	return nil
}

// Wait implements Store: it returns as soon as the stream changes.
func (m *Memory) Wait(ctx context.Context, key Key, after int64) error {
	m.mu.Lock()
	st, err := m.live(key)
	if err != nil {
		m.mu.Unlock()
		return err
	}
	if int64(len(st.events))-1 > after || st.end != nil {
		m.mu.Unlock()
		return nil
	}
	changed := st.changed
	m.mu.Unlock()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-changed:
	case <-m.cfg.Clock.After(m.cfg.WakeInterval):
	}
	return nil
}
