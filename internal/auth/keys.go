package auth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/MicahParks/jwkset"
)

// Key-set timing defaults. aws-jwt-verify also caches keys until an unknown
// kid appears and then waits before fetching again; the max age adds a
// periodic refresh so that a key the issuer withdrew stops being trusted.
const (
	defaultFetchTimeout  = 3 * time.Second  // bounds a cold start when the issuer is slow
	defaultRefreshWindow = time.Minute      // at most one unknown-kid fetch per window
	defaultEmptyRetry    = 5 * time.Second  // retry interval while no keys are known
	defaultKeysMaxAge    = time.Hour        // refresh a cached set this old
	maxJWKSBytes         = 1 << 20          // a JWKS larger than this is refused
	minRetryAfter        = 1 * time.Second  // Retry-After is never below this
	maxRetryAfter        = 60 * time.Second // nor above this
)

// Errors from the key store, mapped to Codes by the JWT verifier.
var (
	errUnknownKID = errors.New("no key with this kid")
	errNoKeys     = errors.New("no keys loaded")
)

// keyStore caches the issuer's JWKS in a jwkset memory storage, which keyfunc
// reads from. Fetches are rate limited: an unknown kid triggers at most one
// fetch per window, concurrent callers share it, and a failed fetch keeps the
// cached keys.
type keyStore struct {
	url     string
	client  *http.Client
	timeout time.Duration
	window  time.Duration
	retry   time.Duration
	maxAge  time.Duration
	now     func() time.Time
	log     *slog.Logger
	mem     *jwkset.MemoryJWKSet

	mu           sync.Mutex // held during a fetch; guards the fields below
	lastAttempt  time.Time  // any fetch
	lastSuccess  time.Time
	lastKIDFetch time.Time // the last fetch caused by an unknown kid
	loaded       bool      // at least one fetch succeeded
}

// Why a fetch is attempted; each reason has its own rate limit.
type fetchReason int

const (
	reasonStart fetchReason = iota
	reasonUnknownKID
	reasonStale
)

// lookup returns the key for kid, fetching the key set first when the cache
// is old, and again when kid is unknown (both rate limited).
func (s *keyStore) lookup(ctx context.Context, kid string) (jwkset.JWK, error) {
	s.refreshIfStale(ctx)
	if jwk, err := s.mem.KeyRead(ctx, kid); err == nil {
		return jwk, nil
	}
	s.mu.Lock()
	s.refreshLocked(ctx, reasonUnknownKID)
	loaded := s.loaded
	s.mu.Unlock()
	if jwk, err := s.mem.KeyRead(ctx, kid); err == nil {
		return jwk, nil
	}
	if !loaded {
		return jwkset.JWK{}, errNoKeys
	}
	return jwkset.JWK{}, errUnknownKID
}

// retryAfter says when a fetch will next be attempted while no keys are known.
func (s *keyStore) retryAfter() time.Duration {
	s.mu.Lock()
	next := s.lastAttempt.Add(s.retry).Sub(s.now())
	s.mu.Unlock()
	return min(max(next.Round(time.Second), minRetryAfter), maxRetryAfter)
}

// refreshIfStale refreshes an old key set without making callers queue behind
// a fetch that is already running.
func (s *keyStore) refreshIfStale(ctx context.Context) {
	if !s.mu.TryLock() {
		return
	}
	defer s.mu.Unlock()
	s.refreshLocked(ctx, reasonStale)
}

// refreshLocked fetches the key set unless the rate limit for reason says
// not yet: while no keys are loaded, one attempt per retry interval; for
// unknown kids, one fetch per window; for an old cache, one attempt per
// window once the cache is older than the max age. Callers hold s.mu, so
// concurrent callers share one fetch.
func (s *keyStore) refreshLocked(ctx context.Context, reason fetchReason) {
	now := s.now()
	switch {
	case reason == reasonStart:
	case !s.loaded:
		if !s.lastAttempt.IsZero() && now.Sub(s.lastAttempt) < s.retry {
			return
		}
	case reason == reasonUnknownKID:
		if !s.lastKIDFetch.IsZero() && now.Sub(s.lastKIDFetch) < s.window {
			return
		}
		s.lastKIDFetch = now
	case reason == reasonStale:
		if now.Sub(s.lastSuccess) < s.maxAge || now.Sub(s.lastAttempt) < s.window {
			return
		}
	}
	s.lastAttempt = now
	if err := s.fetch(ctx); err != nil {
		s.log.WarnContext(ctx, "fetch JWKS failed; keeping cached keys", "url", s.url, "error", err)
		return
	}
	s.lastSuccess, s.loaded = s.now(), true
}

// fetch replaces the cached keys with the issuer's current set. It does not
// let a client's disconnect cancel the fetch others may be waiting for.
func (s *keyStore) fetch(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), s.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return fmt.Errorf("get key set: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("get key set: status %d", resp.StatusCode)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return fmt.Errorf("read key set: %w", err)
	}
	if len(body) > maxJWKSBytes {
		return fmt.Errorf("read key set: larger than %d bytes", maxJWKSBytes)
	}
	keys, err := parseJWKS(body)
	if err != nil {
		return err
	}
	return s.mem.KeyReplaceAll(ctx, keys)
}

// parseJWKS keeps the usable public keys of a JWKS: those with a kid and an
// asymmetric key type. It fails when none is left, so that a broken response
// never empties the cache.
func parseJWKS(body []byte) ([]jwkset.JWK, error) {
	var set jwkset.JWKSMarshal
	if err := json.Unmarshal(body, &set); err != nil {
		return nil, fmt.Errorf("decode key set: %w", err)
	}
	var keys []jwkset.JWK
	var skipped []error
	for _, m := range set.Keys {
		if m.KID == "" || m.KTY == jwkset.KtyOct {
			continue
		}
		jwk, err := jwkset.NewJWKFromMarshal(m, jwkset.JWKMarshalOptions{}, jwkset.JWKValidateOptions{})
		if err != nil {
			skipped = append(skipped, fmt.Errorf("key %q: %w", m.KID, err))
			continue
		}
		keys = append(keys, jwk)
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("decode key set: no usable keys: %w", errors.Join(skipped...))
	}
	return keys, nil
}
