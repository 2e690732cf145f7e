package gateway_test

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

func TestCORS(t *testing.T) {
	t.Parallel()
	origins := func(list ...string) func(*gateway.Config) {
		return func(c *gateway.Config) { c.AllowedOrigins = list }
	}
	list := newServer(t, origins("https://chat.example.com", "http://localhost:3000"))
	star := newServer(t, origins("*"))
	none := newServer(t, nil)
	sdkHeaders := "content-type, authorization, x-stainless-os, x-stainless-lang, x-stainless-package-version, " +
		"x-stainless-runtime, x-stainless-runtime-version, x-stainless-arch, x-stainless-retry-count, x-stainless-timeout"
	tests := []struct {
		name        string
		srv         *server
		method      string
		origin      string
		preflight   bool
		reqHeaders  string // Access-Control-Request-Headers of a preflight
		wantStatus  int
		wantAllow   string // Access-Control-Allow-Origin; "" means absent
		wantCode    string // error code of a refused preflight
		wantHeaders string // Access-Control-Allow-Headers
	}{
		{name: "preflight from an allowed origin", srv: list, origin: "https://chat.example.com", preflight: true,
			reqHeaders: "content-type, x-authorization, x-amz-content-sha256", wantStatus: http.StatusNoContent,
			wantAllow: "https://chat.example.com", wantHeaders: "content-type, x-authorization, x-amz-content-sha256"},
		{name: "preflight for the openai SDK's headers", srv: list, origin: "https://chat.example.com", preflight: true,
			reqHeaders: sdkHeaders, wantStatus: http.StatusNoContent, wantAllow: "https://chat.example.com", wantHeaders: sdkHeaders},
		{name: "preflight header names are lowercased", srv: list, origin: "https://chat.example.com", preflight: true,
			reqHeaders: "X-Stainless-OS,Content-Type", wantStatus: http.StatusNoContent,
			wantAllow: "https://chat.example.com", wantHeaders: "x-stainless-os, content-type"},
		// A preflight without Access-Control-Request-Headers (a proxy dropped
		// it) gets the headers the API reads: a JSON POST still passes.
		{name: "preflight asking for no headers", srv: list, origin: "https://chat.example.com", preflight: true,
			wantStatus: http.StatusNoContent, wantAllow: "https://chat.example.com",
			wantHeaders: "authorization, content-type, x-amz-content-sha256, x-api-key, x-authorization"},
		{name: "preflight with a header that is not a token", srv: list, origin: "https://chat.example.com", preflight: true,
			reqHeaders: "content-type, x bad", wantStatus: http.StatusForbidden, wantCode: "cors_headers_not_allowed"},
		{name: "preflight asking for too many headers", srv: list, origin: "https://chat.example.com", preflight: true,
			reqHeaders: strings.Repeat("x-a, ", 33) + "x-b", wantStatus: http.StatusForbidden, wantCode: "cors_headers_not_allowed"},
		{name: "preflight with an overlong header name", srv: list, origin: "https://chat.example.com", preflight: true,
			reqHeaders: "x-" + strings.Repeat("a", 200), wantStatus: http.StatusForbidden, wantCode: "cors_headers_not_allowed"},
		{name: "preflight for a method not served", srv: list, origin: "https://chat.example.com", preflight: true,
			method: http.MethodDelete, wantStatus: http.StatusForbidden, wantCode: "cors_method_not_allowed"},
		{name: "preflight from a disallowed origin", srv: list, origin: "https://evil.example", preflight: true,
			wantStatus: http.StatusForbidden, wantCode: "cors_origin_not_allowed"},
		{name: "preflight from a look-alike origin", srv: list, origin: "https://chat.example.com.evil.example", preflight: true,
			wantStatus: http.StatusForbidden, wantCode: "cors_origin_not_allowed"},
		{name: "preflight with another port", srv: list, origin: "http://localhost:3001", preflight: true,
			wantStatus: http.StatusForbidden, wantCode: "cors_origin_not_allowed"},
		{name: "preflight with nothing configured", srv: none, origin: "https://chat.example.com", preflight: true,
			wantStatus: http.StatusForbidden, wantCode: "cors_origin_not_allowed"},
		{name: "preflight with *", srv: star, origin: "https://anything.example", preflight: true, reqHeaders: "x-api-key",
			wantStatus: http.StatusNoContent, wantAllow: "*", wantHeaders: "x-api-key"},
		{name: "simple request from an allowed origin", srv: list, method: http.MethodGet, origin: "http://localhost:3000",
			wantStatus: http.StatusOK, wantAllow: "http://localhost:3000"},
		{name: "simple request from a disallowed origin", srv: list, method: http.MethodGet, origin: "https://evil.example",
			wantStatus: http.StatusOK},
		{name: "null origin", srv: list, method: http.MethodGet, origin: "null", wantStatus: http.StatusOK},
		{name: "same-origin request without Origin", srv: list, method: http.MethodGet, wantStatus: http.StatusOK},
		{name: "OPTIONS that is not a preflight", srv: list, method: http.MethodOptions, origin: "https://chat.example.com",
			wantStatus: http.StatusMethodNotAllowed, wantAllow: "https://chat.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method := tt.method
			if tt.preflight {
				method = http.MethodOptions
			}
			req, err := http.NewRequest(method, tt.srv.URL+"/v1/models", nil)
			if err != nil {
				t.Fatal(err)
			}
			if tt.origin != "" {
				req.Header.Set("Origin", tt.origin)
			}
			if tt.preflight {
				asked := tt.method
				if asked == "" {
					asked = http.MethodPost
				}
				req.Header.Set("Access-Control-Request-Method", asked)
				if tt.reqHeaders != "" {
					req.Header.Set("Access-Control-Request-Headers", tt.reqHeaders)
				}
			}
			res, err := tt.srv.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer res.Body.Close()
			if res.StatusCode != tt.wantStatus {
				t.Fatalf("status %d, want %d", res.StatusCode, tt.wantStatus)
			}
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != tt.wantAllow {
				t.Fatalf("Access-Control-Allow-Origin = %q, want %q", got, tt.wantAllow)
			}
			if tt.wantAllow == "" {
				for name := range res.Header {
					if strings.HasPrefix(name, "Access-Control-") {
						t.Fatalf("disallowed origin got CORS header %s", name)
					}
				}
			}
			if tt.origin != "" && !slices.Contains(res.Header.Values("Vary"), "Origin") {
				t.Fatalf("Vary = %v, want Origin", res.Header.Values("Vary"))
			}
			if tt.wantCode != "" {
				if e := decodeError(t, res); e.Code != tt.wantCode || e.Type != "permission_error" {
					t.Fatalf("error = %+v, want code %s", e, tt.wantCode)
				}
				line := tt.srv.logs.lines(t, "request")
				if !slices.ContainsFunc(line, func(m map[string]any) bool {
					return m["error_code"] == tt.wantCode && m["status"] == float64(403) && m["error"] != nil
				}) {
					t.Fatalf("no log line names the refusal and its cause: %v", line)
				}
			}
			if tt.preflight && tt.wantStatus == http.StatusNoContent {
				if res.Header.Get("Access-Control-Allow-Methods") != "GET, POST, OPTIONS" ||
					res.Header.Get("Access-Control-Allow-Headers") != tt.wantHeaders ||
					res.Header.Get("Access-Control-Max-Age") == "" {
					t.Fatalf("preflight headers = %v", res.Header)
				}
			}
			if tt.wantAllow != "" && !tt.preflight && res.Header.Get("Access-Control-Expose-Headers") == "" {
				t.Fatalf("simple response exposes no headers")
			}
		})
	}
}

func TestParseOrigins(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		in      []string
		want    []string
		wantErr bool
	}{
		{in: []string{"https://Chat.Example.com", "http://localhost:3000"}, want: []string{"https://chat.example.com", "http://localhost:3000"}},
		{in: []string{"*"}, want: []string{"*"}},
		{in: []string{"*", "https://a.example"}, wantErr: true},
		{in: []string{"https://a.example/"}, wantErr: true},
		{in: []string{"ftp://a.example"}, wantErr: true},
		{in: []string{"https://user@a.example"}, wantErr: true},
		{in: []string{"https://a.example?"}, wantErr: true},
	} {
		got, err := gateway.ParseOrigins(tt.in)
		if (err != nil) != tt.wantErr || !slices.Equal(got, tt.want) {
			t.Errorf("ParseOrigins(%q) = %q, %v", tt.in, got, err)
		}
	}
	if _, err := gateway.New(gateway.Config{Models: []gateway.ModelEntry{{ID: "m", Model: words("x")}}, AllowedOrigins: []string{"nope"}}); err == nil {
		t.Error("New accepted a malformed origin")
	}
}
