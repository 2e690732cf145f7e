package auth_test

import (
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
)

// FuzzCheck feeds arbitrary X-Authorization, Authorization and X-Api-Key
// values through credential extraction and verification (issuer JWTs, API
// keys, minted tokens). Whatever comes in, Check must not panic, must answer
// with an *auth.Error of a known kind, and may accept only a valid
// credential.
func FuzzCheck(f *testing.F) {
	iss := authtest.NewIssuer(f)
	now := time.Now()
	key, entry := authtest.APIKey(f, "fuzz")
	g := newGuard(f, with(iss.Env("any"), map[string]string{"API_KEY_SHA256S": entry, "TOKEN_SIGNING_KEY": authtest.SigningKey(f)}),
		false, auth.WithTimeFunc(func() time.Time { return now }))
	jwtToken := authtest.Sign(f, iss.Key(), iss.AccessClaims(now), nil)
	minted, _, err := g.Mint(&auth.Identity{Subject: "apikey:fuzz", Method: auth.MethodAPIKey, KeyName: "fuzz"}, 0)
	if err != nil {
		f.Fatal(err)
	}
	valid := []string{jwtToken, key, minted}
	f.Add("Bearer "+jwtToken, "", "")
	f.Add("", "Bearer "+minted, "")
	f.Add("", "", key)
	f.Add("Bearer "+jwtToken[:len(jwtToken)/2], "AWS4-HMAC-SHA256 Credential=x", key[:10])
	f.Fuzz(func(t *testing.T, xauth, authz, apiKey string) {
		r := httptest.NewRequest(http.MethodGet, "/v1/models", nil)
		r.Header["X-Authorization"] = []string{xauth}
		r.Header["Authorization"] = []string{authz}
		r.Header["X-Api-Key"] = []string{apiKey}
		id, err := g.Check(r, nil)
		if err == nil {
			in := xauth + "\x00" + authz + "\x00" + apiKey
			ok := false
			for _, v := range valid {
				ok = ok || strings.Contains(in, v)
			}
			if id == nil || !ok {
				t.Fatalf("accepted %q / %q / %q as %+v", xauth, authz, apiKey, id)
			}
			return
		}
		var ae *auth.Error
		if !errors.As(err, &ae) || ae.Code == "" ||
			!(errors.Is(err, auth.ErrUnauthenticated) || errors.Is(err, auth.ErrForbidden) || errors.Is(err, auth.ErrKeysUnavailable)) {
			t.Fatalf("Check(%q, %q, %q) = %v, want an *auth.Error of a known kind", xauth, authz, apiKey, err)
		}
	})
}
