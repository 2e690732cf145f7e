package auth_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/golang-jwt/jwt/v5"
)

// tokenFixture is a Guard that accepts API keys and mints tokens.
type tokenFixture struct {
	guard   *auth.Guard
	clock   *clock
	key     string // an API key
	entry   string // its API_KEY_SHA256S entry
	signing []byte
	iss     *authtest.Issuer
}

func newTokenFixture(t *testing.T) *tokenFixture {
	t.Helper()
	iss := authtest.NewIssuer(t)
	key, entry := authtest.APIKey(t, "backend")
	signing := authtest.SigningKey(t)
	clk := newClock()
	g := newGuard(t, with(iss.Env("access"), map[string]string{"API_KEY_SHA256S": entry, "TOKEN_SIGNING_KEY": signing}), false,
		auth.WithTimeFunc(clk.Now))
	raw, err := hex.DecodeString(signing)
	if err != nil {
		t.Fatal(err)
	}
	return &tokenFixture{guard: g, clock: clk, key: key, entry: entry, signing: raw, iss: iss}
}

// guardWith builds a guard with the fixture's signing key and clock and the
// given API_KEY_SHA256S.
func (f *tokenFixture) guardWith(t *testing.T, keys string) *auth.Guard {
	t.Helper()
	return newGuard(t, map[string]string{"API_KEY_SHA256S": keys, "TOKEN_SIGNING_KEY": hex.EncodeToString(f.signing)}, false,
		auth.WithTimeFunc(f.clock.Now))
}

// binding computes the key_fp claim of a key's API_KEY_SHA256S entry as
// documented: base64url of the first 8 bytes of
// SHA-256("chatbot-token-binding" || SHA-256 of the key).
func binding(t *testing.T, entry string) string {
	t.Helper()
	_, hexSum, _ := strings.Cut(entry, ":")
	sum, err := hex.DecodeString(hexSum)
	if err != nil {
		t.Fatal(err)
	}
	fp := sha256.Sum256(append([]byte("chatbot-token-binding"), sum...))
	return base64.RawURLEncoding.EncodeToString(fp[:8])
}

// TestMintedTokenDiesWithItsKey: a token works only while the very key that
// minted it is configured. Replacing a leaked key under the same name must
// end the tokens minted with it.
func TestMintedTokenDiesWithItsKey(t *testing.T) {
	t.Parallel()
	f := newTokenFixture(t)
	token, _, err := f.guard.Mint(f.keyIdentity(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	_, replacement := authtest.APIKey(t, "backend")
	_, other := authtest.APIKey(t, "other")
	tests := []struct {
		name   string
		keys   string // API_KEY_SHA256S of the guard that checks the token
		accept bool
	}{
		{name: "key unchanged", keys: f.entry, accept: true},
		{name: "key unchanged, another key added", keys: f.entry + "," + other, accept: true},
		{name: "key replaced under the same name", keys: replacement},
		{name: "key replaced, another key kept", keys: other + "," + replacement},
		{name: "key removed", keys: other},
		{name: "key renamed", keys: "renamed:" + strings.SplitN(f.entry, ":", 2)[1]},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, err := check(t, f.guardWith(t, tt.keys), bearerReq(token))
			if tt.accept {
				if err != nil || id.Method != auth.MethodToken || id.KeyName != "backend" {
					t.Fatalf("Check = %+v, %v", id, err)
				}
				return
			}
			wantCode(t, err, auth.ErrUnauthenticated, auth.CodeKeyRevoked)
		})
	}
}

// keyIdentity checks the API key and returns its identity.
func (f *tokenFixture) keyIdentity(t *testing.T) *auth.Identity {
	t.Helper()
	id, err := check(t, f.guard, postWith("{}", "Authorization", "Bearer "+f.key))
	if err != nil {
		t.Fatalf("API key: %v", err)
	}
	return id
}

func TestMintAndUseToken(t *testing.T) {
	t.Parallel()
	f := newTokenFixture(t)
	owner := f.keyIdentity(t)
	token, expires, err := f.guard.Mint(owner, 0)
	if err != nil {
		t.Fatalf("Mint: %v", err)
	}
	if got := expires.Sub(f.clock.Now()); got != auth.DefaultTokenTTL {
		t.Fatalf("default lifetime = %v, want %v", got, auth.DefaultTokenTTL)
	}
	if strings.Contains(token, f.key) {
		t.Fatal("token contains the API key")
	}
	for _, header := range []string{"X-Authorization", "Authorization"} {
		id, err := check(t, f.guard, postWith("{}", header, "Bearer "+token))
		if err != nil {
			t.Fatalf("token in %s: %v", header, err)
		}
		if id.Method != auth.MethodToken || id.KeyName != "backend" || id.Subject != "apikey:backend" {
			t.Fatalf("identity = %+v", id)
		}
		// A token cannot mint another.
		_, _, err = f.guard.Mint(id, 0)
		wantCode(t, err, auth.ErrForbidden, auth.CodeMintNotAllowed)
	}

	// Valid until its expiry; expired, tampered or replayed later it is refused.
	f.clock.Advance(auth.DefaultTokenTTL - time.Second)
	if _, err := check(t, f.guard, bearerReq(token)); err != nil {
		t.Fatalf("just before expiry: %v", err)
	}
	f.clock.Advance(time.Second)
	_, err = check(t, f.guard, bearerReq(token))
	wantCode(t, err, auth.ErrUnauthenticated, auth.CodeTokenExpired)
	f.clock.Advance(24 * time.Hour)
	_, err = check(t, f.guard, bearerReq(token))
	wantCode(t, err, auth.ErrUnauthenticated, auth.CodeTokenExpired)
}

func TestMintTTL(t *testing.T) {
	t.Parallel()
	f := newTokenFixture(t)
	owner := f.keyIdentity(t)
	tests := []struct {
		ttl  time.Duration
		want time.Duration // 0: refused with ErrInvalidTTL
	}{
		{ttl: 0, want: auth.DefaultTokenTTL},
		{ttl: time.Second, want: time.Second},
		{ttl: 30 * time.Minute, want: 30 * time.Minute},
		{ttl: auth.MaxTokenTTL, want: auth.MaxTokenTTL},
		{ttl: auth.MaxTokenTTL + time.Second},
		{ttl: 24 * time.Hour},
		{ttl: -time.Minute},
		{ttl: 500 * time.Millisecond},
	}
	for _, tt := range tests {
		_, expires, err := f.guard.Mint(owner, tt.ttl)
		if tt.want == 0 {
			if !errors.Is(err, auth.ErrInvalidTTL) {
				t.Errorf("Mint(%v) = %v, want ErrInvalidTTL", tt.ttl, err)
			}
			continue
		}
		if err != nil || expires.Sub(f.clock.Now()) != tt.want {
			t.Errorf("Mint(%v) expires in %v, %v; want %v", tt.ttl, expires.Sub(f.clock.Now()), err, tt.want)
		}
	}
}

func TestMintRefused(t *testing.T) {
	t.Parallel()
	f := newTokenFixture(t)
	jwtID, err := check(t, f.guard, bearerReq(f.iss.AccessToken(t)))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = f.guard.Mint(jwtID, 0)
	wantCode(t, err, auth.ErrForbidden, auth.CodeMintNotAllowed)
	_, _, err = f.guard.Mint(nil, 0)
	wantCode(t, err, auth.ErrForbidden, auth.CodeMintNotAllowed)
	_, _, err = f.guard.Mint(&auth.Identity{Method: auth.MethodNone}, 0)
	wantCode(t, err, auth.ErrForbidden, auth.CodeMintNotAllowed)

	key, entry := authtest.APIKey(t, "no-signing")
	g := newGuard(t, map[string]string{"API_KEY_SHA256S": entry}, false)
	id, err := check(t, g, postWith("{}", "X-Api-Key", key))
	if err != nil {
		t.Fatal(err)
	}
	_, _, err = g.Mint(id, 0)
	wantCode(t, err, auth.ErrForbidden, auth.CodeTokensDisabled)
}

func TestBadMintedTokens(t *testing.T) {
	t.Parallel()
	f := newTokenFixture(t)
	now := f.clock.Now()
	token, _, err := f.guard.Mint(f.keyIdentity(t), 0)
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.Split(token, ".")
	forge := func(key []byte, claims jwt.MapClaims, header map[string]any) string {
		c := jwt.MapClaims{"iss": auth.TokenIssuer, "sub": "apikey:backend", "key": "backend", "key_fp": binding(t, f.entry),
			"scope": "chat", "token_use": "ephemeral", "iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
		for k, v := range claims {
			if v == nil {
				delete(c, k)
				continue
			}
			c[k] = v
		}
		tk := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
		tk.Header["typ"] = auth.TokenType
		for k, v := range header {
			tk.Header[k] = v
		}
		s, err := tk.SignedString(key)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	payload := func(claims string) string { return base64.RawURLEncoding.EncodeToString([]byte(claims)) }
	otherKey := make([]byte, 32)

	// Another guard with the same signing key but without the minting API key.
	_, entry := authtest.APIKey(t, "someone-else")
	revoked := f.guardWith(t, entry)
	jwtOnly := newGuard(t, f.iss.Env("access"), false, auth.WithTimeFunc(f.clock.Now))

	tests := []struct {
		name  string
		guard *auth.Guard
		token string
		code  string
	}{
		{name: "control: forged with the right key is accepted", token: forge(f.signing, nil, nil)},
		{name: "tampered payload", token: parts[0] + "." + payload(`{"iss":"`+auth.TokenIssuer+`","sub":"apikey:admin","key":"backend","scope":"chat","token_use":"ephemeral","exp":9999999999}`) + "." + parts[2], code: auth.CodeBadSignature},
		{name: "truncated signature", token: token[:len(token)-3], code: auth.CodeBadSignature},
		{name: "signed with another key", token: forge(otherKey, nil, nil), code: auth.CodeBadSignature},
		{name: "scope that could mint", token: forge(f.signing, jwt.MapClaims{"scope": "mint"}, nil), code: auth.CodeWrongScope},
		{name: "no scope", token: forge(f.signing, jwt.MapClaims{"scope": nil}, nil), code: auth.CodeWrongScope},
		{name: "wrong issuer", token: forge(f.signing, jwt.MapClaims{"iss": f.iss.URL()}, nil), code: auth.CodeInvalidClaim},
		{name: "no exp", token: forge(f.signing, jwt.MapClaims{"exp": nil}, nil), code: auth.CodeInvalidClaim},
		{name: "Cognito token_use", token: forge(f.signing, jwt.MapClaims{"token_use": "access"}, nil), code: auth.CodeWrongTokenUse},
		{name: "no key name", token: forge(f.signing, jwt.MapClaims{"key": nil}, nil), code: auth.CodeInvalidClaim},
		{name: "no key binding (minted before tokens were bound)", token: forge(f.signing, jwt.MapClaims{"key_fp": nil}, nil), code: auth.CodeKeyRevoked},
		{name: "binding of another key", token: forge(f.signing, jwt.MapClaims{"key_fp": binding(t, entry)}, nil), code: auth.CodeKeyRevoked},
		{name: "binding of another type", token: forge(f.signing, jwt.MapClaims{"key_fp": 7}, nil), code: auth.CodeKeyRevoked},
		{name: "alg none with our typ", token: b64json(t, map[string]any{"alg": "none", "typ": auth.TokenType}) + "." + parts[1] + ".", code: auth.CodeBadSignature},
		{name: "RS256 issuer token posing as ours", token: authtest.Sign(t, f.iss.Key(), f.iss.AccessClaims(now), map[string]any{"typ": auth.TokenType}), code: auth.CodeBadSignature},
		{name: "our token without typ goes to the issuer path", token: forge(f.signing, nil, map[string]any{"typ": nil, "kid": "key-1"}), code: auth.CodeAlgNotAllowed},
		{name: "minting key no longer configured", guard: revoked, token: token, code: auth.CodeKeyRevoked},
		{name: "guard without a signing key", guard: jwtOnly, token: token, code: auth.CodeTokensDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := f.guard
			if tt.guard != nil {
				g = tt.guard
			}
			id, err := check(t, g, bearerReq(tt.token))
			if tt.code == "" {
				if err != nil || id.Method != auth.MethodToken {
					t.Fatalf("Check = %+v, %v", id, err)
				}
				return
			}
			wantCode(t, err, auth.ErrUnauthenticated, tt.code)
		})
	}
}
