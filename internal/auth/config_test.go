package auth_test

import (
	"fmt"
	"net/netip"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
)

func TestLoadConfigErrors(t *testing.T) {
	t.Parallel()
	pool := map[string]string{"COGNITO_USER_POOL_ID": "eu-west-1_AbC123", "COGNITO_CLIENT_IDS": "abc"}
	tests := []struct {
		name   string
		env    map[string]string
		lambda bool
		want   string // substring of the error
	}{
		{name: "lambda without auth", lambda: true, want: "Lambda mode refuses to start"},
		{name: "lambda with only an origin secret", env: map[string]string{"ORIGIN_VERIFY_SECRET": "0123456789abcdef"}, lambda: true, want: "no credential check"},
		{name: "pool without client ids", env: map[string]string{"COGNITO_USER_POOL_ID": "eu-west-1_AbC123"}, want: "COGNITO_CLIENT_IDS"},
		{name: "pool id without region", env: with(pool, map[string]string{"COGNITO_USER_POOL_ID": "AbC123"}), want: "COGNITO_USER_POOL_ID"},
		{name: "pool id with a bad region", env: with(pool, map[string]string{"COGNITO_USER_POOL_ID": "Europe_AbC123"}), want: "COGNITO_USER_POOL_ID"},
		{name: "pool and issuer", env: with(pool, map[string]string{"OIDC_ISSUER": "https://id.example.com"}), want: "OIDC_ISSUER"},
		{name: "pool with a JWKS URL", env: with(pool, map[string]string{"OIDC_JWKS_URL": "https://id.example.com/jwks"}), want: "OIDC_JWKS_URL"},
		{name: "bad token use", env: with(pool, map[string]string{"COGNITO_TOKEN_USE": "refresh"}), want: "COGNITO_TOKEN_USE"},
		{name: "issuer without audience", env: map[string]string{"OIDC_ISSUER": "https://id.example.com"}, want: "OIDC_AUDIENCE"},
		{name: "plain http issuer", env: map[string]string{"OIDC_ISSUER": "http://id.example.com", "OIDC_AUDIENCE": "a"}, want: "OIDC_ISSUER"},
		{name: "plain http JWKS", env: map[string]string{"OIDC_ISSUER": "https://id.example.com", "OIDC_JWKS_URL": "http://id.example.com/k", "OIDC_AUDIENCE": "a"}, want: "OIDC_JWKS_URL"},
		{name: "client ids without issuer", env: map[string]string{"COGNITO_CLIENT_IDS": "abc"}, want: "COGNITO_CLIENT_IDS"},
		{name: "bad REQUIRE_CONTENT_SHA256", env: with(pool, map[string]string{"REQUIRE_CONTENT_SHA256": "yes please"}), want: "REQUIRE_CONTENT_SHA256"},
		{name: "origin with a path", env: map[string]string{"ALLOWED_ORIGINS": "https://chat.example.com/"}, want: "ALLOWED_ORIGINS"},
		{name: "origin without scheme", env: map[string]string{"ALLOWED_ORIGINS": "chat.example.com"}, want: "ALLOWED_ORIGINS"},
		{name: "star among origins", env: map[string]string{"ALLOWED_ORIGINS": "*, https://a.example"}, want: "ALLOWED_ORIGINS"},
		{name: "bad CIDR", env: map[string]string{"ALLOWED_CIDRS": "10.0.0.0/33"}, want: "ALLOWED_CIDRS"},
		{name: "hostname as CIDR", env: map[string]string{"ALLOWED_CIDRS": "example.com"}, want: "ALLOWED_CIDRS"},
		{name: "short origin secret", env: map[string]string{"ORIGIN_VERIFY_SECRET": "short"}, want: "ORIGIN_VERIFY_SECRET"},
		{name: "bad AUTH_MODE", env: with(pool, map[string]string{"AUTH_MODE": "magic"}), want: "AUTH_MODE"},
		{name: "AUTH_MODE jwt without issuer", env: map[string]string{"AUTH_MODE": "jwt"}, want: "AUTH_MODE"},
		{name: "AUTH_MODE apikey without keys", env: with(pool, map[string]string{"AUTH_MODE": "apikey"}), want: "AUTH_MODE"},
		{name: "two errors reported together", env: map[string]string{"ALLOWED_CIDRS": "x", "ALLOWED_ORIGINS": "y"}, want: "ALLOWED_ORIGINS"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := auth.LoadConfig(authtest.Getenv(tt.env), tt.lambda)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadConfig error = %v, want one naming %s", err, tt.want)
			}
		})
	}
}

func TestLoadConfigCognito(t *testing.T) {
	t.Parallel()
	cfg, err := auth.LoadConfig(authtest.Getenv(map[string]string{
		"COGNITO_USER_POOL_ID": "us-gov-west-1_AbC123", "COGNITO_CLIENT_IDS": "a, b,,",
		"COGNITO_GROUPS": "admins", "ALLOWED_ORIGINS": "https://Chat.Example.com",
		"ALLOWED_CIDRS":        "203.0.113.0/24,2001:db8::1,::ffff:192.0.2.0/120",
		"ORIGIN_VERIFY_SECRET": "0123456789abcdef0123",
	}), true)
	if err != nil {
		t.Fatal(err)
	}
	j := cfg.JWT
	if j.Issuer != "https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_AbC123" ||
		j.JWKSURL != j.Issuer+"/.well-known/jwks.json" || strings.Join(j.ClientIDs, "|") != "a|b" ||
		j.TokenUse != "access" || j.Groups[0] != "admins" || j.Algorithms[0] != "RS256" {
		t.Fatalf("JWT config = %+v", j)
	}
	if !cfg.Lambda || !cfg.RequireContentSHA256 || !cfg.Enabled() {
		t.Fatalf("Lambda defaults = %+v", cfg)
	}
	if cfg.AllowedOrigins[0] != "https://chat.example.com" {
		t.Fatalf("origins = %v", cfg.AllowedOrigins)
	}
	want := []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::1/128"), netip.MustParsePrefix("192.0.2.0/24")}
	if fmt.Sprint(cfg.AllowedCIDRs) != fmt.Sprint(want) {
		t.Fatalf("CIDRs = %v, want %v", cfg.AllowedCIDRs, want)
	}
	if s := fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg); strings.Contains(s, "0123456789abcdef0123") {
		t.Fatalf("config prints its secret: %s", s)
	}
}

func TestLoadConfigLocalDefaults(t *testing.T) {
	t.Parallel()
	cfg, err := auth.LoadConfig(authtest.Getenv(nil), false)
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Enabled() || cfg.RequireContentSHA256 || cfg.Lambda {
		t.Fatalf("local defaults = %+v", cfg)
	}
	cfg, err = auth.LoadConfig(authtest.Getenv(map[string]string{"REQUIRE_CONTENT_SHA256": "false", "COGNITO_USER_POOL_ID": "eu-west-1_x1", "COGNITO_CLIENT_IDS": "c"}), true)
	if err != nil || cfg.RequireContentSHA256 {
		t.Fatalf("REQUIRE_CONTENT_SHA256=false in Lambda mode: %+v, %v", cfg, err)
	}
}

func TestCheckLocal(t *testing.T) {
	t.Parallel()
	on := auth.Config{JWT: auth.JWTConfig{Issuer: "https://id.example.com"}}
	tests := []struct {
		name string
		cfg  auth.Config
		addr string
		ok   bool
	}{
		{name: "off on 127.0.0.1", addr: "127.0.0.1:8080", ok: true},
		{name: "off on ::1", addr: "[::1]:8080", ok: true},
		{name: "off on localhost", addr: "localhost:8080", ok: true},
		{name: "off on all interfaces", addr: ":8080"},
		{name: "off on 0.0.0.0", addr: "0.0.0.0:8080"},
		{name: "off on a LAN address", addr: "192.168.1.10:8080"},
		{name: "off with a bad address", addr: "nonsense"},
		{name: "on anywhere", cfg: on, addr: "0.0.0.0:8080", ok: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			err := auth.CheckLocal(tt.cfg, tt.addr)
			if (err == nil) != tt.ok {
				t.Fatalf("CheckLocal(%q) = %v, want ok=%v", tt.addr, err, tt.ok)
			}
		})
	}
}
