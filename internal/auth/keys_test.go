package auth_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
)

func TestKeyRotation(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	clk := newClock()
	g := newGuard(t, iss.Env("access"), false, auth.WithTimeFunc(clk.Now))
	if n := iss.Fetches(); n != 1 {
		t.Fatalf("fetches after New = %d, want 1", n)
	}
	old := authtest.Sign(t, iss.Key(), iss.AccessClaims(clk.Now()), nil)
	next := authtest.NewRSAKey(t, "key-2")
	iss.AddKey(next)
	rotated := authtest.Sign(t, next, iss.AccessClaims(clk.Now()), nil)

	if _, err := check(t, g, bearerReq(rotated)); err != nil {
		t.Fatalf("token signed with the new key: %v", err)
	}
	if _, err := check(t, g, bearerReq(old)); err != nil {
		t.Fatalf("token signed with the old key: %v", err)
	}
	if n := iss.Fetches(); n != 2 {
		t.Fatalf("fetches = %d, want 2 (start-up and one refresh)", n)
	}
}

func TestUnknownKIDFloodFetchesOncePerWindow(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	clk := newClock()
	const window = time.Minute
	g := newGuard(t, iss.Env("access"), false, auth.WithTimeFunc(clk.Now), auth.WithRefreshWindow(window))
	flood := func(round int) {
		t.Helper()
		var wg sync.WaitGroup
		errs := make([]error, 40)
		for i := range errs {
			token := authtest.Sign(t, iss.Key(), iss.AccessClaims(clk.Now()), map[string]any{"kid": fmt.Sprintf("bogus-%d-%d", round, i)})
			wg.Go(func() { _, errs[i] = check(t, g, bearerReq(token)) })
		}
		wg.Wait()
		for _, err := range errs {
			wantCode(t, err, auth.ErrUnauthenticated, auth.CodeUnknownKID)
		}
	}
	flood(1)
	if n := iss.Fetches(); n != 2 {
		t.Fatalf("fetches after a flood = %d, want 2 (start-up and one refresh)", n)
	}
	clk.Advance(window - time.Second)
	flood(2)
	if n := iss.Fetches(); n != 2 {
		t.Fatalf("fetches within the window = %d, want still 2", n)
	}
	clk.Advance(time.Second)
	flood(3)
	if n := iss.Fetches(); n != 3 {
		t.Fatalf("fetches after the window = %d, want 3", n)
	}
}

func TestOutageKeepsCachedKeys(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	clk := newClock()
	g := newGuard(t, iss.Env("access"), false, auth.WithTimeFunc(clk.Now))
	iss.SetDown(true)

	valid := func() string { return authtest.Sign(t, iss.Key(), iss.AccessClaims(clk.Now()), nil) }
	if _, err := check(t, g, bearerReq(valid())); err != nil {
		t.Fatalf("cached key during an outage: %v", err)
	}
	// An unknown kid makes the guard try the (failing) endpoint...
	_, err := check(t, g, bearerReq(authtest.Sign(t, iss.Key(), iss.AccessClaims(clk.Now()), map[string]any{"kid": "new"})))
	wantCode(t, err, auth.ErrUnauthenticated, auth.CodeUnknownKID)
	// ...and so does an old cache; neither drops the cached key.
	clk.Advance(2 * time.Hour)
	for range 2 {
		if _, err := check(t, g, bearerReq(valid())); err != nil {
			t.Fatalf("cached key after failed refreshes: %v", err)
		}
	}
	if n := iss.Fetches(); n != 3 {
		t.Fatalf("fetches = %d, want 3 (start-up, unknown kid, stale cache)", n)
	}
}

func TestNoKeysIsUnavailable(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	iss.SetDown(true)
	clk := newClock()
	g := newGuard(t, iss.Env("access"), false, auth.WithTimeFunc(clk.Now))
	token := func() string { return authtest.Sign(t, iss.Key(), iss.AccessClaims(clk.Now()), nil) }

	_, err := check(t, g, bearerReq(token()))
	wantCode(t, err, auth.ErrKeysUnavailable, auth.CodeKeysUnavailable)
	var ae *auth.Error
	if !errors.As(err, &ae) || ae.RetryAfter < time.Second || ae.RetryAfter > time.Minute {
		t.Fatalf("RetryAfter = %v, want between 1s and 1m", ae.RetryAfter)
	}
	if errors.Is(err, auth.ErrUnauthenticated) {
		t.Fatal("no keys must not look like a bad token")
	}
	if n := iss.Fetches(); n != 1 {
		t.Fatalf("fetches = %d, want 1: a retry waits for Retry-After", n)
	}

	iss.SetDown(false)
	clk.Advance(ae.RetryAfter)
	if _, err := check(t, g, bearerReq(token())); err != nil {
		t.Fatalf("after the issuer recovered: %v", err)
	}
}

func TestWithdrawnKeyStopsWorkingAfterMaxAge(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	clk := newClock()
	g := newGuard(t, iss.Env("access"), false, auth.WithTimeFunc(clk.Now))
	old := iss.Key()
	iss.Publish(authtest.NewRSAKey(t, "key-2"))
	clk.Advance(2 * time.Hour)
	token := func() string { return authtest.Sign(t, old, iss.AccessClaims(clk.Now()), nil) }
	// The request that finds the cache old refreshes it first.
	_, err := check(t, g, bearerReq(token()))
	wantCode(t, err, auth.ErrUnauthenticated, auth.CodeUnknownKID)
	if _, err := check(t, g, bearerReq(authtest.Sign(t, iss.Key(), iss.AccessClaims(clk.Now()), nil))); err != nil {
		t.Fatalf("token signed with the new key: %v", err)
	}
}

func TestKeySetWithoutUsableKeysKeepsCache(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	clk := newClock()
	g := newGuard(t, iss.Env("access"), false, auth.WithTimeFunc(clk.Now))
	signer := iss.Key()
	iss.Publish() // an empty set must not wipe the cache
	_, err := check(t, g, bearerReq(authtest.Sign(t, signer, iss.AccessClaims(clk.Now()), map[string]any{"kid": "other"})))
	wantCode(t, err, auth.ErrUnauthenticated, auth.CodeUnknownKID)
	if _, err := check(t, g, bearerReq(authtest.Sign(t, signer, iss.AccessClaims(clk.Now()), nil))); err != nil {
		t.Fatalf("cached key after an empty key set: %v", err)
	}
}
