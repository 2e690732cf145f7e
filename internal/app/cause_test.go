package app_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

// TestCauseLoggedNotSent: a Bedrock exception in the middle of a stream
// ends it with an in-band error; the exception's own text goes to the
// request's log line, at WARN, and never to the client.
func TestCauseLoggedNotSent(t *testing.T) {
	t.Parallel()
	const secretish = "internal shard 7 overloaded"
	fake := fakebedrock.New(fakebedrock.WithScenario(fakebedrock.Scenario{
		Tokens: 2, Exception: "modelStreamErrorException", ExceptionAfter: 2, Message: secretish,
	}))
	t.Cleanup(fake.Close)
	h, out := gatewayOn(t, nil, awsAt(fake.URL)...)
	chunks, done := streamChat(t, h, "hi")
	last := chunks[len(chunks)-1]
	if done || last.Error == nil || gatewaytest.Text(chunks) != "tok1 tok2 " {
		t.Fatalf("stream = %+v, done %v; want the two tokens, then an in-band error and no [DONE]", chunks, done)
	}
	if strings.Contains(last.Error.Message, secretish) {
		t.Fatalf("the client was told the internal cause: %+v", last.Error)
	}
	line := out.requestLine(t)
	if cause, _ := line["error"].(string); !strings.Contains(cause, secretish) {
		t.Fatalf("log line error = %q, want Bedrock's exception text", cause)
	}
	if line["level"] != "WARN" || line["outcome"] != "error" {
		t.Fatalf("log line = %v, want a WARN line with outcome error", line)
	}
}

// TestAuthRefusalCauseLogged: a refused token's log line says why, in the
// verifier's words, while the client gets only the code.
func TestAuthRefusalCauseLogged(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	out := &lockedBuffer{}
	cfg, err := app.Load(getenv(iss.Env("access")), false)
	if err != nil {
		t.Fatal(err)
	}
	h, err := app.New(t.Context(), cfg, app.WithOutput(out))
	if err != nil {
		t.Fatal(err)
	}
	claims := iss.AccessClaims(time.Now().Add(-2 * time.Hour)) // expired an hour ago
	token := authtest.Sign(t, iss.Key(), claims, nil)
	r := httptest.NewRequest(http.MethodGet, "/v1/models", nil)
	r.Header.Set("Authorization", "Bearer "+token)
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	if w.Code != http.StatusUnauthorized || strings.Contains(w.Body.String(), "expired at") {
		t.Fatalf("answer = %d %s", w.Code, w.Body)
	}
	line := out.requestLine(t)
	cause, _ := line["error"].(string)
	if line["auth_refusal"] != "token_expired" || !strings.Contains(cause, "token_expired") || strings.Contains(cause, token) {
		t.Fatalf("log line = %v, want the refusal and its cause, never the token", line)
	}
}
