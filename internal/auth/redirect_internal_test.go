package auth

import (
	"net/http"
	"testing"
)

func TestKeySetRedirectPolicy(t *testing.T) {
	t.Parallel()
	req := func(u string) *http.Request {
		r, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	chain := func(urls ...string) []*http.Request {
		out := make([]*http.Request, len(urls))
		for i, u := range urls {
			out[i] = req(u)
		}
		return out
	}
	const (
		secure   = "https://issuer.example/jwks.json"
		loopback = "http://127.0.0.1:1/jwks.json"
	)
	tests := []struct {
		name   string
		via    []*http.Request
		to     string
		follow bool
	}{
		{name: "https to https", via: chain(secure), to: "https://cdn.example/jwks.json", follow: true},
		{name: "https to https with a signed query", via: chain(secure), to: "https://bucket.example/jwks.json?X-Amz-Signature=ab", follow: true},
		{name: "https to http", via: chain(secure), to: "http://cdn.example/jwks.json"},
		{name: "https to loopback http", via: chain(secure), to: "http://127.0.0.1:9001/jwks.json"},
		{name: "https, loopback, then loopback http", via: chain(secure, loopback), to: "http://localhost:2/jwks.json"},
		{name: "loopback http to loopback http", via: chain(loopback), to: "http://[::1]:2/jwks.json", follow: true},
		{name: "loopback http to localhost", via: chain(loopback), to: "http://localhost:2/jwks.json", follow: true},
		{name: "loopback http to https", via: chain(loopback), to: "https://cdn.example/jwks.json", follow: true},
		{name: "loopback http to a network host", via: chain(loopback), to: "http://cdn.example/jwks.json"},
		{name: "loopback http to a network address", via: chain(loopback), to: "http://10.0.0.7/jwks.json"},
		{name: "loopback http to a name that starts like loopback", via: chain(loopback), to: "http://127.0.0.1.nip.io/jwks.json"},
		{name: "credentials in the location", via: chain(secure), to: "https://user:pw@cdn.example/jwks.json"},
		{name: "another scheme", via: chain(secure), to: "ftp://cdn.example/jwks.json"},
		{name: "a sixth redirect", via: chain(secure, secure, secure, secure, secure), to: "https://cdn.example/jwks.json"},
	}
	for _, tt := range tests {
		err := keySetRedirect(req(tt.to), tt.via)
		if tt.follow && err != nil {
			t.Errorf("%s: refused: %v", tt.name, err)
		}
		if !tt.follow && err == nil {
			t.Errorf("%s: followed", tt.name)
		}
	}
}
