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

// FuzzCheck feeds arbitrary X-Authorization and Authorization values through
// credential extraction and token verification. Whatever comes in, Check
// must not panic, must answer with an *auth.Error of a known kind, and may
// accept only the one valid token.
func FuzzCheck(f *testing.F) {
	iss := authtest.NewIssuer(f)
	now := time.Now()
	g := newGuard(f, iss.Env("any"), false, auth.WithTimeFunc(func() time.Time { return now }))
	valid := authtest.Sign(f, iss.Key(), iss.AccessClaims(now), nil)
	f.Add("Bearer "+valid, "")
	f.Add("", "Bearer "+valid)
	f.Add("Bearer "+valid[:len(valid)/2], "AWS4-HMAC-SHA256 Credential=x")
	f.Fuzz(func(t *testing.T, xauth, authz string) {
		r := httptest.NewRequest(http.MethodGet, "/v1/models", nil)
		r.Header["X-Authorization"] = []string{xauth}
		r.Header["Authorization"] = []string{authz}
		id, err := g.Check(r, nil)
		if err == nil {
			if id == nil || id.Method != auth.MethodJWT || !(strings.Contains(xauth, valid) || strings.Contains(authz, valid)) {
				t.Fatalf("accepted %q / %q as %+v", xauth, authz, id)
			}
			return
		}
		var ae *auth.Error
		if !errors.As(err, &ae) || ae.Code == "" ||
			!(errors.Is(err, auth.ErrUnauthenticated) || errors.Is(err, auth.ErrForbidden) || errors.Is(err, auth.ErrKeysUnavailable)) {
			t.Fatalf("Check(%q, %q) = %v, want an *auth.Error of a known kind", xauth, authz, err)
		}
	})
}
