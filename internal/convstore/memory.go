package convstore

import (
	"cmp"
	"context"
	"encoding/json"
	"maps"
	"slices"
	"sync"
	"time"
)

// MemoryResponses is how many stored responses Memory keeps per caller:
// past it the oldest go first, so a long local run stays bounded. (The
// DynamoDB store keeps every response until its TTL.)
const MemoryResponses = 1000

// Memory keeps records in this process: for local runs and tests. Records
// are copied in and out, so no caller shares memory with the store.
type Memory struct {
	cfg     Config
	mu      sync.Mutex
	callers map[string]*memCaller
}

type memCaller struct {
	order     []string // response ids, oldest first
	responses map[string]memResponse
	convs     map[string]*memConv
}

type memResponse struct {
	blob    []byte // the Response as JSON
	expires time.Time
}

type memConv struct {
	c       Conversation
	items   []Item
	expires time.Time
}

var _ Store = (*Memory)(nil)

// NewMemory returns an empty in-memory store.
func NewMemory(cfg Config) (*Memory, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	return &Memory{cfg: cfg, callers: map[string]*memCaller{}}, nil
}

// of returns caller's records, created on first use, with expired ones
// removed. m.mu must be held.
func (m *Memory) of(caller string) *memCaller {
	mc := m.callers[caller]
	if mc == nil {
		mc = &memCaller{responses: map[string]memResponse{}, convs: map[string]*memConv{}}
		m.callers[caller] = mc
	}
	now := m.cfg.Now()
	maps.DeleteFunc(mc.responses, func(_ string, r memResponse) bool { return !now.Before(r.expires) })
	mc.order = slices.DeleteFunc(mc.order, func(id string) bool { _, ok := mc.responses[id]; return !ok })
	maps.DeleteFunc(mc.convs, func(_ string, c *memConv) bool { return !now.Before(c.expires) })
	return mc
}

// PutResponse implements Store.
func (m *Memory) PutResponse(_ context.Context, caller string, r *Response) error {
	blob, err := json.Marshal(r)
	if err != nil {
		return err
	}
	if err := m.cfg.checkSize(len(blob)); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	mc := m.of(caller)
	if _, ok := mc.responses[r.ID]; !ok {
		mc.order = append(mc.order, r.ID)
	}
	mc.responses[r.ID] = memResponse{blob: blob, expires: r.Created.Add(m.cfg.TTL)}
	for len(mc.responses) > MemoryResponses {
		delete(mc.responses, mc.order[0])
		mc.order = mc.order[1:]
	}
	return nil
}

// Response implements Store.
func (m *Memory) Response(_ context.Context, caller, id string) (*Response, error) {
	m.mu.Lock()
	mr, ok := m.of(caller).responses[id]
	m.mu.Unlock()
	if !ok {
		return nil, ErrNotFound
	}
	r := &Response{ID: id}
	return r, json.Unmarshal(mr.blob, r)
}

// DeleteResponse implements Store.
func (m *Memory) DeleteResponse(_ context.Context, caller, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	mc := m.of(caller)
	if _, ok := mc.responses[id]; !ok {
		return ErrNotFound
	}
	delete(mc.responses, id)
	return nil
}

// CreateConversation implements Store.
func (m *Memory) CreateConversation(_ context.Context, caller string, c *Conversation, items []Item) error {
	if err := m.cfg.checkItems(items); err != nil {
		return err
	}
	if len(items) > m.cfg.MaxItems {
		return &CapError{Cap: CapItems, Limit: m.cfg.MaxItems}
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	mc := m.of(caller)
	if len(mc.convs) >= m.cfg.MaxConversations {
		return &CapError{Cap: CapConversations, Limit: m.cfg.MaxConversations}
	}
	now := m.cfg.Now()
	c.Created, c.Updated = now, now
	mc.convs[c.ID] = &memConv{c: copyConv(*c), items: copyItems(items), expires: now.Add(m.cfg.TTL)}
	return nil
}

// Conversation implements Store.
func (m *Memory) Conversation(_ context.Context, caller, id string) (*Conversation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, ok := m.of(caller).convs[id]
	if !ok {
		return nil, ErrNotFound
	}
	c := copyConv(mc.c)
	return &c, nil
}

// UpdateConversation implements Store.
func (m *Memory) UpdateConversation(_ context.Context, caller, id, title string, metadata map[string]string) (*Conversation, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, ok := m.of(caller).convs[id]
	if !ok {
		return nil, ErrNotFound
	}
	mc.c.Title, mc.c.Metadata, mc.c.Updated = title, maps.Clone(metadata), m.cfg.Now()
	c := copyConv(mc.c)
	return &c, nil
}

// DeleteConversation implements Store.
func (m *Memory) DeleteConversation(_ context.Context, caller, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	mc := m.of(caller)
	if _, ok := mc.convs[id]; !ok {
		return ErrNotFound
	}
	delete(mc.convs, id)
	return nil
}

// Conversations implements Store.
func (m *Memory) Conversations(_ context.Context, caller string, p Page) ([]Conversation, bool, error) {
	m.mu.Lock()
	list := make([]Conversation, 0, len(m.of(caller).convs))
	for _, mc := range m.of(caller).convs {
		list = append(list, copyConv(mc.c))
	}
	m.mu.Unlock()
	sortNewestFirst(list)
	rest, err := after(list, func(c Conversation) string { return c.ID }, p.After)
	if err != nil {
		return nil, false, err
	}
	out, more := page(rest, p)
	return out, more, nil
}

// sortNewestFirst orders conversations by their last change, newest first
// (ties by id, so pages are stable).
func sortNewestFirst(list []Conversation) {
	slices.SortFunc(list, func(a, b Conversation) int {
		if c := b.Updated.Compare(a.Updated); c != 0 {
			return c
		}
		return cmp.Compare(b.ID, a.ID)
	})
}

// AppendItems implements Store.
func (m *Memory) AppendItems(_ context.Context, caller, conversation string, items []Item) error {
	if err := m.cfg.checkItems(items); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, ok := m.of(caller).convs[conversation]
	if !ok {
		return ErrNotFound
	}
	if len(mc.items)+len(items) > m.cfg.MaxItems {
		return &CapError{Cap: CapItems, Limit: m.cfg.MaxItems}
	}
	mc.items = append(mc.items, copyItems(items)...)
	mc.c.Updated = m.cfg.Now()
	return nil
}

// Items implements Store.
func (m *Memory) Items(_ context.Context, caller, conversation string, p Page) ([]Item, bool, error) {
	m.mu.Lock()
	mc, ok := m.of(caller).convs[conversation]
	var list []Item
	if ok {
		list = copyItems(mc.items)
	}
	m.mu.Unlock()
	if !ok {
		return nil, false, ErrNotFound
	}
	if p.Desc {
		slices.Reverse(list)
	}
	rest, err := after(list, func(it Item) string { return it.ID }, p.After)
	if err != nil {
		return nil, false, err
	}
	out, more := page(rest, p)
	return out, more, nil
}

// Item implements Store.
func (m *Memory) Item(_ context.Context, caller, conversation, id string) (*Item, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, ok := m.of(caller).convs[conversation]
	if !ok {
		return nil, ErrNotFound
	}
	for _, it := range mc.items {
		if it.ID == id {
			it.Data = slices.Clone(it.Data)
			return &it, nil
		}
	}
	return nil, ErrNotFound
}

// DeleteItem implements Store.
func (m *Memory) DeleteItem(_ context.Context, caller, conversation, id string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	mc, ok := m.of(caller).convs[conversation]
	if !ok {
		return ErrNotFound
	}
	i := slices.IndexFunc(mc.items, func(it Item) bool { return it.ID == id })
	if i < 0 {
		return ErrNotFound
	}
	mc.items = slices.Delete(mc.items, i, i+1)
	mc.c.Updated = m.cfg.Now()
	return nil
}

// DeleteAll implements Store.
func (m *Memory) DeleteAll(_ context.Context, caller string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.callers, caller)
	return nil
}

func copyConv(c Conversation) Conversation {
	c.Metadata = maps.Clone(c.Metadata)
	return c
}

func copyItems(items []Item) []Item {
	out := make([]Item, len(items))
	for i, it := range items {
		out[i] = Item{ID: it.ID, Data: slices.Clone(it.Data)}
	}
	return out
}
