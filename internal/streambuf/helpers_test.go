package streambuf_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/streambuf"
	"github.com/chatbot-gateway/chatbot/test/dynalite"
)

// t0 is a fixed instant the tests count from.
var t0 = time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC)

// clock is a Clock whose Now the test moves; its timers are the time
// package's (fake inside a synctest bubble).
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func newClock() *clock { return &clock{now: t0} }

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) After(d time.Duration) <-chan time.Time { return time.After(d) }

func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// opener opens a store; called twice for one test, the two stores share
// what they hold, as two processes sharing one table do.
type opener func(t testing.TB, c streambuf.Clock) func() streambuf.Store

// stores are the Store implementations every contract test runs against.
var stores = []struct {
	name string
	open opener
}{
	{"memory", func(_ testing.TB, c streambuf.Clock) func() streambuf.Store {
		m := streambuf.NewMemory(streambuf.MemoryConfig{Clock: c})
		return func() streambuf.Store { return m }
	}},
	{"dynamodb", openDynamo},
}

// openDynamo returns stores on one fresh table, each with a client of its
// own.
func openDynamo(t testing.TB, c streambuf.Clock) func() streambuf.Store {
	t.Helper()
	url := dynalite.Endpoint(t)
	table := dynalite.StreamTable(t, url)
	return func() streambuf.Store {
		return streambuf.NewDynamo(dynalite.Client(t, url), table,
			streambuf.DynamoConfig{Clock: c, PollInterval: 5 * time.Millisecond})
	}
}

func eachStore(t *testing.T, test func(t *testing.T, open func() streambuf.Store, c *clock)) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			c := newClock()
			test(t, st.open(t, c), c)
		})
	}
}

var (
	alice = streambuf.Key{Caller: "jwt:alice", ID: "resp_1"}
	bob   = streambuf.Key{Caller: "jwt:bob", ID: "resp_1"}
)

// events returns events numbered from first, with text naming each.
func events(first, n int) []streambuf.Event {
	out := make([]streambuf.Event, n)
	for i := range out {
		seq := int64(first + i)
		out[i] = streambuf.Event{Seq: seq, Data: fmt.Appendf(nil, "data: {\"n\":%d}\n\n", seq)}
	}
	return out
}

func create(t testing.TB, s streambuf.Store, key streambuf.Key, deadline time.Time) {
	t.Helper()
	if err := s.Create(context.Background(), key, streambuf.Header{Meta: []byte("meta"), Deadline: deadline}); err != nil {
		t.Fatalf("Create: %v%s", err, dynalite.Exited())
	}
}

// collect follows key from after and returns what it emitted and how the
// stream ended.
func collect(ctx context.Context, s streambuf.Store, key streambuf.Key, after int64, c streambuf.Clock) ([]streambuf.Event, streambuf.End, error) {
	var got []streambuf.Event
	end, err := streambuf.Follow(ctx, s, key, after, func(ev streambuf.Event) error {
		got = append(got, ev)
		return nil
	}, streambuf.FollowConfig{Clock: c})
	return got, end, err
}

// counting counts the Append calls a store receives and can fail them.
type counting struct {
	streambuf.Store
	appends atomic.Int64
	fail    atomic.Int64 // fail the next n appends
}

func (c *counting) Append(ctx context.Context, key streambuf.Key, evs []streambuf.Event, end *streambuf.End) error {
	c.appends.Add(1)
	if c.fail.Load() > 0 {
		c.fail.Add(-1)
		return fmt.Errorf("append: injected failure")
	}
	return c.Store.Append(ctx, key, evs, end)
}
