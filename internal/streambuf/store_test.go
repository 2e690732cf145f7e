package streambuf_test

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

func TestStoreCreateAndHeader(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open func() streambuf.Store, c *clock) {
		s, ctx := open(), context.Background()
		deadline := t0.Add(15 * time.Minute)
		create(t, s, alice, deadline)
		if err := s.Create(ctx, alice, streambuf.Header{}); !errors.Is(err, streambuf.ErrExists) {
			t.Fatalf("second Create: %v; want ErrExists", err)
		}
		h, err := open().Header(ctx, alice)
		if err != nil || string(h.Meta) != "meta" || !h.Deadline.Equal(deadline) || h.CancelRequested {
			t.Fatalf("Header = %+v, %v", h, err)
		}
		for _, k := range []streambuf.Key{bob, {Caller: alice.Caller, ID: "resp_2"}} {
			if _, err := s.Header(ctx, k); !errors.Is(err, streambuf.ErrNotFound) {
				t.Errorf("Header(%v): %v; want ErrNotFound", k, err)
			}
			if _, _, err := s.Events(ctx, k, -1); err != nil && !errors.Is(err, streambuf.ErrNotFound) {
				t.Errorf("Events(%v): %v", k, err)
			}
		}
		if err := s.Create(ctx, streambuf.Key{Caller: "a", ID: "x#y"}, streambuf.Header{}); !errors.Is(err, streambuf.ErrInvalidKey) {
			t.Errorf("Create with # in the id: %v; want ErrInvalidKey", err)
		}
	})
}

func TestStoreAppendAndRead(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open func() streambuf.Store, c *clock) {
		s, ctx := open(), context.Background()
		create(t, s, alice, t0.Add(time.Minute))
		all := events(0, 10)
		for _, batch := range [][]streambuf.Event{all[:3], all[3:4], all[4:9]} {
			if err := s.Append(ctx, alice, batch, nil); err != nil {
				t.Fatal(err)
			}
		}
		reader := open()
		for _, after := range []int64{-1, 0, 2, 3, 5, 8, 9, 20} {
			got, end, err := reader.Events(ctx, alice, after)
			want := all[min(after+1, 9):9]
			if err != nil || end != nil || !sameEvents(got, want) {
				t.Errorf("Events after %d = %v, %v, %v; want %d events from %d", after, seqs(got), end, err, len(want), after+1)
			}
		}
		if _, end, err := streambuf.Status(ctx, reader, alice); err != nil || end != nil {
			t.Fatalf("Status of a running stream: end %v, %v", end, err)
		}
		end := &streambuf.End{State: streambuf.Completed, Last: 9, Meta: []byte("final")}
		if err := s.Append(ctx, alice, all[9:], end); err != nil {
			t.Fatal(err)
		}
		got, gotEnd, err := reader.Events(ctx, alice, 7)
		if err != nil || !sameEvents(got, all[8:]) || gotEnd == nil || gotEnd.State != streambuf.Completed || gotEnd.Last != 9 || string(gotEnd.Meta) != "final" {
			t.Fatalf("after the end: %v, %+v, %v", seqs(got), gotEnd, err)
		}
		h, gotEnd, err := streambuf.Status(ctx, reader, alice)
		if err != nil || string(h.Meta) != "meta" || gotEnd == nil || gotEnd.State != streambuf.Completed {
			t.Fatalf("Status = %+v, %+v, %v", h, gotEnd, err)
		}
		if got, _, _ := reader.Events(ctx, bob, -1); len(got) != 0 {
			t.Fatalf("another caller read %d events", len(got))
		}
	})
}

func TestStoreRejectsEventsThatDoNotFollow(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open func() streambuf.Store, c *clock) {
		s, ctx := open(), context.Background()
		create(t, s, alice, t0.Add(time.Minute))
		broken := append(events(0, 2), events(3, 1)...)
		if err := s.Append(ctx, alice, broken, nil); !errors.Is(err, streambuf.ErrGap) {
			t.Fatalf("Append 0,1,3: %v; want ErrGap", err)
		}
	})
}

func TestStoreCancel(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open func() streambuf.Store, c *clock) {
		s, ctx := open(), context.Background()
		create(t, s, alice, t0.Add(time.Minute))
		if err := open().Cancel(ctx, bob); !errors.Is(err, streambuf.ErrNotFound) {
			t.Fatalf("Cancel of another caller's stream: %v; want ErrNotFound", err)
		}
		if h, _ := s.Header(ctx, alice); h.CancelRequested {
			t.Fatal("cancelled before Cancel")
		}
		if err := open().Cancel(ctx, alice); err != nil {
			t.Fatal(err)
		}
		if h, err := s.Header(ctx, alice); err != nil || !h.CancelRequested || string(h.Meta) != "meta" {
			t.Fatalf("Header after Cancel = %+v, %v", h, err)
		}
	})
}

// TestStoreForgetsAfterTTL: a stream is not found once its TTL has passed,
// even while DynamoDB has not deleted its items yet, and its key may be
// used again.
func TestStoreForgetsAfterTTL(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open func() streambuf.Store, c *clock) {
		s, ctx := open(), context.Background()
		create(t, s, alice, t0.Add(time.Minute))
		c.Advance(streambuf.DefaultTTL - time.Second)
		if _, err := s.Header(ctx, alice); err != nil {
			t.Fatalf("just before the TTL: %v", err)
		}
		c.Advance(time.Second)
		if _, err := s.Header(ctx, alice); !errors.Is(err, streambuf.ErrNotFound) {
			t.Fatalf("at the TTL: %v; want ErrNotFound", err)
		}
		if err := s.Cancel(ctx, alice); !errors.Is(err, streambuf.ErrNotFound) {
			t.Fatalf("Cancel at the TTL: %v; want ErrNotFound", err)
		}
		create(t, s, alice, c.Now().Add(time.Minute))
	})
}

func sameEvents(a, b []streambuf.Event) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Seq != b[i].Seq || !bytes.Equal(a[i].Data, b[i].Data) {
			return false
		}
	}
	return true
}

func seqs(evs []streambuf.Event) []int64 {
	out := make([]int64, len(evs))
	for i, ev := range evs {
		out[i] = ev.Seq
	}
	return out
}
