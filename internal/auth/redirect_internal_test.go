package auth

import (
	"net/http"
	"testing"
)

func TestKeySetRedirectsStayOnHTTPS(t *testing.T) {
	t.Parallel()
	req := func(u string) *http.Request {
		r, err := http.NewRequest(http.MethodGet, u, nil)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	secure := []*http.Request{req("https://issuer.example/jwks.json")}
	if err := sameSchemeRedirect(req("https://cdn.example/jwks.json"), secure); err != nil {
		t.Errorf("https → https refused: %v", err)
	}
	if err := sameSchemeRedirect(req("http://cdn.example/jwks.json"), secure); err == nil {
		t.Error("https → http followed")
	}
	plain := []*http.Request{req("http://127.0.0.1:1/jwks.json")}
	if err := sameSchemeRedirect(req("http://127.0.0.1:2/jwks.json"), plain); err != nil {
		t.Errorf("loopback http → http refused: %v", err)
	}
	many := []*http.Request{secure[0], secure[0], secure[0], secure[0], secure[0]}
	if err := sameSchemeRedirect(req("https://cdn.example/jwks.json"), many); err == nil {
		t.Error("a sixth redirect followed")
	}
}
