package gateway_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

func TestMintedTokens(t *testing.T) {
	t.Parallel()
	key, entry := authtest.APIKey(t, "backend")
	keys, err := auth.ParseAPIKeys([]string{entry})
	if err != nil {
		t.Fatal(err)
	}
	signing, err := auth.DecodeSigningKey(authtest.SigningKey(t))
	if err != nil {
		t.Fatal(err)
	}
	acfg := auth.Config{APIKeys: auth.APIKeyConfig{Keys: keys, TokenSigningKey: auth.Secret(signing)}}
	clk := authtest.NewClock()
	guard, err := auth.New(context.Background(), acfg, auth.WithTimeFunc(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, func(c *gateway.Config) { c.Auth, c.Tokens = app.Authenticator(guard), app.Minter(guard) })

	do := func(path, credential, body string) *http.Response {
		t.Helper()
		req, _ := http.NewRequest(http.MethodPost, s.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		if credential != "" {
			req.Header.Set("Authorization", "Bearer "+credential)
		}
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { resp.Body.Close() })
		return resp
	}
	mint := func(credential, body string) (int, string) {
		t.Helper()
		resp := do("/v1/tokens", credential, body)
		var out struct {
			Token     string `json:"token"`
			ExpiresAt int64  `json:"expires_at"`
			Scope     string `json:"scope"`
		}
		if resp.StatusCode == 200 {
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatal(err)
			}
			if out.Scope != "chat" || out.Token == "" || out.ExpiresAt <= clk.Now().Unix() {
				t.Errorf("minted %+v", out)
			}
		}
		return resp.StatusCode, out.Token
	}

	status, token := mint(key, `{"ttl_seconds":60}`)
	if status != 200 {
		t.Fatalf("mint with an API key: status %d", status)
	}
	if st, _ := mint(key, ``); st != 200 {
		t.Errorf("mint with an empty body (default ttl): status %d", st)
	}
	if resp := do("/v1/chat/completions", token, hello); resp.StatusCode != 200 {
		t.Errorf("chat with a minted token: status %d", resp.StatusCode)
	}
	for _, tc := range []struct {
		name, credential, body string
		status                 int
	}{
		{"no credential", "", `{}`, 401},
		{"wrong key", "sk-wrong", `{}`, 401},
		{"token cannot mint", token, `{}`, 403},
		{"ttl zero", key, `{"ttl_seconds":0}`, 400},
		{"ttl too long", key, `{"ttl_seconds":3601}`, 400},
		{"bad json", key, `{"ttl_seconds":`, 400},
	} {
		if st, _ := mint(tc.credential, tc.body); st != tc.status {
			t.Errorf("%s: status %d, want %d", tc.name, st, tc.status)
		}
	}
	tampered := token[:len(token)-2] + "AA"
	if resp := do("/v1/chat/completions", tampered, hello); resp.StatusCode != 401 {
		t.Errorf("tampered token: status %d, want 401", resp.StatusCode)
	}
	clk.Advance(2 * time.Minute)
	if resp := do("/v1/chat/completions", token, hello); resp.StatusCode != 401 {
		t.Errorf("expired token: status %d, want 401", resp.StatusCode)
	}
}

func TestTokensRouteAbsentWithoutMinter(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	r, err := s.Client().Post(s.URL+"/v1/tokens", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	r.Body.Close()
	if r.StatusCode != 404 {
		t.Errorf("POST /v1/tokens without a minter: status %d, want 404", r.StatusCode)
	}
}

// A backend may POST /v1/tokens with no body at all (curl -X POST, fetch
// without a body): no Content-Type is then sent, and the default lifetime is
// asked for. A body without a Content-Type is still refused.
func TestMintWithoutBody(t *testing.T) {
	t.Parallel()
	key, entry := authtest.APIKey(t, "backend")
	keys, err := auth.ParseAPIKeys([]string{entry})
	if err != nil {
		t.Fatal(err)
	}
	signing, err := auth.DecodeSigningKey(authtest.SigningKey(t))
	if err != nil {
		t.Fatal(err)
	}
	clk := authtest.NewClock()
	guard, err := auth.New(context.Background(), auth.Config{APIKeys: auth.APIKeyConfig{Keys: keys, TokenSigningKey: auth.Secret(signing)}},
		auth.WithTimeFunc(clk.Now))
	if err != nil {
		t.Fatal(err)
	}
	s := newServer(t, func(c *gateway.Config) { c.Auth, c.Tokens = app.Authenticator(guard), app.Minter(guard) })
	for _, tc := range []struct {
		name   string
		body   io.Reader // nil: no body at all
		status int
	}{
		{name: "no body", status: 200},
		{name: "empty body", body: strings.NewReader(""), status: 200},
		{name: "chunked empty body", body: struct{ io.Reader }{strings.NewReader("")}, status: 200},
		{name: "body without content type", body: strings.NewReader(`{"ttl_seconds":60}`), status: 415},
		{name: "chunked body without content type", body: struct{ io.Reader }{strings.NewReader(`{"ttl_seconds":60}`)}, status: 415},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodPost, s.URL+"/v1/tokens", tc.body)
			req.Header.Set("Authorization", "Bearer "+key)
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tc.status {
				b, _ := io.ReadAll(resp.Body)
				t.Fatalf("status %d %s, want %d", resp.StatusCode, b, tc.status)
			}
			if tc.status != 200 {
				if e := decodeError(t, resp); e.Code != "unsupported_media_type" {
					t.Errorf("code = %q", e.Code)
				}
				return
			}
			var out struct {
				ExpiresAt int64 `json:"expires_at"`
			}
			if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
				t.Fatal(err)
			}
			if want := clk.Now().Add(auth.DefaultTokenTTL).Unix(); out.ExpiresAt != want {
				t.Errorf("expires_at = %d, want now + %v (%d)", out.ExpiresAt, auth.DefaultTokenTTL, want)
			}
		})
	}
}
