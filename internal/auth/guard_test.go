package auth_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
)

func TestPayloadHash(t *testing.T) {
	t.Parallel()
	const body = `{"model":"eliza","messages":[{"role":"user","content":"hi"}]}`
	required := newGuard(t, map[string]string{"REQUIRE_CONTENT_SHA256": "true"}, false)
	optional := newGuard(t, map[string]string{}, false)
	tests := []struct {
		name     string
		guard    *auth.Guard
		method   string
		body     string
		hash     string // "" sends no header
		wantCode string // "" means accepted
	}{
		{name: "correct", guard: required, body: body, hash: authtest.PayloadHash([]byte(body))},
		{name: "correct for an empty body", guard: required, body: "", hash: authtest.PayloadHash(nil)},
		{name: "hash of another body", guard: required, body: body, hash: authtest.PayloadHash([]byte(body + " ")), wantCode: auth.CodePayloadHashMismatch},
		{name: "hash of another body, not required", guard: optional, body: body, hash: authtest.PayloadHash([]byte("{}")), wantCode: auth.CodePayloadHashMismatch},
		{name: "wrong", guard: required, body: body, hash: strings.Repeat("0", 64), wantCode: auth.CodePayloadHashMismatch},
		{name: "missing, required", guard: required, body: body, wantCode: auth.CodePayloadHashMissing},
		{name: "missing, not required", guard: optional, body: body},
		{name: "uppercase hex", guard: required, body: body, hash: strings.ToUpper(authtest.PayloadHash([]byte(body))), wantCode: auth.CodePayloadHashMalformed},
		{name: "too short", guard: required, body: body, hash: authtest.PayloadHash([]byte(body))[:63], wantCode: auth.CodePayloadHashMalformed},
		{name: "base64 instead of hex", guard: required, body: body, hash: "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=", wantCode: auth.CodePayloadHashMalformed},
		{name: "UNSIGNED-PAYLOAD, required", guard: required, body: body, hash: auth.UnsignedPayload, wantCode: auth.CodePayloadUnsigned},
		{name: "UNSIGNED-PAYLOAD, not required", guard: optional, body: body, hash: auth.UnsignedPayload},
		{name: "GET is not checked", guard: required, method: http.MethodGet},
		{name: "GET ignores a stray hash", guard: required, method: http.MethodGet, hash: "nonsense"},
		{name: "PUT is checked", guard: required, method: http.MethodPut, body: body, wantCode: auth.CodePayloadHashMissing},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method := tt.method
			if method == "" {
				method = http.MethodPost
			}
			r := httptest.NewRequest(method, "/v1/chat/completions", strings.NewReader(tt.body))
			if tt.hash != "" {
				r.Header.Set("x-amz-content-sha256", tt.hash)
			}
			id, err := check(t, tt.guard, r)
			if tt.wantCode == "" {
				if err != nil || id.Method != auth.MethodNone {
					t.Fatalf("Check = %+v, %v; want accepted with auth off", id, err)
				}
				return
			}
			wantCode(t, err, auth.ErrBadPayloadHash, tt.wantCode)
		})
	}
}

func TestCIDR(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	// In Lambda mode ALLOWED_CIDRS needs the origin secret: every request
	// below carries it, as CloudFront's would.
	const secret = "s3cret-from-cloudfront-0123456789"
	env := with(iss.Env("access"), map[string]string{"ALLOWED_CIDRS": "203.0.113.0/24, 2001:db8::/32, 192.0.2.7", "ORIGIN_VERIFY_SECRET": secret})
	local := newGuard(t, env, false)
	lambda := newGuard(t, with(env, map[string]string{"REQUIRE_CONTENT_SHA256": "false"}), true)
	narrow := newGuard(t, with(iss.Env("access"), map[string]string{
		"ALLOWED_CIDRS": "2001:db8:0:1::/64, 2001:db8::7", "REQUIRE_CONTENT_SHA256": "false", "ORIGIN_VERIFY_SECRET": secret,
	}), true)
	token := iss.AccessToken(t)
	tests := []struct {
		name       string
		guard      *auth.Guard
		remoteAddr string
		viewer     string // CloudFront-Viewer-Address; "" omits it
		wantCode   string
	}{
		{name: "local peer inside", guard: local, remoteAddr: "203.0.113.5:40000"},
		{name: "local single address", guard: local, remoteAddr: "192.0.2.7:1"},
		{name: "local peer outside", guard: local, remoteAddr: "198.51.100.1:40000", wantCode: auth.CodeCIDRDenied},
		{name: "local ignores a forged CloudFront header", guard: local, remoteAddr: "198.51.100.1:40000", viewer: "203.0.113.5:1234", wantCode: auth.CodeCIDRDenied},
		{name: "local IPv6 peer inside", guard: local, remoteAddr: "[2001:db8::1]:40000"},
		{name: "local IPv4-mapped peer", guard: local, remoteAddr: "[::ffff:203.0.113.9]:40000"},
		{name: "lambda viewer inside", guard: lambda, remoteAddr: "198.51.100.1", viewer: "203.0.113.5:46532"},
		{name: "lambda viewer outside", guard: lambda, remoteAddr: "203.0.113.5", viewer: "198.51.100.1:46532", wantCode: auth.CodeCIDRDenied},
		{name: "lambda IPv6 viewer as CloudFront writes it", guard: lambda, remoteAddr: "198.51.100.1", viewer: "2001:db8:4a55::8b4c:42316"},
		// CloudFront appends ":port" to an unbracketed IPv6 address; a port
		// of up to four digits also reads as one more IPv6 group.
		{name: "lambda IPv6 viewer with a short port, outside", guard: narrow, remoteAddr: "198.51.100.1", viewer: "2001:db8::1:2:3:4:5", wantCode: auth.CodeCIDRDenied},
		{name: "lambda IPv6 single address with port 443", guard: narrow, remoteAddr: "198.51.100.1", viewer: "2001:db8::7:443"},
		{name: "lambda IPv6 viewer with a long port", guard: narrow, remoteAddr: "198.51.100.1", viewer: "2001:db8:0:1::9:50000"},
		{name: "lambda bracketed IPv6 viewer", guard: lambda, remoteAddr: "198.51.100.1", viewer: "[2001:db8::1]:443"},
		{name: "lambda without CloudFront header uses sourceIp", guard: lambda, remoteAddr: "203.0.113.9"},
		{name: "lambda sourceIp outside", guard: lambda, remoteAddr: "198.51.100.9", wantCode: auth.CodeCIDRDenied},
		{name: "lambda garbage header", guard: lambda, remoteAddr: "203.0.113.9", viewer: "not-an-ip", wantCode: auth.CodeViewerAddressUnknown},
		{name: "no address at all", guard: local, remoteAddr: "", wantCode: auth.CodeViewerAddressUnknown},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := bearerReq(token)
			r.Header.Set("X-Origin-Verify", secret)
			r.RemoteAddr = tt.remoteAddr
			if tt.viewer != "" {
				r.Header.Set("CloudFront-Viewer-Address", tt.viewer)
			}
			_, err := check(t, tt.guard, r)
			if tt.wantCode == "" {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			wantCode(t, err, auth.ErrForbidden, tt.wantCode)
		})
	}
}

func TestOriginSecret(t *testing.T) {
	t.Parallel()
	const secret = "s3cret-from-cloudfront-0123456789"
	g := newGuard(t, map[string]string{"ORIGIN_VERIFY_SECRET": secret}, false)
	tests := []struct {
		name   string
		header string
		ok     bool
	}{
		{name: "right secret", header: secret, ok: true},
		{name: "missing", header: ""},
		{name: "wrong", header: "s3cret-from-cloudfront-0123456788"},
		{name: "prefix", header: secret[:10]},
		{name: "longer", header: secret + "x"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := postWith("{}")
			if tt.header != "" {
				r.Header.Set("X-Origin-Verify", tt.header)
			}
			_, err := check(t, g, r)
			if tt.ok {
				if err != nil {
					t.Fatalf("Check: %v", err)
				}
				return
			}
			wantCode(t, err, auth.ErrForbidden, auth.CodeOriginNotVerified)
		})
	}
}

// The checks run in a fixed order: origin, CIDR, payload hash, credential.
func TestCheckOrder(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	g := newGuard(t, with(iss.Env("access"), map[string]string{
		"ORIGIN_VERIFY_SECRET": "0123456789abcdef0123", "ALLOWED_CIDRS": "10.0.0.0/8",
		"REQUIRE_CONTENT_SHA256": "true",
	}), false)
	r := postWith("{}")
	r.RemoteAddr = "192.0.2.1:1"
	_, err := check(t, g, r)
	wantCode(t, err, auth.ErrForbidden, auth.CodeOriginNotVerified)
	r = postWith("{}", "X-Origin-Verify", "0123456789abcdef0123")
	r.RemoteAddr = "192.0.2.1:1"
	_, err = check(t, g, r)
	wantCode(t, err, auth.ErrForbidden, auth.CodeCIDRDenied)
	r = postWith("{}", "X-Origin-Verify", "0123456789abcdef0123")
	r.RemoteAddr = "10.1.2.3:1"
	_, err = check(t, g, r)
	wantCode(t, err, auth.ErrBadPayloadHash, auth.CodePayloadHashMissing)
	r = postWith("{}", "X-Origin-Verify", "0123456789abcdef0123", "X-Amz-Content-Sha256", authtest.PayloadHash([]byte("{}")))
	r.RemoteAddr = "10.1.2.3:1"
	_, err = check(t, g, r)
	wantCode(t, err, auth.ErrUnauthenticated, auth.CodeMissingToken)
	r.Header.Set("X-Authorization", "Bearer "+iss.AccessToken(t))
	if _, err := g.Check(r, []byte("{}")); err != nil {
		t.Fatalf("all checks pass: %v", err)
	}
}

func TestIdentityContext(t *testing.T) {
	t.Parallel()
	if _, ok := auth.FromContext(context.Background()); ok {
		t.Fatal("empty context has an identity")
	}
	want := &auth.Identity{Subject: "s", Method: auth.MethodJWT}
	got, ok := auth.FromContext(auth.NewContext(context.Background(), want))
	if !ok || got != want {
		t.Fatalf("FromContext = %v, %v", got, ok)
	}
}

func TestErrorText(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	g := newGuard(t, iss.Env("access"), false)
	token := iss.IDToken(t) // valid signature, wrong token use
	_, err := check(t, g, bearerReq(token))
	wantCode(t, err, auth.ErrUnauthenticated, auth.CodeWrongTokenUse)
	for _, part := range strings.Split(token, ".") {
		if strings.Contains(err.Error(), part) {
			t.Fatalf("error text contains the token: %v", err)
		}
	}
}
