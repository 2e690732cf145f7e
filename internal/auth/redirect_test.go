package auth_test

import (
	"bytes"
	"context"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
)

// dialLog is a real transport that records every address it connects to.
type dialLog struct {
	mu    sync.Mutex
	addrs []string
}

func (d *dialLog) client(tb testing.TB) *http.Client {
	tr := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		d.mu.Lock()
		d.addrs = append(d.addrs, addr)
		d.mu.Unlock()
		return (&net.Dialer{}).DialContext(ctx, network, addr)
	}}
	tb.Cleanup(tr.CloseIdleConnections)
	return &http.Client{Transport: tr}
}

func (d *dialLog) dialed() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.addrs)
}

// TestKeySetRedirectOffLoopbackIsRefused: a loopback issuer over http may
// redirect the key-set fetch to another loopback server, but not to a
// network host, where the keys would travel in clear text. The refusal comes
// before any connection: the name in the refused location cannot even be
// resolved, and the dial log shows only the first server.
func TestKeySetRedirectOffLoopbackIsRefused(t *testing.T) {
	t.Parallel()
	iss := authtest.NewIssuer(t)
	tests := []struct {
		name     string
		location string
		refused  bool
	}{
		{name: "to another loopback server", location: iss.JWKSURL()},
		{name: "to a network host over http", location: "http://jwks.invalid/.well-known/jwks.json", refused: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			redirector := httptest.NewServer(http.RedirectHandler(tt.location, http.StatusFound))
			t.Cleanup(redirector.Close)
			var dials dialLog
			var logs bytes.Buffer
			clk := newClock()
			env := with(iss.Env("access"), map[string]string{"OIDC_JWKS_URL": redirector.URL + authtest.JWKSPath})
			g := newGuard(t, env, false, auth.WithTimeFunc(clk.Now), auth.WithHTTPClient(dials.client(t)),
				auth.WithLogger(slog.New(slog.NewTextHandler(&logs, nil))))

			want := []string{redirector.Listener.Addr().String()}
			if !tt.refused {
				want = append(want, iss.Server.Listener.Addr().String())
			}
			if got := dials.dialed(); !slices.Equal(got, want) {
				t.Errorf("connections = %v, want %v", got, want)
			}
			_, err := check(t, g, bearerReq(authtest.Sign(t, iss.Key(), iss.AccessClaims(clk.Now()), nil)))
			if !tt.refused {
				if err != nil {
					t.Fatalf("Check after a loopback redirect: %v", err)
				}
				return
			}
			wantCode(t, err, auth.ErrKeysUnavailable, auth.CodeKeysUnavailable)
			if !strings.Contains(logs.String(), "refusing a redirect") {
				t.Errorf("log does not say the redirect was refused:\n%s", logs.String())
			}
		})
	}
}
