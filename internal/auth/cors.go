package auth

import (
	"net/http"
	"slices"
	"strconv"
	"time"
)

// CORS settings. Exposed headers are those a browser client needs to read
// that CORS does not expose by default.
const (
	corsMethods = "GET, POST, OPTIONS"
	corsHeaders = "content-type, authorization, x-authorization, x-amz-content-sha256, x-api-key"
	corsExpose  = "retry-after, www-authenticate, x-request-id"
	corsMaxAge  = 2 * time.Hour // Chromium's cap; Firefox allows 24 h
)

// CORS wraps next with the ALLOWED_ORIGINS policy. An allowed origin gets
// Access-Control-Allow-Origin on every answer; a preflight (OPTIONS with
// Access-Control-Request-Method) is answered here, 204 for an allowed origin
// and 403 otherwise. A disallowed origin gets no CORS headers, so the browser
// withholds the response from the page. Credentials (cookies) are not used.
func (g *Guard) CORS(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		origin := r.Header.Get("Origin")
		preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
		if origin == "" && !preflight {
			next.ServeHTTP(w, r)
			return
		}
		h := w.Header()
		h.Add("Vary", "Origin")
		allowed := g.originAllowed(origin)
		if preflight {
			h.Add("Vary", "Access-Control-Request-Method")
			h.Add("Vary", "Access-Control-Request-Headers")
			if !allowed {
				http.Error(w, "origin not allowed", http.StatusForbidden)
				return
			}
			g.setAllowOrigin(h, origin)
			h.Set("Access-Control-Allow-Methods", corsMethods)
			h.Set("Access-Control-Allow-Headers", corsHeaders)
			h.Set("Access-Control-Max-Age", strconv.Itoa(int(corsMaxAge/time.Second)))
			w.WriteHeader(http.StatusNoContent)
			return
		}
		if allowed {
			g.setAllowOrigin(h, origin)
			h.Set("Access-Control-Expose-Headers", corsExpose)
		}
		next.ServeHTTP(w, r)
	})
}

func (g *Guard) originAllowed(origin string) bool {
	if origin == "" {
		return false
	}
	if len(g.cfg.AllowedOrigins) == 1 && g.cfg.AllowedOrigins[0] == "*" {
		return true
	}
	return slices.Contains(g.cfg.AllowedOrigins, origin)
}

func (g *Guard) setAllowOrigin(h http.Header, origin string) {
	if len(g.cfg.AllowedOrigins) == 1 && g.cfg.AllowedOrigins[0] == "*" {
		h.Set("Access-Control-Allow-Origin", "*")
		return
	}
	h.Set("Access-Control-Allow-Origin", origin)
}
