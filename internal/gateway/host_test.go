package gateway_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// TestLoopbackOnly: with auth off, a page under another name that resolves
// to 127.0.0.1 (DNS rebinding) reaches the listener but sends its own name
// in Host; only loopback names on the listening port are served.
func TestLoopbackOnly(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) { c.LoopbackOnly = true })
	open := newServer(t, nil)
	u, _ := url.Parse(s.URL)
	port := u.Port()
	tests := []struct {
		host string
		ok   bool
	}{
		{host: "127.0.0.1:" + port, ok: true},
		{host: "localhost:" + port, ok: true},
		{host: "LocalHost:" + port, ok: true},
		{host: "[::1]:" + port, ok: true},
		{host: "127.1.2.3:" + port, ok: true},
		{host: "rebind.example:" + port},
		{host: "localhost.example:" + port},
		{host: "localhost.:" + port},
		{host: "127.0.0.1.nip.io:" + port},
		{host: "10.0.0.1:" + port},
		{host: "[::ffff:10.0.0.1]:" + port},
		{host: "localhost:1"}, // another port: another origin
		{host: "localhost"},   // port 80
		{host: "127.0.0.1"},   // port 80
		{host: "localhost:" + port + "0"},
	}
	for _, tt := range tests {
		t.Run(tt.host, func(t *testing.T) {
			t.Parallel()
			for _, path := range []string{"/healthz", "/v1/models", "/v1/chat/completions"} {
				method := http.MethodGet
				if path == "/v1/chat/completions" {
					method = http.MethodPost
				}
				req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(hello))
				req.Header.Set("Content-Type", "application/json")
				req.Host = tt.host
				resp, err := s.Client().Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				if tt.ok {
					if resp.StatusCode != 200 {
						t.Errorf("%s %s with Host %q: status %d, want 200", method, path, tt.host, resp.StatusCode)
					}
					continue
				}
				if resp.StatusCode != http.StatusMisdirectedRequest {
					t.Fatalf("%s %s with Host %q: status %d, want 421", method, path, tt.host, resp.StatusCode)
				}
				if e := decodeError(t, resp); e.Code != "misdirected_request" || e.Type != "invalid_request_error" {
					t.Errorf("error = %+v", e)
				}
			}
		})
	}
	t.Run("logged with its cause", func(t *testing.T) {
		t.Parallel()
		req, _ := http.NewRequest(http.MethodGet, s.URL+"/v1/models", nil)
		req.Host = "logged.example:" + port
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		var line map[string]any
		s.logs.waitFor(t, func() bool {
			for _, l := range s.logs.lines(t, "request") {
				if cause, _ := l["error"].(string); strings.Contains(cause, `"logged.example:`+port+`"`) {
					line = l
					return true
				}
			}
			return false
		})
		if line["status"] != float64(421) || line["error_code"] != "misdirected_request" {
			t.Errorf("log line = %v", line)
		}
	})
	t.Run("off by default", func(t *testing.T) {
		t.Parallel()
		req, _ := http.NewRequest(http.MethodGet, open.URL+"/v1/models", nil)
		req.Host = "rebind.example"
		resp, err := open.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Errorf("status %d without LoopbackOnly, want 200", resp.StatusCode)
		}
	})
}
