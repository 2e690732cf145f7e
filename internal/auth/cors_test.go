package auth_test

import (
	"net/http"
	"net/http/httptest"
	"slices"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/auth"
)

func TestCORS(t *testing.T) {
	t.Parallel()
	list := newGuard(t, map[string]string{"ALLOWED_ORIGINS": "https://chat.example.com, http://localhost:3000"}, false)
	star := newGuard(t, map[string]string{"ALLOWED_ORIGINS": "*"}, false)
	none := newGuard(t, map[string]string{}, false)
	tests := []struct {
		name        string
		guard       *auth.Guard
		method      string
		origin      string
		preflight   bool
		wantStatus  int
		wantAllow   string // Access-Control-Allow-Origin; "" means absent
		wantNext    bool
		wantMethods bool
	}{
		{name: "preflight from an allowed origin", guard: list, origin: "https://chat.example.com", preflight: true,
			wantStatus: http.StatusNoContent, wantAllow: "https://chat.example.com", wantMethods: true},
		{name: "preflight from a disallowed origin", guard: list, origin: "https://evil.example", preflight: true,
			wantStatus: http.StatusForbidden},
		{name: "preflight from a look-alike origin", guard: list, origin: "https://chat.example.com.evil.example", preflight: true,
			wantStatus: http.StatusForbidden},
		{name: "preflight with another port", guard: list, origin: "http://localhost:3001", preflight: true,
			wantStatus: http.StatusForbidden},
		{name: "preflight with nothing configured", guard: none, origin: "https://chat.example.com", preflight: true,
			wantStatus: http.StatusForbidden},
		{name: "preflight with *", guard: star, origin: "https://anything.example", preflight: true,
			wantStatus: http.StatusNoContent, wantAllow: "*", wantMethods: true},
		{name: "simple request from an allowed origin", guard: list, method: http.MethodPost, origin: "http://localhost:3000",
			wantStatus: http.StatusOK, wantAllow: "http://localhost:3000", wantNext: true},
		{name: "simple request from a disallowed origin", guard: list, method: http.MethodPost, origin: "https://evil.example",
			wantStatus: http.StatusOK, wantNext: true},
		{name: "null origin", guard: list, method: http.MethodPost, origin: "null", wantStatus: http.StatusOK, wantNext: true},
		{name: "same-origin request without Origin", guard: list, method: http.MethodGet, wantStatus: http.StatusOK, wantNext: true},
		{name: "OPTIONS that is not a preflight", guard: list, method: http.MethodOptions, origin: "https://chat.example.com",
			wantStatus: http.StatusOK, wantAllow: "https://chat.example.com", wantNext: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			called := false
			h := tt.guard.CORS(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				called = true
				w.WriteHeader(http.StatusOK)
			}))
			method := tt.method
			if tt.preflight {
				method = http.MethodOptions
			}
			r := httptest.NewRequest(method, "/v1/chat/completions", nil)
			if tt.origin != "" {
				r.Header.Set("Origin", tt.origin)
			}
			if tt.preflight {
				r.Header.Set("Access-Control-Request-Method", "POST")
				r.Header.Set("Access-Control-Request-Headers", "content-type, x-authorization, x-amz-content-sha256")
			}
			w := httptest.NewRecorder()
			h.ServeHTTP(w, r)
			res := w.Result()
			if res.StatusCode != tt.wantStatus || called != tt.wantNext {
				t.Fatalf("status %d, next called %v; want %d, %v", res.StatusCode, called, tt.wantStatus, tt.wantNext)
			}
			if got := res.Header.Get("Access-Control-Allow-Origin"); got != tt.wantAllow {
				t.Fatalf("Access-Control-Allow-Origin = %q, want %q", got, tt.wantAllow)
			}
			if tt.wantAllow == "" {
				for name := range res.Header {
					if len(name) > 13 && name[:13] == "Access-Contro" {
						t.Fatalf("disallowed origin got CORS header %s", name)
					}
				}
			}
			if tt.origin != "" && !slices.Contains(res.Header.Values("Vary"), "Origin") {
				t.Fatalf("Vary = %v, want Origin", res.Header.Values("Vary"))
			}
			if tt.wantMethods {
				if res.Header.Get("Access-Control-Allow-Methods") != "GET, POST, OPTIONS" ||
					res.Header.Get("Access-Control-Allow-Headers") != "content-type, authorization, x-authorization, x-amz-content-sha256, x-api-key" ||
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
