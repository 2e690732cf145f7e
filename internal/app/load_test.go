package app_test

import (
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/metrics"
)

const haiku = "anthropic.claude-haiku-4-5-20251001-v1:0"

func getenv(env map[string]string) func(string) string {
	return func(k string) string { return env[k] }
}

func with(env map[string]string, extra map[string]string) map[string]string {
	out := maps.Clone(env)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, extra)
	return out
}

func TestLoadDefaults(t *testing.T) {
	t.Parallel()
	c, err := app.Load(getenv(nil), false)
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if c.Addr != "127.0.0.1:8080" || c.MaxBodyBytes != 256<<10 || c.MaxTokens != 1024 || c.Heartbeat != 10*time.Second ||
		c.DeadlineMargin != 2*time.Second || c.WebDir != "web/out" || c.ElizaWordDelay != 0 || c.LogLevel != slog.LevelInfo ||
		c.ReadTimeout != 30*time.Second {
		t.Errorf("defaults = %+v", c)
	}
	if c.Auth.Enabled() || c.Auth.RequireContentSHA256 || c.Auth.RequireCredential || c.Bedrock.Enabled() || c.Metrics.Enabled {
		t.Errorf("local defaults = %+v", c)
	}
	b := c.Bedrock
	if !b.AllowClientSystem || b.FirstTokenTimeout != 10*time.Second || b.MaxRetries != 2 || b.RetryBudget != 2*time.Second ||
		b.IdleTimeout != 30*time.Second {
		t.Errorf("Bedrock defaults = %+v", b)
	}
}

func TestLoadSettings(t *testing.T) {
	t.Parallel()
	c, err := app.Load(getenv(map[string]string{
		"CHATBOT_ADDR": " 127.0.0.1:9000 ", "CHATBOT_MAX_BODY_BYTES": "4096", "CHATBOT_MAX_TOKENS": "64",
		"CHATBOT_HEARTBEAT": "0s", "DEADLINE_MARGIN": "500ms", "ELIZA_WORD_DELAY": "40ms", "LOG_LEVEL": "debug",
		"BEDROCK_MODEL_ID": haiku, "BEDROCK_MODELS": " us.amazon.nova-lite-v1:0, " + haiku + ",,meta.llama3-8b-instruct-v1:0",
		"SYSTEM_PROMPT": "Be terse.", "ALLOW_CLIENT_SYSTEM": "false", "BEDROCK_FIRST_TOKEN_TIMEOUT": "3s",
		"BEDROCK_MAX_RETRIES": "0", "BEDROCK_RETRY_BUDGET": "1500ms", "BEDROCK_IDLE_TIMEOUT": "45s",
		"CHATBOT_MAX_IMAGES": "2", "CHATBOT_MAX_IMAGE_BYTES": "2048",
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	if c.MaxImages != 2 || c.MaxImageBytes != 2048 {
		t.Errorf("image limits = %d, %d", c.MaxImages, c.MaxImageBytes)
	}
	if c.Addr != "127.0.0.1:9000" || c.MaxBodyBytes != 4096 || c.MaxTokens != 64 || c.Heartbeat != 0 ||
		c.DeadlineMargin != 500*time.Millisecond || c.ElizaWordDelay != 40*time.Millisecond || c.LogLevel != slog.LevelDebug {
		t.Errorf("settings = %+v", c)
	}
	b := c.Bedrock
	if b.DefaultModel != haiku || b.SystemPrompt != "Be terse." || b.AllowClientSystem || b.FirstTokenTimeout != 3*time.Second ||
		b.MaxRetries != 0 || b.RetryBudget != 1500*time.Millisecond || b.IdleTimeout != 45*time.Second {
		t.Errorf("Bedrock = %+v", b)
	}
	if ids := strings.Join(b.ModelIDs(), ","); ids != haiku+",us.amazon.nova-lite-v1:0,meta.llama3-8b-instruct-v1:0" {
		t.Errorf("ModelIDs = %s", ids)
	}
}

func TestLoadErrors(t *testing.T) {
	t.Parallel()
	pool := map[string]string{"COGNITO_USER_POOL_ID": "eu-west-1_AbC123", "COGNITO_CLIENT_IDS": "abc"}
	_, entry := authtest.APIKey(t, "a")
	sum := strings.SplitN(entry, ":", 2)[1]
	tests := []struct {
		name   string
		env    map[string]string
		lambda bool
		want   string // substring of the error
	}{
		{name: "bad body limit", env: map[string]string{"CHATBOT_MAX_BODY_BYTES": "lots"}, want: "CHATBOT_MAX_BODY_BYTES"},
		{name: "zero max tokens", env: map[string]string{"CHATBOT_MAX_TOKENS": "0"}, want: "CHATBOT_MAX_TOKENS"},
		{name: "zero images", env: map[string]string{"CHATBOT_MAX_IMAGES": "0"}, want: "CHATBOT_MAX_IMAGES"},
		{name: "huge images", env: map[string]string{"CHATBOT_MAX_IMAGE_BYTES": "99999999"}, want: "CHATBOT_MAX_IMAGE_BYTES"},
		{name: "bare number heartbeat", env: map[string]string{"CHATBOT_HEARTBEAT": "10"}, want: "write 10s"},
		{name: "bare number first-token timeout", env: map[string]string{"BEDROCK_FIRST_TOKEN_TIMEOUT": "10"}, want: "BEDROCK_FIRST_TOKEN_TIMEOUT"},
		{name: "zero read timeout", env: map[string]string{"CHATBOT_READ_TIMEOUT": "0s"}, want: "CHATBOT_READ_TIMEOUT"},
		{name: "zero idle timeout", env: map[string]string{"BEDROCK_IDLE_TIMEOUT": "0s"}, want: "BEDROCK_IDLE_TIMEOUT"},
		{name: "negative margin", env: map[string]string{"DEADLINE_MARGIN": "-1s"}, want: "DEADLINE_MARGIN"},
		{name: "bad word delay", env: map[string]string{"ELIZA_WORD_DELAY": "soon"}, want: "ELIZA_WORD_DELAY"},
		{name: "bad log level", env: map[string]string{"LOG_LEVEL": "loud"}, want: "LOG_LEVEL"},
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
		{name: "boolean as a number", env: with(pool, map[string]string{"REQUIRE_CONTENT_SHA256": "1"}), want: "REQUIRE_CONTENT_SHA256"},
		{name: "origin with a path", env: map[string]string{"ALLOWED_ORIGINS": "https://chat.example.com/"}, want: "ALLOWED_ORIGINS"},
		{name: "origin without scheme", env: map[string]string{"ALLOWED_ORIGINS": "chat.example.com"}, want: "ALLOWED_ORIGINS"},
		{name: "star among origins", env: map[string]string{"ALLOWED_ORIGINS": "*, https://a.example"}, want: "ALLOWED_ORIGINS"},
		{name: "bad CIDR", env: map[string]string{"ALLOWED_CIDRS": "10.0.0.0/33"}, want: "ALLOWED_CIDRS"},
		{name: "hostname as CIDR", env: map[string]string{"ALLOWED_CIDRS": "example.com"}, want: "ALLOWED_CIDRS"},
		{name: "short origin secret", env: map[string]string{"ORIGIN_VERIFY_SECRET": "short"}, want: "ORIGIN_VERIFY_SECRET"},
		{name: "lambda CIDRs without origin secret", env: with(pool, map[string]string{"ALLOWED_CIDRS": "203.0.113.0/24"}), lambda: true, want: "ALLOWED_CIDRS: needs an origin secret"},
		{name: "bad AUTH_MODE", env: with(pool, map[string]string{"AUTH_MODE": "magic"}), want: "AUTH_MODE"},
		{name: "AUTH_MODE jwt without issuer", env: map[string]string{"AUTH_MODE": "jwt"}, want: "AUTH_MODE"},
		{name: "AUTH_MODE apikey without keys", env: with(pool, map[string]string{"AUTH_MODE": "apikey"}), want: "AUTH_MODE"},
		{name: "key without name", env: map[string]string{"API_KEY_SHA256S": sum}, want: "API_KEY_SHA256S"},
		{name: "key with a bad name", env: map[string]string{"API_KEY_SHA256S": "has space:" + sum}, want: "API_KEY_SHA256S"},
		{name: "key with bad hex", env: map[string]string{"API_KEY_SHA256S": "a:" + sum[:63] + "g"}, want: "API_KEY_SHA256S"},
		{name: "short hash", env: map[string]string{"API_KEY_SHA256S": "a:abcd"}, want: "API_KEY_SHA256S"},
		{name: "the key itself", env: map[string]string{"API_KEY_SHA256S": "a:sk-abc"}, want: "never configure the key itself"},
		{name: "duplicate key name", env: map[string]string{"API_KEY_SHA256S": entry + ",a:" + strings.Repeat("0", 64)}, want: "appears twice"},
		{name: "duplicate key hash", env: map[string]string{"API_KEY_SHA256S": entry + ",b:" + sum}, want: "appears twice"},
		{name: "not an ARN", env: map[string]string{"API_KEYS_SECRET_ARN": "my-secret"}, want: "API_KEYS_SECRET_ARN"},
		{name: "short signing key", env: map[string]string{"API_KEY_SHA256S": entry, "TOKEN_SIGNING_KEY": strings.Repeat("ab", 31)}, want: "TOKEN_SIGNING_KEY"},
		{name: "signing key not encoded", env: map[string]string{"API_KEY_SHA256S": entry, "TOKEN_SIGNING_KEY": "this is not base64 at all!!!!!!!!!!!!!!!!!!!!!"}, want: "TOKEN_SIGNING_KEY"},
		{name: "signing key without API keys", env: map[string]string{"TOKEN_SIGNING_KEY": strings.Repeat("ab", 32)}, want: "TOKEN_SIGNING_KEY"},
		{name: "unknown default family on invoke", env: map[string]string{"BEDROCK_MODEL_ID": "invoke:cohere.command-r-v1:0"}, want: "BEDROCK_MODEL_ID"},
		{name: "unknown listed family on invoke", env: map[string]string{"BEDROCK_MODEL_ID": haiku, "BEDROCK_MODELS": "invoke:ai21.jamba-1-5-mini-v1:0"}, want: "BEDROCK_MODELS"},
		{name: "model id with a space", env: map[string]string{"BEDROCK_MODEL_ID": "anthropic.claude x"}, want: "BEDROCK_MODEL_ID"},
		{name: "one model on two APIs", env: map[string]string{"BEDROCK_MODEL_ID": "invoke:" + haiku, "BEDROCK_MODELS": "converse:" + haiku}, want: "BEDROCK_MODELS"},
		{name: "bad BEDROCK_API", env: map[string]string{"BEDROCK_API": "chat"}, want: "BEDROCK_API"},
		{name: "bad FALLBACK_ON", env: map[string]string{"FALLBACK_ON": "always"}, want: "FALLBACK_ON"},
		{name: "bad guardrail stream mode", env: map[string]string{"BEDROCK_GUARDRAIL_STREAM_MODE": "later"}, want: "BEDROCK_GUARDRAIL_STREAM_MODE"},
		{name: "models without default", env: map[string]string{"BEDROCK_MODELS": haiku}, want: "BEDROCK_MODEL_ID"},
		{name: "bad ALLOW_CLIENT_SYSTEM", env: map[string]string{"ALLOW_CLIENT_SYSTEM": "nope"}, want: "ALLOW_CLIENT_SYSTEM"},
		{name: "bad first-token timeout", env: map[string]string{"BEDROCK_FIRST_TOKEN_TIMEOUT": "soon"}, want: "BEDROCK_FIRST_TOKEN_TIMEOUT"},
		{name: "zero first-token timeout", env: map[string]string{"BEDROCK_FIRST_TOKEN_TIMEOUT": "0s"}, want: "BEDROCK_FIRST_TOKEN_TIMEOUT"},
		{name: "negative retry budget", env: map[string]string{"BEDROCK_RETRY_BUDGET": "-1s"}, want: "BEDROCK_RETRY_BUDGET"},
		{name: "bad retries", env: map[string]string{"BEDROCK_MAX_RETRIES": "many"}, want: "BEDROCK_MAX_RETRIES"},
		{name: "too many retries", env: map[string]string{"BEDROCK_MAX_RETRIES": "11"}, want: "BEDROCK_MAX_RETRIES"},
		{name: "namespace too long", env: map[string]string{"METRICS_NAMESPACE": strings.Repeat("n", 256)}, want: "METRICS_NAMESPACE"},
		{name: "reserved namespace", env: map[string]string{"METRICS_NAMESPACE": "AWS/Lambda"}, want: "AWS/ prefix"},
		{name: "namespace character", env: map[string]string{"METRICS_NAMESPACE": "chat*bot"}, want: `'*'`},
		{name: "non-ASCII namespace", env: map[string]string{"METRICS_NAMESPACE": "chätbot"}, want: `'ä'`},
		{name: "leading colon", env: map[string]string{"METRICS_NAMESPACE": ":chatbot"}, want: "starts with"},
		{name: "bad METRICS_ENABLED", env: map[string]string{"METRICS_ENABLED": "yes please"}, want: "METRICS_ENABLED"},
		{name: "bad namespace checked when off", env: map[string]string{"METRICS_ENABLED": "false", "METRICS_NAMESPACE": "a*"}, want: "METRICS_NAMESPACE"},
		{name: "auth off on all interfaces", env: map[string]string{"CHATBOT_ADDR": ":8080"}, want: "CHATBOT_ADDR"},
		{name: "auth off on a LAN address", env: map[string]string{"CHATBOT_ADDR": "192.168.1.10:8080"}, want: "not a loopback"},
		{name: "bad listen address", env: map[string]string{"CHATBOT_ADDR": "nonsense"}, want: "CHATBOT_ADDR"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := app.Load(getenv(tt.env), tt.lambda)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Load error = %v, want one naming %s", err, tt.want)
			}
			if strings.Contains(err.Error(), sum) {
				t.Fatalf("error repeats a configured hash: %v", err)
			}
		})
	}
}

// TestLoadReportsEveryProblem: one start-up names every bad variable, so a
// deployment is not fixed one error at a time.
func TestLoadReportsEveryProblem(t *testing.T) {
	t.Parallel()
	bad := map[string]string{
		"CHATBOT_HEARTBEAT": "10", "BEDROCK_FIRST_TOKEN_TIMEOUT": "soon", "ALLOWED_CIDRS": "x", "ALLOWED_ORIGINS": "y",
		"METRICS_ENABLED": "yes", "LOG_LEVEL": "debug", "BEDROCK_MAX_RETRIES": "-1", "TOKEN_SIGNING_KEY": "short",
	}
	c, err := app.Load(getenv(bad), false)
	if err == nil {
		t.Fatal("no error")
	}
	for name := range bad {
		if name != "LOG_LEVEL" && !strings.Contains(err.Error(), name) {
			t.Errorf("error does not name %s: %v", name, err)
		}
	}
	if strings.Contains(err.Error(), "short") {
		t.Errorf("error quotes the signing key: %v", err)
	}
	if c.LogLevel != slog.LevelDebug {
		t.Errorf("LogLevel = %v: the valid values must survive an error, so the errors are logged as asked", c.LogLevel)
	}
}

func TestLoadAuth(t *testing.T) {
	t.Parallel()
	c, err := app.Load(getenv(map[string]string{
		"COGNITO_USER_POOL_ID": "us-gov-west-1_AbC123", "COGNITO_CLIENT_IDS": "a, b,,",
		"COGNITO_GROUPS": "admins", "ALLOWED_ORIGINS": "https://Chat.Example.com",
		"ALLOWED_CIDRS":        "203.0.113.0/24,2001:db8::1,::ffff:192.0.2.0/120",
		"ORIGIN_VERIFY_SECRET": "0123456789abcdef0123",
	}), true)
	if err != nil {
		t.Fatal(err)
	}
	j := c.Auth.JWT
	if j.Issuer != "https://cognito-idp.us-gov-west-1.amazonaws.com/us-gov-west-1_AbC123" ||
		j.JWKSURL != j.Issuer+"/.well-known/jwks.json" || strings.Join(j.ClientIDs, "|") != "a|b" ||
		j.TokenUse != "access" || j.Groups[0] != "admins" || j.Algorithms[0] != "RS256" {
		t.Fatalf("JWT config = %+v", j)
	}
	if !c.Auth.RequireCredential || !c.Auth.RequireContentSHA256 || !c.Auth.Enabled() || !c.Metrics.Enabled {
		t.Fatalf("Lambda defaults = %+v", c)
	}
	if c.AllowedOrigins[0] != "https://chat.example.com" {
		t.Fatalf("origins = %v", c.AllowedOrigins)
	}
	want := []netip.Prefix{netip.MustParsePrefix("203.0.113.0/24"), netip.MustParsePrefix("2001:db8::1/128"), netip.MustParsePrefix("192.0.2.0/24")}
	if fmt.Sprint(c.Auth.AllowedCIDRs) != fmt.Sprint(want) {
		t.Fatalf("CIDRs = %v, want %v", c.Auth.AllowedCIDRs, want)
	}
	if s := fmt.Sprintf("%v %+v %#v", c, c, c); strings.Contains(s, "0123456789abcdef0123") {
		t.Fatalf("config prints its secret: %s", s)
	}
	c, err = app.Load(getenv(map[string]string{"REQUIRE_CONTENT_SHA256": "false", "COGNITO_USER_POOL_ID": "eu-west-1_x1", "COGNITO_CLIENT_IDS": "c"}), true)
	if err != nil || c.Auth.RequireContentSHA256 {
		t.Fatalf("REQUIRE_CONTENT_SHA256=false in Lambda mode: %+v, %v", c.Auth, err)
	}
	for _, addr := range []string{"127.0.0.1:8080", "[::1]:8080", "localhost:8080"} {
		if _, err := app.Load(getenv(map[string]string{"CHATBOT_ADDR": addr}), false); err != nil {
			t.Errorf("auth off on %s: %v", addr, err)
		}
	}
	if _, err := app.Load(getenv(with(authtest.NewIssuer(t).Env("access"), map[string]string{"CHATBOT_ADDR": "0.0.0.0:8080"})), false); err != nil {
		t.Errorf("auth on, any address: %v", err)
	}
	// Locally the viewer address is the socket peer, which a client cannot
	// forge: no origin secret is needed there.
	if _, err := app.Load(getenv(map[string]string{"ALLOWED_CIDRS": "127.0.0.0/8"}), false); err != nil {
		t.Errorf("local CIDRs without an origin secret: %v", err)
	}
}

func TestLoadSigningKeyEncodings(t *testing.T) {
	t.Parallel()
	_, entry := authtest.APIKey(t, "a")
	for _, v := range []string{
		strings.Repeat("0f", 32),                           // hex
		strings.Repeat("0F", 32),                           // upper-case hex
		"q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=",     // base64, padded
		"q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80",      // base64, unpadded
		"q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq8-_-_-_", // base64url
	} {
		c, err := app.Load(getenv(map[string]string{"API_KEY_SHA256S": entry, "TOKEN_SIGNING_KEY": v}), false)
		if err != nil || len(c.Auth.APIKeys.TokenSigningKey) < 32 {
			t.Errorf("TOKEN_SIGNING_KEY %q: %v", v, err)
		}
	}
}

func TestLoadMetrics(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		env    map[string]string
		lambda bool
		want   metrics.Config
	}{
		{name: "local default off", want: metrics.Config{Enabled: false, Namespace: "Chatbot"}},
		{name: "lambda default on", lambda: true, want: metrics.Config{Enabled: true, Namespace: "Chatbot"}},
		{name: "local namespace turns on", env: map[string]string{"METRICS_NAMESPACE": " Chatbot/dev "},
			want: metrics.Config{Enabled: true, Namespace: "Chatbot/dev"}},
		{name: "local enabled", env: map[string]string{"METRICS_ENABLED": "true"}, want: metrics.Config{Enabled: true, Namespace: "Chatbot"}},
		{name: "lambda disabled", lambda: true, env: map[string]string{"METRICS_ENABLED": "false"},
			want: metrics.Config{Enabled: false, Namespace: "Chatbot"}},
		{name: "explicit off beats namespace", env: map[string]string{"METRICS_ENABLED": "false", "METRICS_NAMESPACE": "X"},
			want: metrics.Config{Enabled: false, Namespace: "X"}},
		{name: "every allowed character", lambda: true, env: map[string]string{"METRICS_NAMESPACE": "My-App_1.2/prod #a:b"},
			want: metrics.Config{Enabled: true, Namespace: "My-App_1.2/prod #a:b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			env := tt.env
			if tt.lambda {
				env = with(env, map[string]string{"API_KEY_SHA256S": "k:" + strings.Repeat("ab", 32)})
			}
			c, err := app.Load(getenv(env), tt.lambda)
			if err != nil {
				t.Fatalf("Load: %v", err)
			}
			if c.Metrics != tt.want {
				t.Errorf("Metrics = %+v, want %+v", c.Metrics, tt.want)
			}
		})
	}
	_, err := app.Load(getenv(map[string]string{"METRICS_NAMESPACE": "AWS/x"}), false)
	if !errors.Is(err, metrics.ErrInvalidNamespace) {
		t.Errorf("error %v does not wrap ErrInvalidNamespace", err)
	}
}

// TestLoadModelAPIs: BEDROCK_API chooses the operation, an entry's prefix
// overrides it for that model, and a model no InvokeModel family knows
// answers through Converse instead of stopping start-up.
func TestLoadModelAPIs(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		env  map[string]string
		want map[string]bedrock.API
	}{
		{name: "default invoke", env: map[string]string{"BEDROCK_MODEL_ID": haiku, "BEDROCK_MODELS": "converse:amazon.nova-lite-v1:0,cohere.command-r-v1:0"},
			want: map[string]bedrock.API{haiku: bedrock.APIInvoke, "amazon.nova-lite-v1:0": bedrock.APIConverse, "cohere.command-r-v1:0": bedrock.APIConverse}},
		{name: "converse with an invoke entry", env: map[string]string{"BEDROCK_API": "converse", "BEDROCK_MODEL_ID": "invoke:" + haiku, "BEDROCK_MODELS": "amazon.nova-lite-v1:0"},
			want: map[string]bedrock.API{haiku: bedrock.APIInvoke, "amazon.nova-lite-v1:0": bedrock.APIConverse}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := app.Load(getenv(tt.env), false)
			if err != nil {
				t.Fatal(err)
			}
			if len(c.Bedrock.ModelIDs()) != len(tt.want) {
				t.Errorf("ModelIDs = %q", c.Bedrock.ModelIDs())
			}
			for _, id := range c.Bedrock.ModelIDs() {
				if got := c.Bedrock.APIOf(id); got != tt.want[id] {
					t.Errorf("APIOf(%s) = %s, want %s", id, got, tt.want[id])
				}
			}
			if c.FallbackOn != bedrock.FallbackOutage {
				t.Errorf("FallbackOn = %q, want the default outage", c.FallbackOn)
			}
		})
	}
}
