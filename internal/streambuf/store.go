package streambuf

import (
	"context"
	"errors"
	"strings"
	"time"
)

// Key addresses one stream: whose it is and which response it carries.
type Key struct {
	// Caller is the verified identity of the client that started the
	// stream; a reader must present the same one.
	Caller string
	// ID is the response id the client was given (chatcmpl-…, resp_…).
	ID string
}

// Valid reports whether k can address a stream: both parts set, and an id
// without '#', which separates the parts in the DynamoDB key.
func (k Key) Valid() bool {
	return k.Caller != "" && k.ID != "" && !strings.Contains(k.ID, "#") && len(k.Caller)+len(k.ID) < 1024
}

// Event is one SSE event of a stream, numbered from 0 without gaps.
type Event struct {
	Seq  int64
	Data []byte // the event as the wire format encodes it, without its id
}

// State is where a stream stands.
type State string

// The states of a stream. Every state but Running is final.
const (
	Running   State = "in_progress"
	Completed State = "completed"
	Failed    State = "failed"
	Cancelled State = "cancelled"
)

// Header is what a stream's producer records when it starts.
type Header struct {
	// Meta is the producer's own record of the stream (the gateway keeps
	// the response object there); the store does not read it.
	Meta []byte
	// Deadline is when the producer will have stopped at the latest; a
	// stream with no end after it has lost its producer.
	Deadline time.Time
	// CancelRequested is set by Store.Cancel.
	CancelRequested bool
	// Job is the work of a stream produced by another invocation than
	// the one that created it (a background answer on Lambda), kept with
	// the stream until that invocation claims it (Store.Claim); nil for a
	// stream produced where it was asked. The store does not read it.
	Job []byte
	// Claimed is set once Claim has given the job to its producer.
	Claimed bool
}

// End is how a stream ended.
type End struct {
	State State
	// Last is the number of the stream's last event; -1 when it had none.
	Last int64
	// Meta replaces the Header's Meta once the stream has ended.
	Meta []byte
}

// Store keeps streams. Every method is safe for concurrent use, also by
// many processes sharing the store.
type Store interface {
	// Create records a new stream. It fails with ErrExists when key
	// already has one.
	Create(ctx context.Context, key Key, h Header) error
	// Header returns what Create recorded, with CancelRequested as it
	// stands. A stream that does not exist, or has expired, is
	// ErrNotFound.
	Header(ctx context.Context, key Key) (Header, error)
	// Append stores events, which continue the stream without a gap, and,
	// when end is not nil, the stream's end after them.
	Append(ctx context.Context, key Key, events []Event, end *End) error
	// Events returns events stored after number after, in order, and the
	// stream's end when it has been written. It may return fewer events
	// than are stored (a reader asks again); never a gap.
	Events(ctx context.Context, key Key, after int64) ([]Event, *End, error)
	// Cancel asks the stream's producer to stop; the producer learns of it
	// from Header. ErrNotFound when there is no such stream.
	Cancel(ctx context.Context, key Key) error
	// Claim gives the stream's job to the one producer that asks first
	// with the job's hash (JobHash), in one atomic step: it sets Claimed
	// and the Deadline to deadline, and returns the header. It changes
	// nothing and fails with ErrNotFound when there is no such stream,
	// ErrNoJob when it has no job or one of another hash, ErrClaimed when
	// the job was claimed already, and ErrJobExpired when the header's
	// deadline (by when the job had to be claimed) has passed.
	Claim(ctx context.Context, key Key, hash string, deadline time.Time) (Header, error)
	// Wait returns when events after after may have been stored, the
	// stream may have ended, or a bounded interval has passed, whichever
	// comes first; or with ctx's error.
	Wait(ctx context.Context, key Key, after int64) error
}

// Sentinel errors of this package.
var (
	// ErrNotFound: no stream for this key (never created, expired, or
	// another caller's).
	ErrNotFound = errors.New("stream not found")
	// ErrExists: Create found a stream under the key.
	ErrExists = errors.New("stream already exists")
	// ErrGap: Append was given events that do not continue the stream.
	ErrGap = errors.New("events do not continue the stream")
	// ErrTooLarge: an event, or the memory store as a whole, is over its
	// size limit.
	ErrTooLarge = errors.New("stream too large for the store")
	// ErrProducerLost: the stream's deadline passed with no end written.
	ErrProducerLost = errors.New("stream's producer stopped without ending it")
	// ErrInvalidKey: the key cannot address a stream (Key.Valid).
	ErrInvalidKey = errors.New("invalid stream key")
	// ErrNoJob: Claim found no job of that hash.
	ErrNoJob = errors.New("stream has no such job")
	// ErrClaimed: Claim found the job claimed already.
	ErrClaimed = errors.New("job already claimed")
	// ErrJobExpired: Claim came after the job's deadline.
	ErrJobExpired = errors.New("job not claimed before its deadline")
)

// Clock is the time source of the package; tests inject their own.
type Clock interface {
	Now() time.Time
	After(d time.Duration) <-chan time.Time
}

// SystemClock is the real clock.
type SystemClock struct{}

// Now implements Clock.
func (SystemClock) Now() time.Time { return time.Now() }

// After implements Clock.
func (SystemClock) After(d time.Duration) <-chan time.Time { return time.After(d) }

func clockOr(c Clock) Clock {
	if c == nil {
		return SystemClock{}
	}
	return c
}

// DefaultTTL is how long a stream stays readable after it was created.
const DefaultTTL = time.Hour

// Status returns a stream's header and, once it has ended, its end: all a
// reader needs to describe the stream without its events.
func Status(ctx context.Context, s Store, key Key) (Header, *End, error) {
	h, err := s.Header(ctx, key)
	if err != nil {
		return Header{}, nil, err
	}
	_, end, err := s.Events(ctx, key, lastSeq)
	if err != nil {
		return Header{}, nil, err
	}
	return h, end, nil
}

// lastSeq is beyond any event number, so Events after it returns only the
// end.
const lastSeq = 1<<53 - 1
