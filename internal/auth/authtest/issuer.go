package authtest

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ClientID is the app client id the issuer's tokens are issued to.
const ClientID = "test-client-id"

// JWKSPath is where the issuer serves its key set.
const JWKSPath = "/.well-known/jwks.json"

// Key is a signing key with its JWK metadata.
type Key struct {
	ID     string        // kid
	Alg    string        // JWT alg: RS256 or ES256; also the JWK's alg unless OmitAlg
	Use    string        // JWK use; "sig" by default, "" omits it
	Signer crypto.Signer // *rsa.PrivateKey or *ecdsa.PrivateKey
	// OmitAlg leaves "alg" out of the published JWK.
	OmitAlg bool
}

// NewRSAKey generates a 2048-bit RSA key for RS256.
func NewRSAKey(tb testing.TB, kid string) *Key {
	tb.Helper()
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		tb.Fatalf("generate RSA key: %v", err)
	}
	return &Key{ID: kid, Alg: "RS256", Use: "sig", Signer: k}
}

// NewECKey generates a P-256 key for ES256.
func NewECKey(tb testing.TB, kid string) *Key {
	tb.Helper()
	k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatalf("generate EC key: %v", err)
	}
	return &Key{ID: kid, Alg: "ES256", Use: "sig", Signer: k}
}

// JWK returns the public JWK of k.
func (k *Key) JWK() map[string]any {
	m := map[string]any{"kid": k.ID}
	if !k.OmitAlg {
		m["alg"] = k.Alg
	}
	if k.Use != "" {
		m["use"] = k.Use
	}
	switch pub := k.Signer.Public().(type) {
	case *rsa.PublicKey:
		m["kty"] = "RSA"
		m["n"] = b64(pub.N.Bytes())
		m["e"] = b64(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		raw, err := pub.Bytes() // 0x04 || X || Y
		if err != nil {
			panic("authtest: encode EC key: " + err.Error())
		}
		m["kty"] = "EC"
		m["crv"] = "P-256"
		m["x"] = b64(raw[1:33])
		m["y"] = b64(raw[33:])
	}
	return m
}

func b64(b []byte) string { return base64.RawURLEncoding.EncodeToString(b) }

// Issuer is an OIDC issuer on 127.0.0.1 whose URL is also its "iss". It
// serves JWKSPath and stops when the test ends.
type Issuer struct {
	Server *httptest.Server

	mu      sync.Mutex
	keys    []*Key
	down    bool
	fetches int
}

// NewIssuer starts an issuer publishing one RSA key with kid "key-1"; it
// stops when the test ends.
func NewIssuer(tb testing.TB) *Issuer {
	tb.Helper()
	i, err := StartIssuer()
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(i.Close)
	return i
}

// StartIssuer starts an issuer outside a test (benchmark programs); Close
// stops it.
func StartIssuer() (*Issuer, error) {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, fmt.Errorf("generate RSA key: %w", err)
	}
	i := &Issuer{keys: []*Key{{ID: "key-1", Alg: "RS256", Use: "sig", Signer: k}}}
	i.Server = httptest.NewServer(http.HandlerFunc(i.serve))
	return i, nil
}

// Close stops the issuer.
func (i *Issuer) Close() { i.Server.Close() }

func (i *Issuer) serve(w http.ResponseWriter, r *http.Request) {
	i.mu.Lock()
	if r.URL.Path != JWKSPath {
		i.mu.Unlock()
		http.NotFound(w, r)
		return
	}
	i.fetches++
	if i.down {
		i.mu.Unlock()
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	set := map[string]any{"keys": jwks(i.keys)}
	i.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(set)
}

func jwks(keys []*Key) []map[string]any {
	out := make([]map[string]any, 0, len(keys))
	for _, k := range keys {
		out = append(out, k.JWK())
	}
	return out
}

// URL is the issuer ("iss") URL.
func (i *Issuer) URL() string { return i.Server.URL }

// JWKSURL is the key set URL.
func (i *Issuer) JWKSURL() string { return i.Server.URL + JWKSPath }

// Key returns the first published key, the one tokens are signed with.
func (i *Issuer) Key() *Key {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.keys[0]
}

// Publish replaces the published keys.
func (i *Issuer) Publish(keys ...*Key) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.keys = keys
}

// AddKey publishes k alongside the current keys.
func (i *Issuer) AddKey(k *Key) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.keys = append(i.keys, k)
}

// SetDown makes the key set answer 503 (true) or recover (false).
func (i *Issuer) SetDown(down bool) {
	i.mu.Lock()
	defer i.mu.Unlock()
	i.down = down
}

// Fetches counts requests for the key set, failed ones included.
func (i *Issuer) Fetches() int {
	i.mu.Lock()
	defer i.mu.Unlock()
	return i.fetches
}

// Env returns the variables that make the gateway trust this issuer for
// Cognito-shaped tokens of the given token use ("id", "access" or "any").
func (i *Issuer) Env(tokenUse string) map[string]string {
	return map[string]string{
		"OIDC_ISSUER":        i.URL(),
		"OIDC_JWKS_URL":      i.JWKSURL(),
		"COGNITO_CLIENT_IDS": ClientID,
		"COGNITO_TOKEN_USE":  tokenUse,
	}
}

// Getenv turns a map into a getenv function for app.Load.
func Getenv(env map[string]string) func(string) string {
	return func(name string) string { return env[name] }
}

// AccessClaims returns the claims of a Cognito access token issued at now,
// valid for an hour.
func (i *Issuer) AccessClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"sub":            "11111111-2222-3333-4444-555555555555",
		"cognito:groups": []any{"users"},
		"iss":            i.URL(),
		"version":        2,
		"client_id":      ClientID,
		"origin_jti":     "origin-jti",
		"event_id":       "event-id",
		"token_use":      "access",
		"scope":          "aws.cognito.signin.user.admin",
		"auth_time":      now.Unix(),
		"exp":            now.Add(time.Hour).Unix(),
		"iat":            now.Unix(),
		"jti":            "access-jti",
		"username":       "alice",
	}
}

// IDClaims returns the claims of a Cognito ID token issued at now, valid for
// an hour.
func (i *Issuer) IDClaims(now time.Time) jwt.MapClaims {
	return jwt.MapClaims{
		"sub":              "11111111-2222-3333-4444-555555555555",
		"cognito:groups":   []any{"users"},
		"email_verified":   true,
		"iss":              i.URL(),
		"cognito:username": "alice",
		"origin_jti":       "origin-jti",
		"aud":              ClientID,
		"event_id":         "event-id",
		"token_use":        "id",
		"auth_time":        now.Unix(),
		"exp":              now.Add(time.Hour).Unix(),
		"iat":              now.Unix(),
		"jti":              "id-jti",
		"email":            "alice@example.com",
	}
}

// AccessToken returns a valid access token signed with Key().
func (i *Issuer) AccessToken(tb testing.TB) string {
	tb.Helper()
	return Sign(tb, i.Key(), i.AccessClaims(time.Now()), nil)
}

// IDToken returns a valid ID token signed with Key().
func (i *Issuer) IDToken(tb testing.TB) string {
	tb.Helper()
	return Sign(tb, i.Key(), i.IDClaims(time.Now()), nil)
}

// Sign returns a compact JWS of claims signed by k with k.Alg. The header
// carries alg and kid (k.ID); entries of extra are added to it, and an entry
// with a nil value removes that header.
func Sign(tb testing.TB, k *Key, claims jwt.MapClaims, extra map[string]any) string {
	tb.Helper()
	s, err := SignToken(k, claims, extra)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

// SignToken is Sign outside a test.
func SignToken(k *Key, claims jwt.MapClaims, extra map[string]any) (string, error) {
	t := jwt.NewWithClaims(jwt.GetSigningMethod(k.Alg), claims)
	t.Header["kid"] = k.ID
	for name, v := range extra {
		if v == nil {
			delete(t.Header, name)
			continue
		}
		t.Header[name] = v
	}
	s, err := t.SignedString(k.Signer)
	if err != nil {
		return "", fmt.Errorf("sign token: %w", err)
	}
	return s, nil
}

// PayloadHash returns the x-amz-content-sha256 value for body.
func PayloadHash(body []byte) string {
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}
