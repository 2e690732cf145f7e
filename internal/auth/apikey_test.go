package auth_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
)

func TestGenerateAPIKey(t *testing.T) {
	t.Parallel()
	k1, h1, err := auth.GenerateAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, _, err := auth.GenerateAPIKey()
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256([]byte(k1))
	if !strings.HasPrefix(k1, "sk-") || len(k1) != 46 || h1 != hex.EncodeToString(sum[:]) || k1 == k2 {
		t.Fatalf("GenerateAPIKey = %q, %q (second %q)", k1, h1, k2)
	}
}

func TestAPIKeys(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	billing, billingEntry := authtest.APIKey(t, "billing")
	search, searchEntry := authtest.APIKey(t, "search-svc")
	stranger, _ := authtest.APIKey(t, "stranger")
	keysEnv := map[string]string{"API_KEY_SHA256S": billingEntry + ", " + searchEntry}
	keysOnly := newGuard(t, keysEnv, true) // Lambda mode accepts API keys as the only check
	both := newGuard(t, with(iss.Env("access"), keysEnv), false)
	jwtOnly := newGuard(t, with(iss.Env("access"), with(keysEnv, map[string]string{"AUTH_MODE": "jwt"})), false)
	explicitKeys := newGuard(t, with(iss.Env("access"), with(keysEnv, map[string]string{"AUTH_MODE": "apikey"})), false)
	jwtToken := iss.AccessToken(t)

	tests := []struct {
		name     string
		guard    *auth.Guard
		headers  []string
		wantKey  string // accepted with this key name
		wantJWT  bool   // accepted as a JWT
		wantCode string
	}{
		{name: "Authorization Bearer", guard: keysOnly, headers: []string{"Authorization", "Bearer " + billing}, wantKey: "billing"},
		{name: "X-Authorization Bearer", guard: keysOnly, headers: []string{"X-Authorization", "Bearer " + search}, wantKey: "search-svc"},
		{name: "X-Api-Key", guard: keysOnly, headers: []string{"X-Api-Key", billing}, wantKey: "billing"},
		{name: "bearer before X-Api-Key", guard: keysOnly, headers: []string{"Authorization", "Bearer " + search, "X-Api-Key", billing}, wantKey: "search-svc"},
		{name: "unknown key", guard: keysOnly, headers: []string{"Authorization", "Bearer " + stranger}, wantCode: auth.CodeInvalidAPIKey},
		{name: "key with a changed character", guard: keysOnly, headers: []string{"X-Api-Key", billing[:len(billing)-1] + "A"}, wantCode: auth.CodeInvalidAPIKey},
		{name: "key without prefix", guard: keysOnly, headers: []string{"X-Api-Key", strings.TrimPrefix(billing, "sk-")}, wantCode: auth.CodeInvalidAPIKey},
		{name: "the hash instead of the key", guard: keysOnly, headers: []string{"X-Api-Key", "sk-" + strings.SplitN(billingEntry, ":", 2)[1]}, wantCode: auth.CodeInvalidAPIKey},
		{name: "oversized key", guard: keysOnly, headers: []string{"X-Api-Key", "sk-" + strings.Repeat("a", 1000)}, wantCode: auth.CodeInvalidAPIKey},
		{name: "JWT with keys only", guard: keysOnly, headers: []string{"Authorization", "Bearer " + jwtToken}, wantCode: auth.CodeJWTDisabled},
		{name: "no credential", guard: keysOnly, wantCode: auth.CodeMissingToken},
		{name: "both modes, key", guard: both, headers: []string{"X-Api-Key", billing}, wantKey: "billing"},
		{name: "both modes, JWT", guard: both, headers: []string{"X-Authorization", "Bearer " + jwtToken}, wantJWT: true},
		{name: "AUTH_MODE=jwt refuses keys", guard: jwtOnly, headers: []string{"X-Api-Key", billing}, wantCode: auth.CodeAPIKeysDisabled},
		{name: "AUTH_MODE=jwt accepts JWTs", guard: jwtOnly, headers: []string{"X-Authorization", "Bearer " + jwtToken}, wantJWT: true},
		{name: "AUTH_MODE=apikey refuses JWTs", guard: explicitKeys, headers: []string{"X-Authorization", "Bearer " + jwtToken}, wantCode: auth.CodeJWTDisabled},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			r := postWith("{}", tt.headers...)
			r.Header.Set("X-Amz-Content-Sha256", authtest.PayloadHash([]byte("{}")))
			id, err := check(t, tt.guard, r)
			switch {
			case tt.wantKey != "":
				if err != nil || id.Method != auth.MethodAPIKey || id.KeyName != tt.wantKey || id.Subject != "apikey:"+tt.wantKey {
					t.Fatalf("Check = %+v, %v; want key %s", id, err, tt.wantKey)
				}
			case tt.wantJWT:
				if err != nil || id.Method != auth.MethodJWT {
					t.Fatalf("Check = %+v, %v; want a JWT identity", id, err)
				}
			default:
				wantCode(t, err, auth.ErrUnauthenticated, tt.wantCode)
			}
		})
	}
}

func TestAPIKeyConfigErrors(t *testing.T) {
	t.Parallel()
	_, entry := authtest.APIKey(t, "a")
	sum := strings.SplitN(entry, ":", 2)[1]
	tests := []struct {
		name string
		env  map[string]string
		want string
	}{
		{name: "no name", env: map[string]string{"API_KEY_SHA256S": sum}, want: "API_KEY_SHA256S"},
		{name: "bad name", env: map[string]string{"API_KEY_SHA256S": "has space:" + sum}, want: "API_KEY_SHA256S"},
		{name: "bad hex", env: map[string]string{"API_KEY_SHA256S": "a:" + sum[:63] + "g"}, want: "API_KEY_SHA256S"},
		{name: "short hash", env: map[string]string{"API_KEY_SHA256S": "a:abcd"}, want: "API_KEY_SHA256S"},
		{name: "the key itself", env: map[string]string{"API_KEY_SHA256S": "a:sk-abc"}, want: "never configure the key itself"},
		{name: "duplicate name", env: map[string]string{"API_KEY_SHA256S": entry + ",a:" + strings.Repeat("0", 64)}, want: "appears twice"},
		{name: "duplicate hash", env: map[string]string{"API_KEY_SHA256S": entry + ",b:" + sum}, want: "appears twice"},
		{name: "not an ARN", env: map[string]string{"API_KEYS_SECRET_ARN": "my-secret"}, want: "API_KEYS_SECRET_ARN"},
		{name: "short signing key", env: map[string]string{"API_KEY_SHA256S": entry, "TOKEN_SIGNING_KEY": strings.Repeat("ab", 31)}, want: "TOKEN_SIGNING_KEY"},
		{name: "signing key not encoded", env: map[string]string{"API_KEY_SHA256S": entry, "TOKEN_SIGNING_KEY": "this is not base64 at all!!!!!!!!!!!!!!!!!!!!!"}, want: "TOKEN_SIGNING_KEY"},
		{name: "signing key without API keys", env: map[string]string{"TOKEN_SIGNING_KEY": strings.Repeat("ab", 32)}, want: "TOKEN_SIGNING_KEY"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			_, err := auth.LoadConfig(authtest.Getenv(tt.env), false)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("LoadConfig error = %v, want one naming %q", err, tt.want)
			}
			if strings.Contains(err.Error(), sum) {
				t.Fatalf("error repeats a configured hash: %v", err)
			}
		})
	}
}

func TestSigningKeyEncodings(t *testing.T) {
	t.Parallel()
	_, entry := authtest.APIKey(t, "a")
	for _, v := range []string{
		strings.Repeat("0f", 32),                           // hex
		strings.Repeat("0F", 32),                           // upper-case hex
		"q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80=",     // base64, padded
		"q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq80",      // base64, unpadded
		"q83vEjRWeJq83vEjRWeJq83vEjRWeJq83vEjRWeJq8-_-_-_", // base64url
	} {
		cfg, err := auth.LoadConfig(authtest.Getenv(map[string]string{"API_KEY_SHA256S": entry, "TOKEN_SIGNING_KEY": v}), false)
		if err != nil || len(cfg.APIKeys.TokenSigningKey) < 32 {
			t.Errorf("TOKEN_SIGNING_KEY %q: %v", v, err)
		}
	}
}

func TestSecretsManagerKeys(t *testing.T) {
	t.Parallel()
	const listARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chatbot/keys-AbCdEf"
	const jsonARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chatbot/json-AbCdEf"
	const badARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chatbot/bad-AbCdEf"
	envKey, envEntry := authtest.APIKey(t, "from-env")
	listKey, listEntry := authtest.APIKey(t, "from-list")
	jsonKey, jsonEntry := authtest.APIKey(t, "from-json")
	name, sum, _ := strings.Cut(jsonEntry, ":")
	signing := authtest.SigningKey(t)
	sm := authtest.NewSecretsManager(t, map[string]string{
		listARN: listEntry,
		jsonARN: `{"api_keys": {"` + name + `": "` + sum + `"}, "token_signing_key": "` + signing + `"}`,
		badARN:  `{"api_keys": "sk-oops-the-secret-text"`,
	})
	build := func(env map[string]string) (*auth.Guard, error) {
		cfg, err := auth.LoadConfig(authtest.Getenv(env), true)
		if err != nil {
			t.Fatal(err)
		}
		return auth.New(context.Background(), cfg, auth.WithAWSConfig(sm.AWSConfig()), quietLogger())
	}

	g, err := build(map[string]string{"API_KEYS_SECRET_ARN": listARN, "API_KEY_SHA256S": envEntry})
	if err != nil {
		t.Fatalf("New with a list secret: %v", err)
	}
	for _, key := range []string{envKey, listKey} {
		if _, err := check(t, g, postWith("{}", "X-Api-Key", key, "X-Amz-Content-Sha256", authtest.PayloadHash([]byte("{}")))); err != nil {
			t.Fatalf("key from env or secret: %v", err)
		}
	}
	if n := sm.Calls(); n != 1 {
		t.Fatalf("Secrets Manager calls = %d, want 1 (read once at start-up)", n)
	}

	g, err = build(map[string]string{"API_KEYS_SECRET_ARN": jsonARN})
	if err != nil {
		t.Fatalf("New with a JSON secret: %v", err)
	}
	id, err := check(t, g, postWith("{}", "Authorization", "Bearer "+jsonKey, "X-Amz-Content-Sha256", authtest.PayloadHash([]byte("{}"))))
	if err != nil || id.KeyName != "from-json" {
		t.Fatalf("key from JSON secret: %+v, %v", id, err)
	}
	if _, _, err := g.Mint(id, 0); err != nil {
		t.Fatalf("Mint with the secret's signing key: %v", err)
	}

	if _, err := build(map[string]string{"API_KEYS_SECRET_ARN": jsonARN, "API_KEY_SHA256S": jsonEntry}); err == nil || !strings.Contains(err.Error(), "both") {
		t.Fatalf("same key in env and secret: %v", err)
	}
	if _, err := build(map[string]string{"API_KEYS_SECRET_ARN": jsonARN, "API_KEY_SHA256S": envEntry, "TOKEN_SIGNING_KEY": signing}); err == nil || !strings.Contains(err.Error(), "TOKEN_SIGNING_KEY") {
		t.Fatalf("signing key in env and secret: %v", err)
	}
	_, err = build(map[string]string{"API_KEYS_SECRET_ARN": badARN})
	if err == nil || strings.Contains(err.Error(), "oops") {
		t.Fatalf("malformed secret: %v (must fail without echoing the secret)", err)
	}
	_, err = build(map[string]string{"API_KEYS_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf"})
	if err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Fatalf("missing secret: %v", err)
	}
}

// TestSecretsManagerFromEnvironment uses the default AWS configuration, as
// production does, pointed at the fake by AWS_ENDPOINT_URL_SECRETS_MANAGER.
func TestSecretsManagerFromEnvironment(t *testing.T) {
	const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:keys-AbCdEf"
	key, entry := authtest.APIKey(t, "env-endpoint")
	sm := authtest.NewSecretsManager(t, map[string]string{arn: entry})
	dir := t.TempDir()
	for name, v := range sm.Env() {
		t.Setenv(name, v)
	}
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	g := newGuard(t, map[string]string{"API_KEYS_SECRET_ARN": arn}, true)
	if _, err := check(t, g, postWith("{}", "X-Api-Key", key, "X-Amz-Content-Sha256", authtest.PayloadHash([]byte("{}")))); err != nil {
		t.Fatalf("key from the secret: %v", err)
	}
	if sm.Calls() != 1 {
		t.Fatalf("calls = %d, want 1", sm.Calls())
	}
}
