package auth_test

import (
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
)

// TestCheckRequiresSubject: a JWT that names no caller is refused, rather
// than let every such token count as one anonymous caller. An access token
// from the client-credentials grant names no user: its caller is its client.
func TestCheckRequiresSubject(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	cognito := map[string]*auth.Guard{}
	for _, use := range []string{"id", "access", "any"} {
		cognito[use] = newGuard(t, iss.Env(use), false)
	}
	oidc := newGuard(t, map[string]string{
		"OIDC_ISSUER": iss.URL(), "OIDC_JWKS_URL": iss.JWKSURL(), "OIDC_AUDIENCE": "api://chat",
	}, false)
	now := time.Now()
	// without returns claims with sub removed, or set to "" when empty is true.
	without := func(c jwt.MapClaims, empty bool) jwt.MapClaims {
		delete(c, "sub")
		if empty {
			c["sub"] = ""
		}
		return c
	}
	// machine is a Cognito client-credentials access token: no user, no sub.
	machine := without(iss.AccessClaims(now), false)
	delete(machine, "username")
	delete(machine, "cognito:groups")
	oidcClaims := func(sub any, clientID string) jwt.MapClaims {
		c := jwt.MapClaims{"iss": iss.URL(), "aud": "api://chat", "exp": now.Add(time.Minute).Unix()}
		if sub != nil {
			c["sub"] = sub
		}
		if clientID != "" {
			c["client_id"] = clientID
		}
		return c
	}
	tests := []struct {
		name     string
		guard    *auth.Guard
		claims   jwt.MapClaims
		wantSub  string // "" means refused with missing_sub
		wantCode string
	}{
		{name: "ID token without sub", guard: cognito["id"], claims: without(iss.IDClaims(now), false), wantCode: auth.CodeMissingSubject},
		{name: "ID token with an empty sub", guard: cognito["id"], claims: without(iss.IDClaims(now), true), wantCode: auth.CodeMissingSubject},
		{name: "ID token without sub, any use", guard: cognito["any"], claims: without(iss.IDClaims(now), false), wantCode: auth.CodeMissingSubject},
		{name: "user access token with an empty sub", guard: cognito["access"], claims: without(iss.AccessClaims(now), true),
			wantCode: auth.CodeMissingSubject},
		{name: "client-credentials access token", guard: cognito["access"], claims: machine, wantSub: authtest.ClientID},
		{name: "OIDC token without sub", guard: oidc, claims: oidcClaims(nil, ""), wantCode: auth.CodeMissingSubject},
		{name: "OIDC token whose sub is not a string", guard: oidc, claims: oidcClaims(42, ""), wantCode: auth.CodeMissingSubject},
		{name: "OIDC client-credentials token", guard: oidc, claims: oidcClaims(nil, "svc-1"), wantSub: "svc-1"},
		{name: "OIDC user token", guard: oidc, claims: oidcClaims("u1", "svc-1"), wantSub: "u1"},
		{name: "user ID token", guard: cognito["id"], claims: iss.IDClaims(now), wantSub: "11111111-2222-3333-4444-555555555555"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, err := check(t, tt.guard, bearerReq(authtest.Sign(t, iss.Key(), tt.claims, nil)))
			if tt.wantSub == "" {
				wantCode(t, err, auth.ErrUnauthenticated, tt.wantCode)
				return
			}
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if id.Subject != tt.wantSub || id.Issuer != iss.URL() || id.Method != auth.MethodJWT {
				t.Fatalf("identity = %+v; want subject %q from issuer %q", id, tt.wantSub, iss.URL())
			}
		})
	}
}
