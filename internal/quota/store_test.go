package quota_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/quota"
	"github.com/chatbot-gateway/chatbot/test/dynalite"
)

// t0 is a fixed instant the store tests count from.
var t0 = time.Date(2026, 3, 1, 12, 0, 30, 0, time.UTC)

// stores are the Store implementations every store test runs against: the
// same contract in one process and in DynamoDB (dynalite, real SDK client).
var stores = []struct {
	name string
	open func(t *testing.T) quota.Store
}{
	{"memory", func(t *testing.T) quota.Store { return quota.NewMemoryStore(func() time.Time { return t0 }) }},
	{"dynamodb", func(t *testing.T) quota.Store { return openDynamo(t) }},
}

func openDynamo(t testing.TB) *quota.DynamoStore {
	t.Helper()
	url := dynalite.Endpoint(t)
	s, err := quota.NewDynamoStore(context.Background(), dynalite.Table(t, url), dynalite.AWSOptions(url)...)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func eachStore(t *testing.T, test func(t *testing.T, s quota.Store)) {
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			test(t, st.open(t))
		})
	}
}

func TestStoreTakeCountsToTheLimit(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s quota.Store) {
		ctx, exp := context.Background(), t0.Add(time.Hour)
		for i := int64(1); i <= 3; i++ {
			n, ok, err := s.Take(ctx, "rpm#a#1", 1, 3, exp)
			if err != nil || !ok || n != i {
				t.Fatalf("take %d: n=%d ok=%v err=%v; want n=%d ok", i, n, ok, err, i)
			}
		}
		if n, ok, err := s.Take(ctx, "rpm#a#1", 1, 3, exp); err != nil || ok || n < 3 {
			t.Fatalf("take over the limit: n=%d ok=%v err=%v; want refused", n, ok, err)
		}
		if _, ok, err := s.Take(ctx, "rpm#b#1", 1, 3, exp); err != nil || !ok {
			t.Fatalf("another caller: ok=%v err=%v; want admitted", ok, err)
		}
	})
}

func TestStoreReservationsAndSettling(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s quota.Store) {
		ctx, exp := context.Background(), t0.Add(time.Hour)
		// Admitted while below the budget, even when the reservation
		// crosses it.
		if n, ok, err := s.Take(ctx, "tok#a#1", 800, 1000, exp); err != nil || !ok || n != 800 {
			t.Fatalf("first: n=%d ok=%v err=%v", n, ok, err)
		}
		if n, ok, err := s.Take(ctx, "tok#a#1", 800, 1000, exp); err != nil || !ok || n != 1600 {
			t.Fatalf("second: n=%d ok=%v err=%v", n, ok, err)
		}
		if _, ok, err := s.Take(ctx, "tok#a#1", 1, 1000, exp); err != nil || ok {
			t.Fatalf("over budget: ok=%v err=%v; want refused", ok, err)
		}
		// Both answers used 100 tokens: settle each reservation.
		for range 2 {
			if err := s.Add(ctx, "tok#a#1", 100-800, exp); err != nil {
				t.Fatal(err)
			}
		}
		if n, ok, err := s.Take(ctx, "tok#a#1", 50, 1000, exp); err != nil || !ok || n != 250 {
			t.Fatalf("after settling: n=%d ok=%v err=%v; want 250", n, ok, err)
		}
	})
}

func TestStoreSlots(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s quota.Store) {
		ctx, exp := context.Background(), t0.Add(time.Minute)
		acquire := func(id string, now time.Time, want bool) {
			t.Helper()
			ok, err := s.Acquire(ctx, "con#a", id, 2, now, now.Add(time.Minute))
			if err != nil || ok != want {
				t.Fatalf("acquire %s at %s: ok=%v err=%v; want %v", id, now.Format(time.TimeOnly), ok, err, want)
			}
		}
		acquire("a", t0, true)
		acquire("b", t0, true)
		acquire("c", t0, false)
		if err := s.Release(ctx, "con#a", "a"); err != nil {
			t.Fatal(err)
		}
		if err := s.Release(ctx, "con#a", "never-held"); err != nil {
			t.Fatalf("release of a slot not held: %v", err)
		}
		if err := s.Release(ctx, "con#nobody", "x"); err != nil {
			t.Fatalf("release in a set that does not exist: %v", err)
		}
		acquire("c", t0, true)
		acquire("d", t0, false)

		// b is renewed; c is not, and expires: its place is free.
		later := t0.Add(50 * time.Second)
		if err := s.Renew(ctx, "con#a", "b", later.Add(time.Minute)); err != nil {
			t.Fatal(err)
		}
		acquire("d", exp, true)
		acquire("e", exp, false)
		// A renewal of a slot that is gone does not bring it back.
		if err := s.Renew(ctx, "con#a", "c", exp.Add(time.Hour)); err != nil {
			t.Fatal(err)
		}
		if err := s.Release(ctx, "con#a", "d"); err != nil {
			t.Fatal(err)
		}
		acquire("e", exp, true)
	})
}

// TestStoreAdmitsExactlyTheLimitInParallel: 50 callers at once against a
// limit of 10 get exactly 10 admissions, for counters and for slots.
func TestStoreAdmitsExactlyTheLimitInParallel(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s quota.Store) {
		ctx, exp := context.Background(), t0.Add(time.Hour)
		var took, held atomic.Int64
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for i := range 50 {
			wg.Go(func() {
				_, ok, err := s.Take(ctx, "rpm#p#1", 1, 10, exp)
				if err != nil {
					errs <- err
				} else if ok {
					took.Add(1)
				}
			})
			wg.Go(func() {
				ok, err := s.Acquire(ctx, "con#p", fmt.Sprint("slot-", i), 10, t0, exp)
				if err != nil {
					errs <- err
				} else if ok {
					held.Add(1)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		if took.Load() != 10 || held.Load() != 10 {
			t.Fatalf("admitted %d requests and %d streams; want exactly 10 of each", took.Load(), held.Load())
		}
	})
}
