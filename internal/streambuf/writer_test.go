package streambuf_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// TestWriterBatchesByTime: an answer of 1,000 events produced over 10
// seconds is stored in about one write per flush interval, not one per
// event, and every event arrives.
func TestWriterBatchesByTime(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		mem := streambuf.NewMemory(streambuf.MemoryConfig{})
		s := &counting{Store: mem}
		w, err := streambuf.Start(t.Context(), s, alice, streambuf.Header{Deadline: time.Now().Add(time.Minute)},
			streambuf.WriterConfig{FlushInterval: 200 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		for _, ev := range events(0, 1000) {
			w.Add(ev)
			time.Sleep(10 * time.Millisecond)
		}
		if err := w.Close(t.Context(), streambuf.End{State: streambuf.Completed}); err != nil {
			t.Fatal(err)
		}
		// 10 s / 200 ms = 50 batches, and the end with the last one.
		if n := s.appends.Load(); n < 45 || n > 52 {
			t.Errorf("%d writes for 1,000 events over 10 s; want about 50", n)
		}
		got, end, err := mem.Events(t.Context(), alice, -1)
		if err != nil || !sameEvents(got, events(0, 1000)) || end == nil || end.Last != 999 || end.State != streambuf.Completed {
			t.Fatalf("stored %d events, end %+v, %v", len(got), end, err)
		}
	})
}

// TestWriterFlushesWithinTheInterval: an event is in the store once the
// flush interval has passed, and not before (the batch waits for more).
func TestWriterFlushesWithinTheInterval(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := streambuf.NewMemory(streambuf.MemoryConfig{})
		w, err := streambuf.Start(t.Context(), s, alice, streambuf.Header{Deadline: time.Now().Add(time.Minute)},
			streambuf.WriterConfig{FlushInterval: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close(t.Context(), streambuf.End{State: streambuf.Completed})
		w.Add(events(0, 1)[0])
		time.Sleep(999 * time.Millisecond)
		synctest.Wait()
		if got, _, _ := s.Events(t.Context(), alice, -1); len(got) != 0 {
			t.Fatalf("stored %d events before the interval", len(got))
		}
		time.Sleep(time.Millisecond)
		synctest.Wait()
		if got, _, _ := s.Events(t.Context(), alice, -1); len(got) != 1 {
			t.Fatalf("stored %d events after the interval; want 1", len(got))
		}
	})
}

// TestWriterBatchesBySize: events that arrive faster than the interval are
// written as soon as a batch is full, in batches of at most BatchBytes,
// against each store.
func TestWriterBatchesBySize(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open func() streambuf.Store, c *clock) {
		s := &counting{Store: open()}
		w, err := streambuf.Start(t.Context(), s, alice, streambuf.Header{Deadline: t0.Add(time.Minute)},
			streambuf.WriterConfig{FlushInterval: time.Hour, BatchBytes: 2 << 10})
		if err != nil {
			t.Fatal(err)
		}
		all := events(0, 1000)
		size := 0
		for _, ev := range all {
			w.Add(ev)
			size += len(ev.Data)
		}
		if err := w.Close(t.Context(), streambuf.End{State: streambuf.Completed}); err != nil {
			t.Fatal(err)
		}
		// Batches as the events arrive, and what is left with the end. The
		// writer's goroutine takes whatever has arrived when it wakes, so
		// how the events split into batches depends on scheduling: the
		// bound is far fewer writes than events, not an exact count.
		if n, full := s.appends.Load(), int64(size/(2<<10)); n < 1 || n > 2*full+2 {
			t.Errorf("%d writes for 1,000 events of %d bytes in batches of 2 KiB; want 1 to %d", n, size, 2*full+2)
		}
		got, end, err := collect(t.Context(), open(), alice, -1, c)
		if err != nil || !sameEvents(got, all) || end.Last != 999 {
			t.Fatalf("read back %d events, end %+v, %v", len(got), end, err)
		}
	})
}

// TestWriterFailureEndsTheStream: when the store fails, readers get what
// was stored and an end of Failed, and Close reports the failure.
func TestWriterFailureEndsTheStream(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		mem := streambuf.NewMemory(streambuf.MemoryConfig{})
		s := &counting{Store: mem}
		w, err := streambuf.Start(t.Context(), s, alice, streambuf.Header{Deadline: time.Now().Add(time.Minute)},
			streambuf.WriterConfig{FlushInterval: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		all := events(0, 10)
		for _, ev := range all[:5] {
			w.Add(ev)
		}
		time.Sleep(time.Second) // the first batch is written
		synctest.Wait()
		s.fail.Store(1)
		for _, ev := range all[5:] {
			w.Add(ev)
		}
		time.Sleep(time.Second) // the second batch fails
		synctest.Wait()
		err = w.Close(t.Context(), streambuf.End{State: streambuf.Completed, Meta: []byte("m")})
		if err == nil {
			t.Fatal("Close after a failed write returned nil")
		}
		got, end, err := collect(t.Context(), mem, alice, -1, nil)
		if err != nil || !sameEvents(got, all[:5]) || end.State != streambuf.Failed || end.Last != 4 || string(end.Meta) != "m" {
			t.Fatalf("reader got %v, end %+v, %v; want events 0-4 and failed", seqs(got), end, err)
		}
	})
}

func TestWriterRefusesAGap(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := streambuf.NewMemory(streambuf.MemoryConfig{})
		w, err := streambuf.Start(t.Context(), s, alice, streambuf.Header{Deadline: time.Now().Add(time.Minute)}, streambuf.WriterConfig{})
		if err != nil {
			t.Fatal(err)
		}
		w.Add(events(0, 1)[0])
		w.Add(events(2, 1)[0])
		if err := w.Close(t.Context(), streambuf.End{State: streambuf.Completed}); !errors.Is(err, streambuf.ErrGap) {
			t.Fatalf("Close: %v; want ErrGap", err)
		}
		if _, end, _ := s.Events(t.Context(), alice, -1); end == nil || end.State != streambuf.Failed {
			t.Fatalf("end %+v; want failed", end)
		}
	})
}

// TestWriterSeesCancel: a Cancel from another reader reaches the producer
// within one CancelCheck.
func TestWriterSeesCancel(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		s := streambuf.NewMemory(streambuf.MemoryConfig{})
		w, err := streambuf.Start(t.Context(), s, alice, streambuf.Header{Deadline: time.Now().Add(time.Minute)},
			streambuf.WriterConfig{CancelCheck: time.Second})
		if err != nil {
			t.Fatal(err)
		}
		defer w.Close(context.Background(), streambuf.End{State: streambuf.Cancelled})
		time.Sleep(2 * time.Second)
		synctest.Wait()
		select {
		case <-w.Cancelled():
			t.Fatal("cancelled before Cancel")
		default:
		}
		if err := s.Cancel(t.Context(), alice); err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Second)
		synctest.Wait()
		select {
		case <-w.Cancelled():
		default:
			t.Fatal("not cancelled one CancelCheck after Cancel")
		}
	})
}
