package quota

import (
	"context"
	"sync"
	"time"
)

// MemoryStore keeps the counts in the process: limits hold per process,
// which is what a local run needs and nothing more. Lambda instances share
// nothing, so on Lambda use DynamoStore.
type MemoryStore struct {
	now func() time.Time

	mu       sync.Mutex
	counters map[string]*counter
	sets     map[string]map[string]time.Time // key → slot → expiry
	usage    map[string]*usageRecord
	ops      int
}

type usageRecord struct {
	u       Usage
	expires time.Time
}

type counter struct {
	n       int64
	expires time.Time
}

// sweepEvery is how many operations pass between sweeps of forgotten
// counters and expired slots, which keeps the maps bounded by the callers
// of the last hour.
const sweepEvery = 1024

// NewMemoryStore returns an empty store. now tells when counters may be
// forgotten (nil: time.Now); pass the Limiter's clock.
func NewMemoryStore(now func() time.Time) *MemoryStore {
	if now == nil {
		now = time.Now
	}
	return &MemoryStore{now: now, counters: map[string]*counter{}, sets: map[string]map[string]time.Time{},
		usage: map[string]*usageRecord{}}
}

var _ Store = (*MemoryStore)(nil)

// Take implements Store.
func (m *MemoryStore) Take(ctx context.Context, key string, n, limit int64, expires time.Time) (int64, bool, error) {
	if err := ctx.Err(); err != nil {
		return 0, false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tick()
	c := m.counters[key]
	if c == nil {
		c = &counter{}
		m.counters[key] = c
	}
	if c.n >= limit {
		return c.n, false, nil
	}
	c.n += n
	c.expires = expires
	return c.n, true, nil
}

// Add implements Store.
func (m *MemoryStore) Add(ctx context.Context, key string, delta int64, expires time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.counters[key]
	if c == nil {
		c = &counter{}
		m.counters[key] = c
	}
	c.n += delta
	c.expires = expires
	return nil
}

// Acquire implements Store.
func (m *MemoryStore) Acquire(ctx context.Context, key, id string, limit int64, now, expires time.Time) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tick()
	set := m.sets[key]
	if set == nil {
		set = map[string]time.Time{}
		m.sets[key] = set
	}
	for slot, exp := range set {
		if !exp.After(now) {
			delete(set, slot)
		}
	}
	if int64(len(set)) >= limit {
		return false, nil
	}
	set[id] = expires
	return true, nil
}

// Renew implements Store.
func (m *MemoryStore) Renew(ctx context.Context, key, id string, expires time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if set := m.sets[key]; set != nil {
		if _, ok := set[id]; ok {
			set[id] = expires
		}
	}
	return nil
}

// Release implements Store.
func (m *MemoryStore) Release(ctx context.Context, key, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if set := m.sets[key]; set != nil {
		delete(set, id)
		if len(set) == 0 {
			delete(m.sets, key)
		}
	}
	return nil
}

// AddUsage implements Store.
func (m *MemoryStore) AddUsage(ctx context.Context, key string, u Usage, expires time.Time) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.tick()
	r := m.usage[key]
	if r == nil {
		r = &usageRecord{}
		m.usage[key] = r
	}
	r.u = r.u.plus(u)
	r.expires = expires
	return nil
}

// GetUsage implements Store.
func (m *MemoryStore) GetUsage(ctx context.Context, key string) (Usage, error) {
	if err := ctx.Err(); err != nil {
		return Usage{}, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if r := m.usage[key]; r != nil {
		return r.u, nil
	}
	return Usage{}, nil
}

// tick sweeps now and then. m.mu is held.
func (m *MemoryStore) tick() {
	if m.ops++; m.ops < sweepEvery {
		return
	}
	m.ops = 0
	now := m.now()
	for k, c := range m.counters {
		if now.After(c.expires) {
			delete(m.counters, k)
		}
	}
	for k, r := range m.usage {
		if now.After(r.expires) {
			delete(m.usage, k)
		}
	}
	for k, set := range m.sets {
		for slot, exp := range set {
			if !exp.After(now) {
				delete(set, slot)
			}
		}
		if len(set) == 0 {
			delete(m.sets, k)
		}
	}
}
