package convstore

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// Defaults, read by internal/app.
const (
	DefaultTTL              = 30 * 24 * time.Hour
	DefaultMaxConversations = 200
	DefaultMaxItems         = 1000
	DefaultMaxRecordBytes   = 8 << 20
)

// MaxPage is the most a page may hold, as OpenAI's list endpoints allow.
const MaxPage = 100

// ErrNotFound: no such record for this caller (it never existed, was
// deleted, expired, or belongs to someone else).
var ErrNotFound = errors.New("not found")

// CapError refuses a write that would pass one of the store's caps.
type CapError struct {
	Cap   string // "max_conversations", "max_items" or "max_record_bytes"
	Limit int
}

func (e *CapError) Error() string {
	switch e.Cap {
	case CapConversations:
		return "at most " + strconv.Itoa(e.Limit) + " conversations may be stored; delete one first"
	case CapItems:
		return "a conversation may hold at most " + strconv.Itoa(e.Limit) + " items"
	}
	return "a stored response or item may be at most " + strconv.Itoa(e.Limit) + " bytes"
}

// The caps a CapError names.
const (
	CapConversations = "max_conversations"
	CapItems         = "max_items"
	CapRecordBytes   = "max_record_bytes"
)

// Item is one item as the API shows it: a message, a function call, its
// output, a reasoning item.
type Item struct {
	ID   string          `json:"id"`
	Data json.RawMessage `json:"data"`
}

// Response is a stored response: what it was asked and what it answered,
// enough to continue from it (previous_response_id) and to show it again.
type Response struct {
	ID           string          `json:"-"`
	Created      time.Time       `json:"created"`
	Previous     string          `json:"previous,omitempty"`     // the response it continued
	Conversation string          `json:"conversation,omitempty"` // the conversation it belongs to
	Input        []Item          `json:"input"`                  // this request's own input items
	Output       []Item          `json:"output"`
	Object       json.RawMessage `json:"object"` // the response object as GET returns it
}

// Conversation is a conversation's own record; its items are read apart.
type Conversation struct {
	ID       string
	Created  time.Time
	Updated  time.Time // the last change: new items, title or metadata
	Title    string
	Metadata map[string]string
}

// Page asks for part of a list: the records after the one with id After
// (exclusive; "" from the start), at most Limit of them.
type Page struct {
	After string
	Limit int  // 1..MaxPage; 0 means 20
	Desc  bool // items: newest first (conversations are always newest first)
}

func (p Page) limit() int {
	if p.Limit <= 0 {
		return 20
	}
	return min(p.Limit, MaxPage)
}

// Store keeps stored responses and conversations, each under its caller.
// caller is the caller's identity as the gateway names it (one bucket per
// caller, e.g. "jwt:<issuer>#<sub>" or "key:<name>").
type Store interface {
	PutResponse(ctx context.Context, caller string, r *Response) error
	Response(ctx context.Context, caller, id string) (*Response, error)
	DeleteResponse(ctx context.Context, caller, id string) error

	// CreateConversation stores c (ID set by the caller) with its first
	// items; Created and Updated are set by the store.
	CreateConversation(ctx context.Context, caller string, c *Conversation, items []Item) error
	Conversation(ctx context.Context, caller, id string) (*Conversation, error)
	// UpdateConversation replaces the title and metadata.
	UpdateConversation(ctx context.Context, caller, id, title string, metadata map[string]string) (*Conversation, error)
	DeleteConversation(ctx context.Context, caller, id string) error
	// Conversations lists the caller's conversations, most recently
	// changed first.
	Conversations(ctx context.Context, caller string, p Page) (list []Conversation, more bool, err error)

	// AppendItems adds items, in order, at the end of a conversation.
	AppendItems(ctx context.Context, caller, conversation string, items []Item) error
	Items(ctx context.Context, caller, conversation string, p Page) (list []Item, more bool, err error)
	Item(ctx context.Context, caller, conversation, id string) (*Item, error)
	DeleteItem(ctx context.Context, caller, conversation, id string) error

	// DeleteAll removes everything the caller has stored.
	DeleteAll(ctx context.Context, caller string) error
}

// Config bounds what a store keeps. Zero values are not defaults: New*
// take the values as given, and internal/app fills in the Default*
// constants.
type Config struct {
	TTL              time.Duration // how long a record lives after it was created
	MaxConversations int           // per caller
	MaxItems         int           // per conversation
	MaxRecordBytes   int           // per stored response or item, as JSON
	Now              func() time.Time
}

// Validate reports the first value out of range.
func (c Config) Validate() error {
	switch {
	case c.TTL < time.Hour:
		return errors.New("convstore: TTL must be at least 1h")
	case c.MaxConversations < 1, c.MaxItems < 1, c.MaxRecordBytes < 1<<10:
		return errors.New("convstore: caps must be positive (record bytes at least 1 KiB)")
	case c.Now == nil:
		return errors.New("convstore: no clock")
	}
	return nil
}

func (c Config) checkSize(n int) error {
	if n > c.MaxRecordBytes {
		return &CapError{Cap: CapRecordBytes, Limit: c.MaxRecordBytes}
	}
	return nil
}

func (c Config) checkItems(items []Item) error {
	for _, it := range items {
		if it.ID == "" {
			return errors.New("convstore: an item needs an id")
		}
		if err := c.checkSize(len(it.Data)); err != nil {
			return err
		}
	}
	return nil
}

// after returns the part of list after the entry whose id is after, or
// ErrNotFound when there is no such entry.
func after[T any](list []T, id func(T) string, cursor string) ([]T, error) {
	if cursor == "" {
		return list, nil
	}
	for i, v := range list {
		if id(v) == cursor {
			return list[i+1:], nil
		}
	}
	return nil, ErrNotFound
}

// page cuts list to p's limit and reports whether more remain.
func page[T any](list []T, p Page) ([]T, bool) {
	if n := p.limit(); len(list) > n {
		return list[:n], true
	}
	return list, false
}
