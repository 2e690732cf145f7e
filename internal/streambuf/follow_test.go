package streambuf_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// TestFollowResumesALiveStream: a reader on another instance that resumes
// in the middle of an answer gets exactly the rest, live, then the end.
func TestFollowResumesALiveStream(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open func() streambuf.Store, c *clock) {
		producer, reader := open(), open()
		w, err := streambuf.Start(t.Context(), producer, alice, streambuf.Header{Deadline: t0.Add(time.Minute)},
			streambuf.WriterConfig{FlushInterval: 5 * time.Millisecond, Clock: c})
		if err != nil {
			t.Fatal(err)
		}
		all := events(0, 300)
		for _, ev := range all[:50] {
			w.Add(ev)
		}
		// The client saw events up to 19, then its connection dropped.
		for {
			got, _, err := reader.Events(t.Context(), alice, -1)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) >= 20 {
				break
			}
			if err := reader.Wait(t.Context(), alice, int64(len(got)-1)); err != nil {
				t.Fatal(err)
			}
		}
		first := make(chan struct{})
		type result struct {
			events []streambuf.Event
			end    streambuf.End
			err    error
		}
		done := make(chan result)
		go func() {
			var r result
			r.end, r.err = streambuf.Follow(t.Context(), reader, alice, 19, func(ev streambuf.Event) error {
				if len(r.events) == 0 {
					close(first)
				}
				r.events = append(r.events, ev)
				return nil
			}, streambuf.FollowConfig{Clock: c})
			done <- r
		}()
		<-first // the reader is following; the rest is produced live
		for _, ev := range all[50:] {
			w.Add(ev)
		}
		if err := w.Close(t.Context(), streambuf.End{State: streambuf.Completed}); err != nil {
			t.Fatal(err)
		}
		r := <-done
		if r.err != nil || !sameEvents(r.events, all[20:]) || r.end.State != streambuf.Completed || r.end.Last != 299 {
			t.Fatalf("resumed after 19: got %d events (%v…), end %+v, %v; want events 20-299", len(r.events), seqs(r.events[:min(3, len(r.events))]), r.end, r.err)
		}
		// A finished stream resumes too, and another caller finds nothing.
		got, end, err := collect(t.Context(), reader, alice, 297, c)
		if err != nil || !sameEvents(got, all[298:]) || end.State != streambuf.Completed {
			t.Fatalf("resume of a finished stream: %v, %+v, %v", seqs(got), end, err)
		}
		if _, _, err := collect(t.Context(), reader, bob, -1, c); !errors.Is(err, streambuf.ErrNotFound) {
			t.Fatalf("another caller: %v; want ErrNotFound", err)
		}
	})
}

// TestFollowGivesUpOnALostProducer: a stream with no end after its
// deadline ends its reader with ErrProducerLost.
func TestFollowGivesUpOnALostProducer(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open func() streambuf.Store, c *clock) {
		s := open()
		create(t, s, alice, t0.Add(time.Minute))
		if err := s.Append(t.Context(), alice, events(0, 3), nil); err != nil {
			t.Fatal(err)
		}
		c.Advance(time.Minute + streambuf.DefaultGrace + time.Second)
		got, _, err := collect(t.Context(), open(), alice, -1, c)
		if !errors.Is(err, streambuf.ErrProducerLost) || len(got) != 3 {
			t.Fatalf("got %d events, %v; want 3 and ErrProducerLost", len(got), err)
		}
	})
}

// TestFollowWaitsThenGivesUp: a reader waiting on a live stream in memory
// notices the deadline passing while it waits.
func TestFollowWaitsThenGivesUp(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := streambuf.NewMemory(streambuf.MemoryConfig{})
		create(t, s, alice, time.Now().Add(time.Minute))
		done := make(chan error)
		go func() {
			_, _, err := collect(context.Background(), s, alice, -1, nil)
			done <- err
		}()
		time.Sleep(time.Minute + streambuf.DefaultGrace)
		synctest.Wait()
		select {
		case err := <-done:
			t.Fatalf("gave up before the grace passed: %v", err)
		default:
		}
		time.Sleep(2 * time.Second)
		if err := <-done; !errors.Is(err, streambuf.ErrProducerLost) {
			t.Fatalf("Follow: %v; want ErrProducerLost", err)
		}
	})
}

func TestFollowStopsOnEmitError(t *testing.T) {
	t.Parallel()
	s := streambuf.NewMemory(streambuf.MemoryConfig{})
	create(t, s, alice, time.Now().Add(time.Minute))
	if err := s.Append(t.Context(), alice, events(0, 3), nil); err != nil {
		t.Fatal(err)
	}
	gone := errors.New("client gone")
	n := 0
	_, err := streambuf.Follow(t.Context(), s, alice, -1, func(streambuf.Event) error {
		n++
		return gone
	}, streambuf.FollowConfig{})
	if !errors.Is(err, gone) || n != 1 {
		t.Fatalf("Follow = %v after %d events; want the emit error after 1", err, n)
	}
}
