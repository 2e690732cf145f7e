package streambuf_test

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// TestStoreClaim: a stream's job is claimed once, by the one that names it
// by its hash, before its deadline; a claim moves the deadline, and every
// failed claim says why and changes nothing.
func TestStoreClaim(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open func() streambuf.Store, c *clock) {
		s, ctx := open(), context.Background()
		job := []byte(`{"body":"the request"}`)
		hash := streambuf.JobHash(job)
		if err := s.Create(ctx, alice, streambuf.Header{Meta: []byte("queued"), Deadline: t0.Add(5 * time.Minute), Job: job}); err != nil {
			t.Fatal(err)
		}
		create(t, s, streambuf.Key{Caller: alice.Caller, ID: "resp_plain"}, t0.Add(time.Minute))
		for _, tc := range []struct {
			name string
			key  streambuf.Key
			hash string
			want error
		}{
			{name: "another caller", key: bob, hash: hash, want: streambuf.ErrNotFound},
			{name: "unknown id", key: streambuf.Key{Caller: alice.Caller, ID: "resp_9"}, hash: hash, want: streambuf.ErrNotFound},
			{name: "another hash", key: alice, hash: streambuf.JobHash([]byte("forged")), want: streambuf.ErrNoJob},
			{name: "a stream without a job", key: streambuf.Key{Caller: alice.Caller, ID: "resp_plain"}, hash: hash, want: streambuf.ErrNoJob},
		} {
			if _, err := s.Claim(ctx, tc.key, tc.hash, t0.Add(time.Hour)); !errors.Is(err, tc.want) {
				t.Errorf("%s: Claim = %v; want %v", tc.name, err, tc.want)
			}
		}
		if h, err := s.Header(ctx, alice); err != nil || h.Claimed || string(h.Job) != string(job) {
			t.Fatalf("after the refused claims: %+v, %v; want the job, unclaimed", h, err)
		}

		// Two deliveries at once, from two processes: one wins.
		deadline := t0.Add(15 * time.Minute)
		var wg sync.WaitGroup
		errs := make([]error, 2)
		heads := make([]streambuf.Header, 2)
		for i := range errs {
			st := open()
			wg.Go(func() { heads[i], errs[i] = st.Claim(ctx, alice, hash, deadline) })
		}
		wg.Wait()
		won := 0
		for i, err := range errs {
			switch {
			case err == nil:
				won++
				if string(heads[i].Job) != string(job) || string(heads[i].Meta) != "queued" || !heads[i].Claimed || !heads[i].Deadline.Equal(deadline) {
					t.Errorf("the claim returned %+v", heads[i])
				}
			case !errors.Is(err, streambuf.ErrClaimed):
				t.Errorf("the losing claim: %v; want ErrClaimed", err)
			}
		}
		if won != 1 {
			t.Fatalf("%d claims won; want 1 (%v)", won, errs)
		}
		if h, err := open().Header(ctx, alice); err != nil || !h.Claimed || !h.Deadline.Equal(deadline) {
			t.Errorf("after the claim: %+v, %v; want claimed, with the claimer's deadline", h, err)
		}
	})
}

// TestStoreClaimExpired: a job not claimed by its deadline never is.
func TestStoreClaimExpired(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open func() streambuf.Store, c *clock) {
		s, ctx := open(), context.Background()
		job := []byte("job")
		if err := s.Create(ctx, alice, streambuf.Header{Deadline: t0.Add(5 * time.Minute), Job: job}); err != nil {
			t.Fatal(err)
		}
		c.Advance(5*time.Minute + time.Second)
		if _, err := s.Claim(ctx, alice, streambuf.JobHash(job), t0.Add(time.Hour)); !errors.Is(err, streambuf.ErrJobExpired) {
			t.Fatalf("a late claim: %v; want ErrJobExpired", err)
		}
		if h, err := s.Header(ctx, alice); err != nil || h.Claimed {
			t.Errorf("after the late claim: %+v, %v; want unclaimed", h, err)
		}
	})
}

// TestFollowSeesTheClaimersDeadline: a reader that started while the job
// was queued does not give up at the queued deadline once a producer has
// claimed the job with a later one: it waits, and gets the end.
func TestFollowSeesTheClaimersDeadline(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, open func() streambuf.Store, c *clock) {
		s := &waiting{Store: open(), waited: make(chan struct{})}
		ctx := context.Background()
		job := []byte("job")
		if err := s.Create(ctx, alice, streambuf.Header{Deadline: t0.Add(time.Minute), Job: job}); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Claim(ctx, alice, streambuf.JobHash(job), t0.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		c.Advance(10 * time.Minute) // past the queued deadline and its grace
		type result struct {
			end streambuf.End
			err error
		}
		done := make(chan result, 1)
		go func() {
			_, end, err := collect(ctx, s, alice, -1, c)
			done <- result{end, err}
		}()
		select {
		case r := <-done:
			t.Fatalf("Follow ended before the answer: %+v, %v; want it waiting for the claimed job's producer", r.end, r.err)
		case <-s.waited:
		}
		if err := s.Append(ctx, alice, events(0, 1), &streambuf.End{State: streambuf.Completed, Last: 0}); err != nil {
			t.Fatal(err)
		}
		if r := <-done; r.err != nil || r.end.State != streambuf.Completed {
			t.Fatalf("Follow = %+v, %v; want the end", r.end, r.err)
		}
	})
}

// waiting tells, once, that a reader has started waiting.
type waiting struct {
	streambuf.Store
	once   sync.Once
	waited chan struct{}
}

func (w *waiting) Wait(ctx context.Context, key streambuf.Key, after int64) error {
	w.once.Do(func() { close(w.waited) })
	return w.Store.Wait(ctx, key, after)
}
