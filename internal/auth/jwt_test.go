package auth_test

import (
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/golang-jwt/jwt/v5"
)

func TestCheckAcceptsCognitoTokens(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	clk := newClock()
	guards := map[string]*auth.Guard{}
	for _, use := range []string{"id", "access", "any"} {
		guards[use] = newGuard(t, iss.Env(use), false, auth.WithTimeFunc(clk.Now))
	}
	now := clk.Now()
	access := authtest.Sign(t, iss.Key(), iss.AccessClaims(now), nil)
	id := authtest.Sign(t, iss.Key(), iss.IDClaims(now), nil)
	nearExpiry := iss.AccessClaims(now)
	nearExpiry["exp"] = now.Add(-auth.Leeway + time.Second).Unix()
	nearNbf := iss.AccessClaims(now)
	nearNbf["nbf"] = now.Add(auth.Leeway - time.Second).Unix()

	tests := []struct {
		name     string
		guard    string
		req      *http.Request
		wantUser string
	}{
		{name: "access token in X-Authorization", guard: "access", req: bearerReq(access), wantUser: "alice"},
		{name: "id token", guard: "id", req: bearerReq(id), wantUser: "alice"},
		{name: "any accepts access", guard: "any", req: bearerReq(access), wantUser: "alice"},
		{name: "any accepts id", guard: "any", req: bearerReq(id), wantUser: "alice"},
		{name: "Authorization header", guard: "access", req: postWith("{}", "Authorization", "Bearer "+access), wantUser: "alice"},
		{name: "lowercase bearer scheme", guard: "access", req: postWith("{}", "X-Authorization", "bearer "+access), wantUser: "alice"},
		{name: "X-Authorization wins over a SigV4 Authorization", guard: "access",
			req: postWith("{}", "X-Authorization", "Bearer "+access, "Authorization", "AWS4-HMAC-SHA256 Credential=x"), wantUser: "alice"},
		{name: "X-Authorization wins over a bad bearer", guard: "access",
			req: postWith("{}", "X-Authorization", "Bearer "+access, "Authorization", "Bearer junk"), wantUser: "alice"},
		{name: "expired within leeway", guard: "access", req: bearerReq(authtest.Sign(t, iss.Key(), nearExpiry, nil)), wantUser: "alice"},
		{name: "nbf within leeway", guard: "access", req: bearerReq(authtest.Sign(t, iss.Key(), nearNbf, nil)), wantUser: "alice"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			id, err := check(t, guards[tt.guard], tt.req)
			if err != nil {
				t.Fatalf("Check: %v", err)
			}
			if id.Method != auth.MethodJWT || id.Username != tt.wantUser || id.ClientID != authtest.ClientID ||
				id.Subject == "" || len(id.Groups) != 1 || id.Groups[0] != "users" {
				t.Fatalf("identity = %+v", id)
			}
		})
	}
}

func TestCheckOIDCAudience(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	g := newGuard(t, map[string]string{
		"OIDC_ISSUER": iss.URL(), "OIDC_JWKS_URL": iss.JWKSURL(), "OIDC_AUDIENCE": "api://chat, other",
	}, false)
	claims := jwt.MapClaims{"sub": "u1", "iss": iss.URL(), "aud": []any{"x", "api://chat"}, "exp": time.Now().Add(time.Minute).Unix()}
	id, err := check(t, g, bearerReq(authtest.Sign(t, iss.Key(), claims, nil)))
	if err != nil || id.Subject != "u1" || id.ClientID != "api://chat" {
		t.Fatalf("Check = %+v, %v", id, err)
	}
	claims["aud"] = "someone-else"
	_, err = check(t, g, bearerReq(authtest.Sign(t, iss.Key(), claims, nil)))
	wantCode(t, err, auth.ErrUnauthenticated, auth.CodeWrongClient)
}

func TestCheckGroups(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	g := newGuard(t, with(iss.Env("access"), map[string]string{"COGNITO_GROUPS": "admins,chatters"}), false)
	claims := iss.AccessClaims(time.Now())
	_, err := check(t, g, bearerReq(authtest.Sign(t, iss.Key(), claims, nil)))
	wantCode(t, err, auth.ErrForbidden, auth.CodeGroupNotAllowed)
	claims["cognito:groups"] = []any{"users", "chatters"}
	if _, err := check(t, g, bearerReq(authtest.Sign(t, iss.Key(), claims, nil))); err != nil {
		t.Fatalf("member of chatters: %v", err)
	}
	delete(claims, "cognito:groups")
	_, err = check(t, g, bearerReq(authtest.Sign(t, iss.Key(), claims, nil)))
	wantCode(t, err, auth.ErrForbidden, auth.CodeGroupNotAllowed)
}

// recorder is a server that must never be contacted.
func recorder(t *testing.T) (*httptest.Server, func() int) {
	t.Helper()
	hits := make(chan struct{}, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits <- struct{}{}
		http.NotFound(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv, func() int { return len(hits) }
}

func b64json(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func rawB64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }

// signRaw signs header and payload segments as they are, with RS256.
func signRaw(t *testing.T, key *authtest.Key, headerSeg, payloadSeg string) string {
	t.Helper()
	sig, err := jwt.SigningMethodRS256.Sign(headerSeg+"."+payloadSeg, key.Signer)
	if err != nil {
		t.Fatal(err)
	}
	return headerSeg + "." + payloadSeg + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestCheckRejectsBadTokens(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	signer := iss.Key()
	// Same key material published under other kids with other metadata.
	encKey := &authtest.Key{ID: "key-enc", Alg: "RS256", Use: "enc", Signer: signer.Signer}
	rs512Key := &authtest.Key{ID: "key-rs512", Alg: "RS512", Use: "sig", Signer: signer.Signer}
	// A key of its own that may only encrypt.
	encOnly := authtest.NewRSAKey(t, "enc-only")
	encOnly.Use = "enc"
	iss.Publish(signer, encKey, rs512Key, encOnly)
	attacker := authtest.NewRSAKey(t, "key-1") // unknown key claiming a known kid
	attackerOwn := &authtest.Key{ID: "attacker", Alg: "RS256", Signer: attacker.Signer}
	ecKey := authtest.NewECKey(t, "key-1")
	evil, evilHits := recorder(t)

	clk := newClock()
	now := clk.Now()
	guards := map[string]*auth.Guard{
		"access": newGuard(t, iss.Env("access"), false, auth.WithTimeFunc(clk.Now)),
		"id":     newGuard(t, iss.Env("id"), false, auth.WithTimeFunc(clk.Now)),
	}
	good := iss.AccessClaims(now)
	sign := func(mod func(c jwt.MapClaims), header map[string]any) string {
		c := iss.AccessClaims(now)
		if mod != nil {
			mod(c)
		}
		return authtest.Sign(t, signer, c, header)
	}
	valid := sign(nil, nil)
	parts := strings.Split(valid, ".")

	pubDER, err := x509.MarshalPKIXPublicKey(signer.Signer.Public().(*rsa.PublicKey))
	if err != nil {
		t.Fatal(err)
	}
	pubPEM := pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: pubDER})
	hs := jwt.NewWithClaims(jwt.SigningMethodHS256, good)
	hs.Header["kid"] = "key-1"
	hsToken, err := hs.SignedString(pubPEM)
	if err != nil {
		t.Fatal(err)
	}
	tamperedClaims := iss.AccessClaims(now)
	tamperedClaims["username"] = "mallory"
	big := strings.Repeat("x", auth.MaxTokenBytes)

	tests := []struct {
		name  string
		guard string // "access" (default) or "id"
		token string
		req   *http.Request // instead of token
		kind  error
		code  string
	}{
		{name: "alg none", token: b64json(t, map[string]any{"alg": "none", "kid": "key-1"}) + "." + parts[1] + ".", code: auth.CodeAlgNotAllowed},
		{name: "HS256 with the public key as secret", token: hsToken, code: auth.CodeAlgNotAllowed},
		{name: "unknown key with a known kid", token: authtest.Sign(t, attacker, good, nil), code: auth.CodeBadSignature},
		{name: "missing kid", token: sign(nil, map[string]any{"kid": nil}), code: auth.CodeMissingKID},
		{name: "empty kid", token: sign(nil, map[string]any{"kid": ""}), code: auth.CodeMissingKID},
		{name: "unknown kid", token: sign(nil, map[string]any{"kid": "rotated-away"}), code: auth.CodeUnknownKID},
		{name: "expired", token: sign(func(c jwt.MapClaims) { c["exp"] = now.Add(-auth.Leeway - time.Second).Unix() }, nil), code: auth.CodeTokenExpired},
		{name: "nbf in the future", token: sign(func(c jwt.MapClaims) { c["nbf"] = now.Add(time.Minute).Unix() }, nil), code: auth.CodeTokenNotYetValid},
		{name: "wrong iss", token: sign(func(c jwt.MapClaims) { c["iss"] = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_evil" }, nil), code: auth.CodeWrongIssuer},
		{name: "iss with trailing slash", token: sign(func(c jwt.MapClaims) { c["iss"] = iss.URL() + "/" }, nil), code: auth.CodeWrongIssuer},
		{name: "missing iss", token: sign(func(c jwt.MapClaims) { delete(c, "iss") }, nil), code: auth.CodeWrongIssuer},
		{name: "wrong token_use", token: sign(func(c jwt.MapClaims) { c["token_use"] = "refresh" }, nil), code: auth.CodeWrongTokenUse},
		{name: "access token where id required", guard: "id", token: valid, code: auth.CodeWrongTokenUse},
		{name: "id token where access required", token: authtest.Sign(t, signer, iss.IDClaims(now), nil), code: auth.CodeWrongTokenUse},
		{name: "wrong client id", token: sign(func(c jwt.MapClaims) { c["client_id"] = "other-client" }, nil), code: auth.CodeWrongClient},
		{name: "access token without client_id", token: sign(func(c jwt.MapClaims) { delete(c, "client_id") }, nil), code: auth.CodeWrongClient},
		{name: "aud array without ours", guard: "id", token: authtest.Sign(t, signer, func() jwt.MapClaims {
			c := iss.IDClaims(now)
			c["aud"] = []any{"a", "b"}
			return c
		}(), nil), code: auth.CodeWrongClient},
		{name: "missing exp", token: sign(func(c jwt.MapClaims) { delete(c, "exp") }, nil), code: auth.CodeMissingExp},
		{name: "exp not a number", token: sign(func(c jwt.MapClaims) { c["exp"] = "tomorrow" }, nil), code: auth.CodeInvalidClaim},
		{name: "tampered payload", token: parts[0] + "." + b64json(t, tamperedClaims) + "." + parts[2], code: auth.CodeBadSignature},
		{name: "tampered header", token: b64json(t, map[string]any{"alg": "RS256", "kid": "key-1", "typ": "JWT", "x": 1}) + "." + parts[1] + "." + parts[2], code: auth.CodeBadSignature},
		{name: "truncated signature", token: valid[:len(valid)-2], code: auth.CodeBadSignature},
		{name: "empty signature", token: parts[0] + "." + parts[1] + ".", code: auth.CodeBadSignature},
		{name: "two segments", token: parts[0] + "." + parts[1], code: auth.CodeMalformedToken},
		{name: "four segments", token: valid + "." + parts[2], code: auth.CodeMalformedToken},
		{name: "non-base64url header", token: "eyJ+bGci." + parts[1] + "." + parts[2], code: auth.CodeMalformedToken},
		{name: "non-base64url payload", token: parts[0] + ".e30*." + parts[2], code: auth.CodeMalformedToken},
		{name: "padded base64", token: parts[0] + "=." + parts[1] + "." + parts[2], code: auth.CodeMalformedToken},
		{name: "header JSON not an object", token: base64.RawURLEncoding.EncodeToString([]byte(`["RS256"]`)) + "." + parts[1] + "." + parts[2], code: auth.CodeMalformedToken},
		{name: "payload JSON not an object", token: signRaw(t, signer, parts[0], base64.RawURLEncoding.EncodeToString([]byte(`[1,2]`))), code: auth.CodeMalformedToken},
		{name: "oversized token", token: sign(func(c jwt.MapClaims) { c["pad"] = big }, nil), code: auth.CodeTokenTooLarge},
		{name: "jku pointing at the attacker", token: authtest.Sign(t, attackerOwn, good, map[string]any{"jku": evil.URL + "/jwks.json"}), code: auth.CodeUnknownKID},
		{name: "embedded jwk with a known kid", token: authtest.Sign(t, attacker, good, map[string]any{"jwk": attacker.JWK()}), code: auth.CodeBadSignature},
		{name: "embedded jwk with its own kid", token: authtest.Sign(t, attackerOwn, good, map[string]any{"jwk": attackerOwn.JWK()}), code: auth.CodeUnknownKID},
		{name: "x5u pointing at the attacker", token: authtest.Sign(t, attacker, good, map[string]any{"x5u": evil.URL + "/cert.pem"}), code: auth.CodeBadSignature},
		{name: "ES256 when only RS256 allowed", token: authtest.Sign(t, ecKey, good, nil), code: auth.CodeAlgNotAllowed},
		{name: "RS512 with a key limited to RS512", token: sign(nil, map[string]any{"kid": "key-rs512"}), code: auth.CodeKeyAlgMismatch},
		{name: "key published for encryption", token: sign(nil, map[string]any{"kid": "key-enc"}), code: auth.CodeKeyUseMismatch},
		// JOSE member names are case-sensitive: "KID" is not "kid".
		{name: "kid only in another case", token: signRaw(t, signer, rawB64(`{"alg":"RS256","KID":"key-1"}`), parts[1]), code: auth.CodeMissingKID},
		{name: "second kid in another case", token: signRaw(t, encOnly, rawB64(`{"alg":"RS256","kid":"enc-only","KID":"key-1"}`), parts[1]), code: auth.CodeKeyUseMismatch},
		{name: "crit header", token: sign(nil, map[string]any{"crit": []any{"exp"}, "exp": 1}), code: auth.CodeUnsupportedHeader},
		{name: "groups not a list", token: sign(func(c jwt.MapClaims) { c["cognito:groups"] = "admins" }, nil), code: auth.CodeInvalidClaim},
		{name: "not a JWT at all", token: "hello", code: auth.CodeMalformedToken},
		{name: "token only in the query string", req: httptest.NewRequest(http.MethodPost, "/v1/chat/completions?access_token="+valid+"&id_token="+valid, strings.NewReader("{}")), code: auth.CodeMissingToken},
		{name: "no credential", req: postWith("{}"), code: auth.CodeMissingToken},
		{name: "X-Authorization not Bearer", req: postWith("{}", "X-Authorization", "Basic "+valid), code: auth.CodeMalformedAuth},
		{name: "X-Authorization Bearer without token", req: postWith("{}", "X-Authorization", "Bearer "), code: auth.CodeMalformedAuth},
		{name: "SigV4 Authorization only", req: postWith("{}", "Authorization", "AWS4-HMAC-SHA256 Credential=AKIA/x"), code: auth.CodeMissingToken},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			g := guards["access"]
			if tt.guard != "" {
				g = guards[tt.guard]
			}
			r := tt.req
			if r == nil {
				r = bearerReq(tt.token)
			}
			kind := tt.kind
			if kind == nil {
				kind = auth.ErrUnauthenticated
			}
			id, err := check(t, g, r)
			if err == nil {
				t.Fatalf("Check accepted the token: %+v", id)
			}
			wantCode(t, err, kind, tt.code)
		})
	}
	t.Cleanup(func() {
		if n := evilHits(); n != 0 {
			t.Errorf("the attacker's server received %d requests; jku/x5u must never be fetched", n)
		}
	})
}
