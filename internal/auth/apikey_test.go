package auth_test

import (
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
)

func TestGenerateAPIKey(t *testing.T) {
	t.Parallel()
	k1, h1, err := auth.GenerateAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, _, err := auth.GenerateAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(k1))
	if !strings.HasPrefix(k1, "sk-") || len(k1) != 46 || h1 != hex.EncodeToString(sum[:]) || k1 == k2 {
		t.Fatalf("GenerateAPIKey = %q, %q (second %q)", k1, h1, k2)
	}
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	billing, billingEntry := authtest.APIKey(t, "billing")
	// A key that differs from billing in its last character, whatever that
	// character is.
	changed := billing[:len(billing)-1] + map[bool]string{true: "B", false: "A"}[strings.HasSuffix(billing, "A")]
	search, searchEntry := authtest.APIKey(t, "search-svc")
	stranger, _ := authtest.APIKey(t, "stranger")
	keysEnv := map[string]string{"API_KEY_SHA256S": billingEntry + ", " + searchEntry}
	keysOnly := newGuard(t, keysEnv, true) // Lambda mode accepts API keys as the only check
	both := newGuard(t, with(iss.Env("access"), keysEnv), false)
	jwtOnly := newGuard(t, with(iss.Env("access"), with(keysEnv, map[string]string{"AUTH_MODE": "jwt"})), false)
	explicitKeys := newGuard(t, with(iss.Env("access"), with(keysEnv, map[string]string{"AUTH_MODE": "apikey"})), false)
	jwtToken := iss.AccessToken(t)

	tests := []struct {
		name     string
		guard    *auth.Guard
		headers  []string
		wantKey  string // accepted with this key name
		wantJWT  bool   // accepted as a JWT
		wantCode string
	}{
		{name: "Authorization Bearer", guard: keysOnly, headers: []string{"Authorization", "Bearer " + billing}, wantKey: "billing"},
		{name: "X-Authorization Bearer", guard: keysOnly, headers: []string{"X-Authorization", "Bearer " + search}, wantKey: "search-svc"},
		{name: "X-Api-Key", guard: keysOnly, headers: []string{"X-Api-Key", billing}, wantKey: "billing"},
		{name: "bearer before X-Api-Key", guard: keysOnly, headers: []string{"Authorization", "Bearer " + search, "X-Api-Key", billing}, wantKey: "search-svc"},
		{name: "unknown key", guard: keysOnly, headers: []string{"Authorization", "Bearer " + stranger}, wantCode: auth.CodeInvalidAPIKey},
		{name: "key with a changed character", guard: keysOnly, headers: []string{"X-Api-Key", changed}, wantCode: auth.CodeInvalidAPIKey},
		{name: "key without prefix", guard: keysOnly, headers: []string{"X-Api-Key", strings.TrimPrefix(billing, "sk-")}, wantCode: auth.CodeInvalidAPIKey},
		{name: "the hash instead of the key", guard: keysOnly, headers: []string{"X-Api-Key", "sk-" + strings.SplitN(billingEntry, ":", 2)[1]}, wantCode: auth.CodeInvalidAPIKey},
		{name: "oversized key", guard: keysOnly, headers: []string{"X-Api-Key", "sk-" + strings.Repeat("a", 1000)}, wantCode: auth.CodeInvalidAPIKey},
		{name: "JWT with keys only", guard: keysOnly, headers: []string{"Authorization", "Bearer " + jwtToken}, wantCode: auth.CodeJWTDisabled},
		{name: "no credential", guard: keysOnly, wantCode: auth.CodeMissingToken},
		{name: "both modes, key", guard: both, headers: []string{"X-Api-Key", billing}, wantKey: "billing"},
		{name: "both modes, JWT", guard: both, headers: []string{"X-Authorization", "Bearer " + jwtToken}, wantJWT: true},
		{name: "AUTH_MODE=jwt refuses keys", guard: jwtOnly, headers: []string{"X-Api-Key", billing}, wantCode: auth.CodeAPIKeysDisabled},
		{name: "AUTH_MODE=jwt accepts JWTs", guard: jwtOnly, headers: []string{"X-Authorization", "Bearer " + jwtToken}, wantJWT: true},
		{name: "AUTH_MODE=apikey refuses JWTs", guard: explicitKeys, headers: []string{"X-Authorization", "Bearer " + jwtToken}, wantCode: auth.CodeJWTDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := postWith("{}", tt.headers...)
			r.Header.Set("X-Amz-Content-Sha256", authtest.PayloadHash([]byte("{}")))
			id, err := check(t, tt.guard, r)
			switch {
			case tt.wantKey != "":
				if err != nil || id.Method != auth.MethodAPIKey || id.KeyName != tt.wantKey || id.Subject != "apikey:"+tt.wantKey {
					t.Fatalf("Check = %+v, %v; want key %s", id, err, tt.wantKey)
				}
			case tt.wantJWT:
				if err != nil || id.Method != auth.MethodJWT {
					t.Fatalf("Check = %+v, %v; want a JWT identity", id, err)
				}
			default:
				wantCode(t, err, auth.ErrUnauthenticated, tt.wantCode)
			}
		})
	}
}
