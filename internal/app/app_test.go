package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/app/fakesecrets"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

var quiet = app.WithLogger(slog.New(slog.DiscardHandler))

func build(t *testing.T, env map[string]string, lambda bool, opts ...app.Option) (http.Handler, error) {
	t.Helper()
	cfg, err := app.Load(getenv(env), lambda)
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return app.New(context.Background(), cfg, append([]app.Option{quiet, app.WithOutput(io.Discard)}, opts...)...)
}

// localRequest is a request as a local client addresses the gateway: with
// auth off, httptest's default Host (example.com) would be refused.
func localRequest(method, path string) *http.Request {
	r := httptest.NewRequest(method, path, nil)
	r.Host = "localhost:8080"
	return r
}

// call sends a chat request with the API key and returns the status.
func call(t *testing.T, h http.Handler, key string) int {
	t.Helper()
	body := `{"messages":[{"role":"user","content":"hi"}]}`
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Api-Key", key)
	r.Header.Set("X-Amz-Content-Sha256", authtest.PayloadHash([]byte(body)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w.Code
}

func TestNewModels(t *testing.T) {
	t.Parallel()
	extra := gateway.ModelEntry{ID: "extra", OwnedBy: "test", Model: chat.ModelFunc(
		func(context.Context, *chat.Request, chat.Emit) (chat.Result, error) { return chat.Result{}, nil })}
	h, err := build(t, map[string]string{"BEDROCK_MODEL_ID": haiku}, false, fakeAWS("http://127.0.0.1:1"), app.WithModels(extra))
	if err != nil {
		t.Fatal(err)
	}
	w := httptest.NewRecorder()
	h.ServeHTTP(w, localRequest(http.MethodGet, "/v1/models"))
	var list struct {
		Data []struct{ ID string } `json:"data"`
	}
	if err := json.NewDecoder(w.Body).Decode(&list); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, m := range list.Data {
		ids = append(ids, m.ID)
	}
	if got := strings.Join(ids, ","); got != haiku+",extra,eliza" {
		t.Fatalf("models = %s, want Bedrock's, then the extra, then ELIZA", got)
	}
}

// TestNewLogsToOutput: without WithLogger, log lines go to the output as
// JSON at the configured level.
func TestNewLogsToOutput(t *testing.T) {
	t.Parallel()
	var out strings.Builder
	cfg, err := app.Load(getenv(map[string]string{"LOG_LEVEL": "warn"}), false)
	if err != nil {
		t.Fatal(err)
	}
	h, err := app.New(context.Background(), cfg, app.WithOutput(&out))
	if err != nil {
		t.Fatal(err)
	}
	// /v1/nowhere: a path outside /v1/ would go to the chat page's handler.
	for _, path := range []string{"/healthz", "/v1/nowhere"} {
		h.ServeHTTP(httptest.NewRecorder(), localRequest(http.MethodGet, path))
	}
	if s := out.String(); strings.Contains(s, `"path":"/healthz"`) || strings.Contains(s, `"path":"/v1/nowhere"`) {
		t.Fatalf("info lines logged at LOG_LEVEL=warn: %s", s)
	}
	cfg.LogLevel = slog.LevelInfo
	if h, err = app.New(context.Background(), cfg, app.WithOutput(&out)); err != nil {
		t.Fatal(err)
	}
	h.ServeHTTP(httptest.NewRecorder(), localRequest(http.MethodGet, "/v1/nowhere"))
	if s := out.String(); !strings.Contains(s, `"path":"/v1/nowhere"`) || !strings.Contains(s, `"error":"no route for GET`) {
		t.Fatalf("log = %s, want the request line with its cause", s)
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
	sm := fakesecrets.New(t, map[string]string{
		listARN: listEntry,
		jsonARN: `{"api_keys": {"` + name + `": "` + sum + `"}, "token_signing_key": "` + signing + `"}`,
		badARN:  `{"api_keys": "sk-oops-the-secret-text"`,
	})
	aws := fakeAWS(sm.Server.URL)

	h, err := build(t, map[string]string{"API_KEYS_SECRET_ARN": listARN, "API_KEY_SHA256S": envEntry}, true, aws)
	if err != nil {
		t.Fatalf("New with a list secret: %v", err)
	}
	for _, key := range []string{envKey, listKey} {
		if code := call(t, h, key); code != http.StatusOK {
			t.Fatalf("key from env or secret: status %d", code)
		}
	}
	if code := call(t, h, "sk-unknown"); code != http.StatusUnauthorized {
		t.Fatalf("unknown key: status %d", code)
	}
	if n := sm.Calls(); n != 1 {
		t.Fatalf("Secrets Manager calls = %d, want 1 (read once at start-up)", n)
	}

	h, err = build(t, map[string]string{"API_KEYS_SECRET_ARN": jsonARN}, true, aws)
	if err != nil {
		t.Fatalf("New with a JSON secret: %v", err)
	}
	if code := call(t, h, jsonKey); code != http.StatusOK {
		t.Fatalf("key from JSON secret: status %d", code)
	}
	r := httptest.NewRequest(http.MethodPost, "/v1/tokens", strings.NewReader("{}"))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("X-Api-Key", jsonKey)
	r.Header.Set("X-Amz-Content-Sha256", authtest.PayloadHash([]byte("{}")))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		b, _ := io.ReadAll(w.Body)
		t.Fatalf("minting with the secret's signing key: %d %s", w.Code, b)
	}

	if _, err := build(t, map[string]string{"API_KEYS_SECRET_ARN": jsonARN, "API_KEY_SHA256S": jsonEntry}, true, aws); err == nil || !strings.Contains(err.Error(), "both") {
		t.Fatalf("same key in env and secret: %v", err)
	}
	if _, err := build(t, map[string]string{"API_KEYS_SECRET_ARN": jsonARN, "API_KEY_SHA256S": envEntry, "TOKEN_SIGNING_KEY": signing}, true, aws); err == nil || !strings.Contains(err.Error(), "TOKEN_SIGNING_KEY") {
		t.Fatalf("signing key in env and secret: %v", err)
	}
	_, err = build(t, map[string]string{"API_KEYS_SECRET_ARN": badARN}, true, aws)
	if err == nil || strings.Contains(err.Error(), "oops") {
		t.Fatalf("malformed secret: %v (must fail without echoing the secret)", err)
	}
	_, err = build(t, map[string]string{"API_KEYS_SECRET_ARN": "arn:aws:secretsmanager:us-east-1:123456789012:secret:missing-AbCdEf"}, true, aws)
	if err == nil || !strings.Contains(err.Error(), "ResourceNotFoundException") {
		t.Fatalf("missing secret: %v", err)
	}
}

// TestSecretsManagerFromEnvironment uses the default AWS configuration, as
// production does, pointed at the fake by AWS_ENDPOINT_URL_SECRETS_MANAGER.
func TestSecretsManagerFromEnvironment(t *testing.T) {
	const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:keys-AbCdEf"
	key, entry := authtest.APIKey(t, "env-endpoint")
	sm := fakesecrets.New(t, map[string]string{arn: entry})
	dir := t.TempDir()
	for name, v := range sm.Env() {
		t.Setenv(name, v)
	}
	t.Setenv("AWS_CONFIG_FILE", dir+"/config")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", dir+"/credentials")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	h, err := build(t, map[string]string{"API_KEYS_SECRET_ARN": arn}, true)
	if err != nil {
		t.Fatal(err)
	}
	if code := call(t, h, key); code != http.StatusOK {
		t.Fatalf("key from the secret: status %d", code)
	}
	if sm.Calls() != 1 {
		t.Fatalf("calls = %d, want 1", sm.Calls())
	}
}

// TestNewLoopbackHostsWithAuthOff: with auth off (local mode, loopback
// only) a request addressed to another name is refused, so a page whose
// name resolves to 127.0.0.1 (DNS rebinding) cannot use the gateway and the
// developer's AWS credentials. With auth on, and on Lambda, Host is not
// checked: the credential is.
func TestNewLoopbackHostsWithAuthOff(t *testing.T) {
	t.Parallel()
	key, entry := authtest.APIKey(t, "k")
	for _, tc := range []struct {
		name   string
		env    map[string]string
		lambda bool
		want   int
	}{
		{name: "auth off", want: http.StatusMisdirectedRequest},
		{name: "auth on", env: map[string]string{"API_KEY_SHA256S": entry}, want: http.StatusOK},
		{name: "lambda", env: map[string]string{"API_KEY_SHA256S": entry}, lambda: true, want: http.StatusOK},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h, err := build(t, tc.env, tc.lambda)
			if err != nil {
				t.Fatal(err)
			}
			srv := httptest.NewServer(h)
			defer srv.Close()
			req, _ := http.NewRequest(http.MethodGet, srv.URL+"/v1/models", nil)
			req.Host = "rebind.example:" + srv.URL[strings.LastIndex(srv.URL, ":")+1:]
			req.Header.Set("X-Api-Key", key)
			resp, err := srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != tc.want {
				t.Errorf("status %d, want %d", resp.StatusCode, tc.want)
			}
			req.Host = ""
			resp, err = srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			if resp.StatusCode != http.StatusOK {
				t.Errorf("addressed as %s: status %d, want 200", srv.URL, resp.StatusCode)
			}
		})
	}
}

// TestSecretWithoutKeysYet: a new stack's secret holds the signing key but
// no API key yet (make apikey adds them later), and the last key of a stack
// can be revoked. The gateway starts, minting is off until a key exists,
// and the other credentials keep working.
func TestSecretWithoutKeysYet(t *testing.T) {
	t.Parallel()
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chatbot/new-AbCdEf"
	sm := fakesecrets.New(t, map[string]string{
		arn: `{"api_keys": {}, "token_signing_key": "` + authtest.SigningKey(t) + `"}`,
	})
	iss := authtest.NewIssuer(t)
	env := with(iss.Env("access"), map[string]string{"API_KEYS_SECRET_ARN": arn})
	h, err := build(t, env, true, fakeAWS(sm.Server.URL))
	if err != nil {
		t.Fatalf("New with a secret that has a signing key and no API key yet: %v", err)
	}
	body := `{"messages":[{"role":"user","content":"hi"}]}`
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
	r.Header.Set("Content-Type", "application/json")
	r.Header.Set("Authorization", "Bearer "+iss.AccessToken(t))
	r.Header.Set("X-Amz-Content-Sha256", authtest.PayloadHash([]byte(body)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusOK {
		t.Fatalf("a JWT caller: %d %s", w.Code, w.Body)
	}
	if code := call(t, h, "sk-"+strings.Repeat("a", 43)); code != http.StatusUnauthorized {
		t.Fatalf("an API key with none configured: status %d, want 401", code)
	}
}
