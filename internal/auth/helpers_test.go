package auth_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
)

type clock = authtest.Clock

var newClock = authtest.NewClock

// quietLogger drops the warnings a failing key-set fetch logs.
func quietLogger() auth.Option {
	return auth.WithLogger(slog.New(slog.DiscardHandler))
}

// newGuard reads env with the gateway's configuration reader and builds a
// Guard, failing the test on error.
func newGuard(tb testing.TB, env map[string]string, lambda bool, opts ...auth.Option) *auth.Guard {
	tb.Helper()
	cfg, err := app.Load(authtest.Getenv(env), lambda)
	if err != nil {
		tb.Fatalf("Load: %v", err)
	}
	g, err := auth.New(context.Background(), cfg.Auth, append([]auth.Option{quietLogger()}, opts...)...)
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return g
}

// with returns a copy of env with extra entries.
func with(env map[string]string, extra map[string]string) map[string]string {
	out := maps.Clone(env)
	maps.Copy(out, extra)
	return out
}

// postWith builds a POST with body and the given headers (name, value pairs).
func postWith(body string, headers ...string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", strings.NewReader(body))
	for i := 0; i+1 < len(headers); i += 2 {
		r.Header.Set(headers[i], headers[i+1])
	}
	return r
}

// bearerReq is a POST carrying token in X-Authorization.
func bearerReq(token string) *http.Request {
	return postWith("{}", "X-Authorization", "Bearer "+token)
}

// check runs g.Check on r with r's body.
func check(tb testing.TB, g *auth.Guard, r *http.Request) (*auth.Identity, error) {
	tb.Helper()
	body, err := io.ReadAll(r.Body)
	if err != nil {
		tb.Fatalf("read body: %v", err)
	}
	return g.Check(r, body)
}

// wantCode fails unless err is an *auth.Error of kind and code.
func wantCode(tb testing.TB, err error, kind error, code string) {
	tb.Helper()
	var ae *auth.Error
	if !errors.As(err, &ae) {
		tb.Fatalf("error = %v, want *auth.Error %v (%s)", err, kind, code)
	}
	if !errors.Is(err, kind) || ae.Code != code {
		tb.Fatalf("error = %v (kind %v, code %q), want kind %v code %q", err, ae.Kind, ae.Code, kind, code)
	}
}
