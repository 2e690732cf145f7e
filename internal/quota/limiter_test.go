package quota_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/quota"
)

var (
	alice = &auth.Identity{Subject: "alice", Issuer: "https://issuer.example.com", Method: auth.MethodJWT}
	quiet = slog.New(slog.NewTextHandler(io.Discard, nil))
)

// clockAt returns a settable clock at t.
func clockAt(t time.Time) *authtest.Clock {
	c := authtest.NewClock()
	c.Advance(t.Sub(c.Now()))
	return c
}

func newLimiter(l quota.Limits, clock *authtest.Clock, store quota.Store) *quota.Limiter {
	if store == nil {
		store = quota.NewMemoryStore(clock.Now)
	}
	return quota.New(quota.Config{Default: l, Logger: quiet, Now: clock.Now}, store)
}

func refusal(t *testing.T, err error, want quota.Name) *quota.LimitError {
	t.Helper()
	var le *quota.LimitError
	if !errors.As(err, &le) || le.Limit != want || !errors.Is(err, quota.ErrLimited) {
		t.Fatalf("err = %v; want a refusal for %s", err, want)
	}
	return le
}

func TestRequestsPerMinute(t *testing.T) {
	t.Parallel()
	clock := clockAt(t0) // 30 s into a minute
	l := newLimiter(quota.Limits{RequestsPerMinute: 2}, clock, nil)
	ctx := context.Background()
	for want := int64(1); want >= 0; want-- {
		g, err := l.Admit(ctx, alice, "r", 100)
		if err != nil {
			t.Fatal(err)
		}
		if w := g.Requests; w == nil || w.Limit != 2 || w.Remaining != want || w.Reset != 30*time.Second {
			t.Fatalf("requests window = %+v; want limit 2, remaining %d, reset 30s", w, want)
		}
		if g.Tokens != nil {
			t.Fatalf("tokens window %+v without a token limit", g.Tokens)
		}
		g.Done(chat.Usage{})
	}
	_, err := l.Admit(ctx, alice, "r", 100)
	le := refusal(t, err, quota.RequestsPerMinute)
	if le.RetryAfter != 30*time.Second || le.Requests == nil || le.Requests.Remaining != 0 {
		t.Fatalf("refusal = %+v; want retry after 30s and no requests remaining", le)
	}
	if _, err := l.Admit(ctx, &auth.Identity{Subject: "bob", Issuer: alice.Issuer, Method: auth.MethodJWT}, "r", 100); err != nil {
		t.Fatalf("another caller: %v", err)
	}
	clock.Advance(30 * time.Second)
	if _, err := l.Admit(ctx, alice, "r", 100); err != nil {
		t.Fatalf("next minute: %v", err)
	}
}

func TestTokensPerDayReserveAndSettle(t *testing.T) {
	t.Parallel()
	clock := clockAt(t0)
	l := newLimiter(quota.Limits{TokensPerDay: 1000}, clock, nil)
	ctx := context.Background()
	g, err := l.Admit(ctx, alice, "r1", 600)
	if err != nil {
		t.Fatal(err)
	}
	if w := g.Tokens; w == nil || w.Remaining != 400 || w.Reset != 12*time.Hour-30*time.Second {
		t.Fatalf("tokens window = %+v; want 400 remaining until midnight UTC", w)
	}
	g.Done(chat.Usage{PromptTokens: 50, CompletionTokens: 50})
	g.Done(chat.Usage{PromptTokens: 500}) // a second Done changes nothing
	// 100 used: the next call sees 900 left before its own reservation.
	g, err = l.Admit(ctx, alice, "r2", 600)
	if err != nil {
		t.Fatal(err)
	}
	if g.Tokens.Remaining != 300 {
		t.Fatalf("remaining = %d; want 300 (1000 - 100 used - 600 reserved)", g.Tokens.Remaining)
	}
	// A running answer may cross the budget; the overrun counts.
	g.Done(chat.Usage{PromptTokens: 100, CompletionTokens: 1000})
	_, err = l.Admit(ctx, alice, "r3", 1)
	le := refusal(t, err, quota.TokensPerDay)
	if le.RetryAfter != 12*time.Hour-30*time.Second || le.Tokens == nil || le.Tokens.Remaining != 0 {
		t.Fatalf("refusal = %+v", le)
	}
	if want := "Daily token budget used up: this account may use 1000 tokens per day. It resets at 00:00 UTC, in 11h59m30s."; le.Message() != want {
		t.Fatalf("message = %q; want %q", le.Message(), want)
	}
	clock.Advance(12 * time.Hour)
	if _, err := l.Admit(ctx, alice, "r4", 1); err != nil {
		t.Fatalf("next day: %v", err)
	}
}

// TestRefusalGivesBackWhatItTook: a call refused for one limit leaves no
// token reservation and no slot behind.
func TestRefusalGivesBackWhatItTook(t *testing.T) {
	t.Parallel()
	clock := clockAt(t0)
	l := newLimiter(quota.Limits{ConcurrentStreams: 1, TokensPerDay: 1000}, clock, nil)
	ctx := context.Background()
	held, err := l.Admit(ctx, alice, "r1", 400)
	if err != nil {
		t.Fatal(err)
	}
	for range 5 {
		_, err := l.Admit(ctx, alice, "r", 400)
		le := refusal(t, err, quota.ConcurrentStreams)
		if want := "Too many answers at once: this account may have 1 answer in progress. Try again when one has finished."; le.Message() != want {
			t.Fatalf("message = %q; want %q", le.Message(), want)
		}
	}
	held.Done(chat.Usage{CompletionTokens: 400})
	g, err := l.Admit(ctx, alice, "r2", 400)
	if err != nil {
		t.Fatalf("after the stream ended: %v", err)
	}
	if g.Tokens.Remaining != 200 {
		t.Fatalf("remaining = %d; want 200: refused calls must not keep their reservations", g.Tokens.Remaining)
	}
}

func TestNoLimitsNoGrant(t *testing.T) {
	t.Parallel()
	l := newLimiter(quota.Limits{}, clockAt(t0), nil)
	g, err := l.Admit(context.Background(), alice, "r", 10)
	if g != nil || err != nil {
		t.Fatalf("Admit = %v, %v; want nil, nil without limits", g, err)
	}
	g.Done(chat.Usage{}) // safe on nil
}

// failingStore fails every step, as an unreachable table does.
type failingStore struct{ err error }

func (f failingStore) Take(context.Context, string, int64, int64, time.Time) (int64, bool, error) {
	return 0, false, f.err
}
func (f failingStore) Add(context.Context, string, int64, time.Time) error { return f.err }
func (f failingStore) Acquire(context.Context, string, string, int64, time.Time, time.Time) (bool, error) {
	return false, f.err
}
func (f failingStore) Renew(context.Context, string, string, time.Time) error { return f.err }
func (f failingStore) Release(context.Context, string, string) error          { return f.err }
func (f failingStore) AddUsage(context.Context, string, quota.Usage, time.Time) error {
	return f.err
}
func (f failingStore) GetUsage(context.Context, string) (quota.Usage, error) {
	return quota.Usage{}, f.err
}

// slowStore answers only when the caller gives up.
type slowStore struct{ failingStore }

func (slowStore) Take(ctx context.Context, _ string, _, _ int64, _ time.Time) (int64, bool, error) {
	<-ctx.Done()
	return 0, false, ctx.Err()
}

func (slowStore) Acquire(ctx context.Context, _, _ string, _ int64, _, _ time.Time) (bool, error) {
	<-ctx.Done()
	return false, ctx.Err()
}

func TestStoreFailurePolicy(t *testing.T) {
	t.Parallel()
	lim := quota.Limits{RequestsPerMinute: 5, ConcurrentStreams: 2, TokensPerDay: 100}
	broken := failingStore{errors.New("table unreachable")}
	var log strings.Builder
	allow := quota.New(quota.Config{Default: lim, Logger: slog.New(slog.NewTextHandler(&log, nil))}, broken)
	g, err := allow.Admit(context.Background(), alice, "req-1", 10)
	if err != nil || g == nil || g.StoreErr == nil {
		t.Fatalf("allow: Admit = %v, %v; want a grant that names the store error", g, err)
	}
	if g.Requests != nil || g.Tokens != nil {
		t.Fatalf("windows %+v %+v reported though the store could not tell", g.Requests, g.Tokens)
	}
	g.Done(chat.Usage{CompletionTokens: 3})
	if !strings.Contains(log.String(), "table unreachable") || !strings.Contains(log.String(), "req-1") {
		t.Fatalf("the store failure is not logged with the request id:\n%s", log.String())
	}

	deny := quota.New(quota.Config{Default: lim, OnStoreError: quota.Deny, Logger: quiet}, broken)
	if _, err := deny.Admit(context.Background(), alice, "r", 10); !errors.Is(err, quota.ErrUnavailable) {
		t.Fatalf("deny: err = %v; want ErrUnavailable", err)
	}
}

// TestSlowStoreIsBounded: a store that never answers holds a call up for
// StoreTimeout, no longer.
func TestSlowStoreIsBounded(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := quota.New(quota.Config{
			Default:      quota.Limits{RequestsPerMinute: 5, ConcurrentStreams: 1},
			StoreTimeout: 150 * time.Millisecond, Logger: quiet,
		}, slowStore{failingStore{errors.New("unused")}})
		start := time.Now()
		g, err := l.Admit(context.Background(), alice, "r", 10)
		if err != nil || g == nil || !errors.Is(g.StoreErr, context.DeadlineExceeded) {
			t.Fatalf("Admit = %v, %v; want admitted on the deadline", g, err)
		}
		if took := time.Since(start); took != 150*time.Millisecond {
			t.Fatalf("admission took %s; want exactly the store timeout, 150ms", took)
		}
	})
}

// TestSlotRenewedWhileRunningFreedWhenDead: a running answer keeps its slot
// past the slot TTL; the slot of one whose instance died frees itself.
func TestSlotRenewedWhileRunningFreedWhenDead(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := quota.New(quota.Config{
			Default: quota.Limits{ConcurrentStreams: 1}, SlotTTL: 30 * time.Second, Logger: quiet,
		}, quota.NewMemoryStore(nil))
		running, stop := context.WithCancel(context.Background())
		g, err := l.Admit(running, alice, "long", 10)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(5 * time.Minute)
		if _, err := l.Admit(context.Background(), alice, "r", 10); err == nil {
			t.Fatal("a second stream was admitted while the first still runs")
		}
		// The instance dies: renewals stop and Done never comes.
		stop()
		synctest.Wait()
		time.Sleep(30 * time.Second)
		g2, err := l.Admit(context.Background(), alice, "r", 10)
		if err != nil {
			t.Fatalf("the dead stream's slot did not expire: %v", err)
		}
		g2.Done(chat.Usage{})
		_ = g
	})
}

func TestOverrides(t *testing.T) {
	t.Parallel()
	def := quota.Limits{RequestsPerMinute: 10, ConcurrentStreams: 2, TokensPerDay: 1000}
	groups, keys, err := quota.ParseOverrides([]string{
		"group:premium rpm=100 tokens_per_day=0",
		"group:team rpm=50 concurrent=5",
		" key:backend  rpm=600 ",
	}, def)
	if err != nil {
		t.Fatal(err)
	}
	cfg := quota.Config{Default: def, Groups: groups, Keys: keys}
	for _, tc := range []struct {
		name string
		id   *auth.Identity
		want quota.Limits
	}{
		{"no identity", nil, def},
		{"no group", &auth.Identity{Subject: "u1", Method: auth.MethodJWT, Groups: []string{"other"}}, def},
		{"premium: unset limits inherit", &auth.Identity{Subject: "u2", Method: auth.MethodJWT, Groups: []string{"premium"}},
			quota.Limits{RequestsPerMinute: 100, ConcurrentStreams: 2, TokensPerDay: 0}},
		{"two groups: the most generous of each", &auth.Identity{Subject: "u3", Method: auth.MethodJWT, Groups: []string{"team", "premium"}},
			quota.Limits{RequestsPerMinute: 100, ConcurrentStreams: 5, TokensPerDay: 0}},
		{"api key", &auth.Identity{Subject: "apikey:backend", KeyName: "backend", Method: auth.MethodAPIKey},
			quota.Limits{RequestsPerMinute: 600, ConcurrentStreams: 2, TokensPerDay: 1000}},
		{"other api key", &auth.Identity{Subject: "apikey:ci", KeyName: "ci", Method: auth.MethodAPIKey}, def},
	} {
		if _, got := cfg.For(tc.id); got != tc.want {
			t.Errorf("%s: limits = %+v; want %+v", tc.name, got, tc.want)
		}
	}
	if caller, _ := cfg.For(nil); caller != "anonymous" {
		t.Errorf("caller without identity = %q", caller)
	}

	for _, bad := range []string{
		"premium rpm=1", "group: rpm=1", "team:x rpm=1", "group:x", "group:x rpm", "group:x rpm=-1",
		"group:x rpm=1 rpm=2", "group:x speed=3", "group:x concurrent=100000",
	} {
		if _, _, err := quota.ParseOverrides([]string{bad}, def); err == nil {
			t.Errorf("ParseOverrides(%q) accepted it", bad)
		}
	}
	if _, _, err := quota.ParseOverrides([]string{"group:a rpm=1", "group:a rpm=2"}, def); err == nil {
		t.Error("a group given twice was accepted")
	}
}

// TestSlotRenewalHoldsNoGoroutine: a stream's slot is renewed from a
// timer's callback, so an admitted call holds no goroutine while it waits.
// It counts the bubble's goroutines alone: the process's own come and go
// (timers of other tests fire in goroutines of their own).
func TestSlotRenewalHoldsNoGoroutine(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		l := quota.New(quota.Config{
			Default: quota.Limits{ConcurrentStreams: 1}, SlotTTL: 30 * time.Second, Logger: quiet,
		}, quota.NewMemoryStore(nil))
		synctest.Wait()
		before := bubbleGoroutines()
		g, err := l.Admit(context.Background(), alice, "long", 10)
		if err != nil {
			t.Fatal(err)
		}
		time.Sleep(time.Minute) // renewals at 10 s, 20 s, …
		synctest.Wait()
		if n := bubbleGoroutines() - before; n != 0 {
			t.Errorf("an admitted call holds %d goroutines while it waits", n)
		}
		g.Done(chat.Usage{})
		if _, err := l.Admit(context.Background(), alice, "next", 10); err != nil {
			t.Errorf("the slot was not released: %v", err)
		}
	})
}

// bubbleGoroutines counts the goroutines of the caller's synctest bubble
// (a traceback names a member's bubble in its header), whatever else the
// process runs.
func bubbleGoroutines() int {
	buf := make([]byte, 1<<16)
	head := string(buf[:runtime.Stack(buf, false)])
	head, _, _ = strings.Cut(head, "\n")
	i := strings.Index(head, ", synctest bubble ")
	if i < 0 {
		panic("not in a synctest bubble: " + head)
	}
	tag := head[i : strings.LastIndexByte(head, ']')+1]
	for {
		n := runtime.Stack(buf, true)
		if n < len(buf) {
			return strings.Count(string(buf[:n]), tag)
		}
		buf = make([]byte, 2*len(buf))
	}
}
