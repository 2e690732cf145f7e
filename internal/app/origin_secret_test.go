package app_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/app/fakesecrets"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
)

// TestOriginSecretFromSecretsManager: on Lambda the origin secret comes from
// the key secret (origin_verify_secret), not the function's environment,
// which anyone allowed lambda:GetFunctionConfiguration can read. Requests
// without it are refused as before; set in both places, or too short, it
// stops the start without quoting it.
func TestOriginSecretFromSecretsManager(t *testing.T) {
	t.Parallel()
	const (
		withOrigin = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chatbot-dev-api-keys-1-AbCdEf"
		noOrigin   = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chatbot-dev-api-keys-2-AbCdEf"
		short      = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chatbot-dev-api-keys-3-AbCdEf"
		origin     = "0123456789abcdef0123456789abcdef"
	)
	key, entry := authtest.APIKey(t, "origin")
	name, sum, _ := strings.Cut(entry, ":")
	keys := `"api_keys": {"` + name + `": "` + sum + `"}, "token_signing_key": "` + authtest.SigningKey(t) + `"`
	sm := fakesecrets.New(t, map[string]string{
		withOrigin: `{` + keys + `, "origin_verify_secret": "` + origin + `"}`,
		noOrigin:   `{` + keys + `}`,
		short:      `{` + keys + `, "origin_verify_secret": "tiny-and-secret"}`,
	})
	aws := fakeAWS(sm.Server.URL)

	h, err := build(t, map[string]string{"API_KEYS_SECRET_ARN": withOrigin, "ALLOWED_CIDRS": "192.0.2.0/24"}, true, aws)
	if err != nil {
		t.Fatalf("New with the origin secret in the key secret (and a CIDR list, which needs it): %v", err)
	}
	send := func(verify string) *httptest.ResponseRecorder {
		body := `{"messages":[{"role":"user","content":"hi"}]}`
		r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Api-Key", key)
		r.Header.Set("X-Amz-Content-Sha256", authtest.PayloadHash([]byte(body)))
		r.Header.Set("CloudFront-Viewer-Address", "192.0.2.7:443")
		if verify != "" {
			r.Header.Set("X-Origin-Verify", verify)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	if w := send(origin); w.Code != http.StatusOK {
		t.Fatalf("with the origin secret: %d %s", w.Code, w.Body)
	}
	for _, bad := range []string{"", "0123456789abcdef0123456789abcdeX"} {
		if w := send(bad); w.Code != http.StatusForbidden || !strings.Contains(w.Body.String(), "origin_not_verified") {
			t.Fatalf("X-Origin-Verify %q: %d %s, want 403 origin_not_verified", bad, w.Code, w.Body)
		}
	}

	// Without one in the secret nothing is checked, as without the variable.
	h, err = build(t, map[string]string{"API_KEYS_SECRET_ARN": noOrigin}, true, aws)
	if err != nil {
		t.Fatal(err)
	}
	if code := call(t, h, key); code != http.StatusOK {
		t.Fatalf("no origin secret anywhere: status %d", code)
	}

	for _, tc := range []struct {
		name, want string
		env        map[string]string
	}{
		{name: "in both places", want: "both ORIGIN_VERIFY_SECRET and the secret",
			env: map[string]string{"API_KEYS_SECRET_ARN": withOrigin, "ORIGIN_VERIFY_SECRET": origin}},
		{name: "too short", want: "origin_verify_secret: too short",
			env: map[string]string{"API_KEYS_SECRET_ARN": short}},
		{name: "CIDRs on Lambda with no origin secret in the secret", want: "ALLOWED_CIDRS: needs an origin secret",
			env: map[string]string{"API_KEYS_SECRET_ARN": noOrigin, "ALLOWED_CIDRS": "192.0.2.0/24"}},
	} {
		_, err := build(t, tc.env, true, aws)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one saying %q", tc.name, err, tc.want)
		}
		if err != nil && (strings.Contains(err.Error(), "tiny-and-secret") || strings.Contains(err.Error(), origin)) {
			t.Errorf("%s: the error quotes the secret: %v", tc.name, err)
		}
	}
}
