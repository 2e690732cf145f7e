package quota_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/quota"
)

// keyLog is a memory store that notes the counter keys it is asked to take.
type keyLog struct {
	*quota.MemoryStore
	mu   sync.Mutex
	keys []string
}

func (k *keyLog) Take(ctx context.Context, key string, n, limit int64, expires time.Time) (int64, bool, error) {
	k.mu.Lock()
	k.keys = append(k.keys, key)
	k.mu.Unlock()
	return k.MemoryStore.Take(ctx, key, n, limit, expires)
}

// TestCallersAreNamespaced: each way of signing in counts in a namespace of
// its own, a JWT's by its issuer too, so that no credential spends another
// kind's budget; a minted token counts as the key that minted it.
func TestCallersAreNamespaced(t *testing.T) {
	t.Parallel()
	const issA, issB = "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_A", "https://issuer.example.com"
	keyBackend := &auth.Identity{Subject: "apikey:backend", Method: auth.MethodAPIKey, KeyName: "backend"}
	tests := []struct {
		name   string
		first  *auth.Identity
		second *auth.Identity
		shared bool // the second is refused once the first has taken the only request
		key    string
	}{
		{name: "a JWT whose sub names an API key", first: keyBackend,
			second: &auth.Identity{Subject: "apikey:backend", Issuer: issA, Method: auth.MethodJWT},
			key:    "rpm#key:backend#"},
		{name: "the same sub from two issuers",
			first:  &auth.Identity{Subject: "alice", Issuer: issA, Method: auth.MethodJWT},
			second: &auth.Identity{Subject: "alice", Issuer: issB, Method: auth.MethodJWT},
			key:    "rpm#jwt:" + issA + "#alice#"},
		{name: "a minted token counts as its key", first: keyBackend,
			second: &auth.Identity{Subject: "apikey:backend", Method: auth.MethodToken, KeyName: "backend"},
			shared: true, key: "rpm#key:backend#"},
		{name: "one user, ID and access token", first: &auth.Identity{Subject: "alice", Issuer: issA, Method: auth.MethodJWT},
			second: &auth.Identity{Subject: "alice", Issuer: issA, Method: auth.MethodJWT, Username: "alice"},
			shared: true, key: "rpm#jwt:" + issA + "#alice#"},
		{name: "auth off", first: &auth.Identity{Method: auth.MethodNone}, second: nil,
			shared: true, key: "rpm#anonymous#"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			clock := clockAt(t0)
			store := &keyLog{MemoryStore: quota.NewMemoryStore(clock.Now)}
			l := newLimiter(quota.Limits{RequestsPerMinute: 1}, clock, store)
			g, err := l.Admit(context.Background(), tt.first, "r1", 10)
			if err != nil {
				t.Fatalf("first: %v", err)
			}
			g.Done(chat.Usage{})
			_, err = l.Admit(context.Background(), tt.second, "r2", 10)
			if tt.shared && err == nil {
				t.Fatalf("second admitted: it should count as the first")
			}
			if !tt.shared && err != nil {
				t.Fatalf("second refused (%v): it spent the first's budget", err)
			}
			if !strings.HasPrefix(store.keys[0], tt.key) {
				t.Fatalf("counted under %q; want %q…", store.keys[0], tt.key)
			}
		})
	}
}

// TestKeyOverridesNeedTheKey: a key's limits apply to the key and its minted
// tokens, never to a JWT whose sub happens to name the key.
func TestKeyOverridesNeedTheKey(t *testing.T) {
	t.Parallel()
	def := quota.Limits{RequestsPerMinute: 10}
	cfg := quota.Config{Default: def, Keys: map[string]quota.Limits{"backend": {RequestsPerMinute: 600}}}
	for _, tc := range []struct {
		name string
		id   *auth.Identity
		want quota.Limits
	}{
		{"api key", &auth.Identity{Subject: "apikey:backend", Method: auth.MethodAPIKey, KeyName: "backend"}, quota.Limits{RequestsPerMinute: 600}},
		{"minted token", &auth.Identity{Subject: "apikey:backend", Method: auth.MethodToken, KeyName: "backend"}, quota.Limits{RequestsPerMinute: 600}},
		{"JWT naming the key", &auth.Identity{Subject: "apikey:backend", Issuer: "https://i", Method: auth.MethodJWT, KeyName: "backend"}, def},
	} {
		if _, got := cfg.For(tc.id); got != tc.want {
			t.Errorf("%s: limits = %+v; want %+v", tc.name, got, tc.want)
		}
	}
}
