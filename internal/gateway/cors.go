package gateway

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
)

// CORS settings. Exposed headers are those a browser client needs to read
// that CORS does not expose by default.
const (
	corsMethods = "GET, POST, OPTIONS"
	corsExpose  = "retry-after, www-authenticate, x-request-id, " +
		"x-ratelimit-limit-requests, x-ratelimit-remaining-requests, x-ratelimit-reset-requests, " +
		"x-ratelimit-limit-tokens, x-ratelimit-remaining-tokens, x-ratelimit-reset-tokens"
	corsMaxAge = 2 * time.Hour // Chromium's cap; Firefox allows 24 h

	// corsReadHeaders are the request headers the API reads, allowed when a
	// preflight does not say which it needs: a proxy in front of the gateway
	// may drop Access-Control-Request-Headers, and a browser POSTing JSON
	// still needs content-type allowed.
	corsReadHeaders = "authorization, content-type, x-amz-content-sha256, x-api-key, x-authorization"

	// A preflight may ask for this many request headers, each at most
	// maxCORSHeaderLen long: browser SDKs send a dozen.
	maxCORSHeaders   = 32
	maxCORSHeaderLen = 128
)

var (
	errOriginNotAllowed  = errors.New("origin not in ALLOWED_ORIGINS")
	errCORSHeaders       = errors.New("Access-Control-Request-Headers is malformed or too long")
	errCORSRequestMethod = errors.New("Access-Control-Request-Method is not one the gateway serves")
)

// ParseOrigins checks ALLOWED_ORIGINS items: exact origins
// (scheme://host[:port]), or "*" alone. It returns them lowercased.
func ParseOrigins(items []string) ([]string, error) {
	var out []string
	for _, o := range items {
		if o == "*" {
			if len(items) > 1 {
				return nil, errors.New(`"*" must be the only origin`)
			}
			return []string{"*"}, nil
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			u.User != nil || u.Path != "" || u.RawQuery != "" || u.Fragment != "" || strings.HasSuffix(o, "?") {
			return nil, fmt.Errorf("want scheme://host[:port] without path or trailing slash, got %q", o)
		}
		out = append(out, strings.ToLower(u.Scheme+"://"+u.Host))
	}
	return out, nil
}

// cors applies the AllowedOrigins policy. An allowed origin gets
// Access-Control-Allow-Origin on every answer; a preflight (OPTIONS with
// Access-Control-Request-Method) is answered here: 204 for an allowed origin,
// allowing the request headers it asks for (or, when it names none, those
// the API reads), and a JSON 403 otherwise. A
// disallowed origin gets no CORS headers on other requests, so the browser
// withholds the response from the page. Credentials (cookies) are not used.
// It reports whether it answered the request.
func (h *Handler) cors(w http.ResponseWriter, r *http.Request, rec *Record) bool {
	origin := r.Header.Get("Origin")
	preflight := r.Method == http.MethodOptions && r.Header.Get("Access-Control-Request-Method") != ""
	if origin == "" && !preflight {
		return false
	}
	hd := w.Header()
	hd.Add("Vary", "Origin")
	allowed := h.originAllowed(origin)
	if !preflight {
		if allowed {
			h.setAllowOrigin(hd, origin)
			hd.Set("Access-Control-Expose-Headers", corsExpose)
		}
		return false
	}
	hd.Add("Vary", "Access-Control-Request-Method")
	hd.Add("Vary", "Access-Control-Request-Headers")
	if !allowed {
		rec.Err = fmt.Errorf("preflight from %s: %w", Quote(origin), errOriginNotAllowed)
		fail(w, rec, &Error{Status: http.StatusForbidden, Type: typePermission, Code: "cors_origin_not_allowed",
			Message: "this origin is not allowed to call the gateway"})
		return true
	}
	if m := r.Header.Get("Access-Control-Request-Method"); m != http.MethodGet && m != http.MethodHead && m != http.MethodPost {
		rec.Err = fmt.Errorf("preflight asks for method %s: %w", Quote(m), errCORSRequestMethod)
		fail(w, rec, &Error{Status: http.StatusForbidden, Type: typePermission, Code: "cors_method_not_allowed",
			Message: "the gateway serves " + corsMethods})
		return true
	}
	headers, ok := corsRequestHeaders(r.Header.Values("Access-Control-Request-Headers"))
	if !ok {
		rec.Err = errCORSHeaders
		fail(w, rec, &Error{Status: http.StatusForbidden, Type: typePermission, Code: "cors_headers_not_allowed",
			Message: fmt.Sprintf("Access-Control-Request-Headers must list at most %d valid header names", maxCORSHeaders)})
		return true
	}
	h.setAllowOrigin(hd, origin)
	hd.Set("Access-Control-Allow-Methods", corsMethods)
	if headers == "" {
		headers = corsReadHeaders
	}
	hd.Set("Access-Control-Allow-Headers", headers)
	hd.Set("Access-Control-Max-Age", strconv.Itoa(int(corsMaxAge/time.Second)))
	w.WriteHeader(http.StatusNoContent)
	return true
}

// corsRequestHeaders checks the header names a preflight asks for and
// returns them as one lowercase list to allow. Browser SDKs send headers of
// their own (the openai SDK's x-stainless-*, LangChain's), so the gateway
// allows what an allowed origin asks for rather than a fixed list.
func corsRequestHeaders(values []string) (string, bool) {
	var names []string
	for _, v := range values {
		for name := range strings.SplitSeq(v, ",") {
			name = strings.ToLower(strings.TrimSpace(name))
			if name == "" {
				continue
			}
			if len(name) > maxCORSHeaderLen || !isToken(name) || len(names) == maxCORSHeaders {
				return "", false
			}
			names = append(names, name)
		}
	}
	return strings.Join(names, ", "), true
}

// isToken reports whether s is an HTTP token (RFC 9110 5.6.2).
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0) {
			return false
		}
	}
	return s != ""
}

func (h *Handler) originAllowed(origin string) bool {
	if origin == "" {
		return false
	}
	if h.anyOrigin {
		return true
	}
	return slices.Contains(h.cfg.AllowedOrigins, origin)
}

func (h *Handler) setAllowOrigin(hd http.Header, origin string) {
	if h.anyOrigin {
		hd.Set("Access-Control-Allow-Origin", "*")
		return
	}
	hd.Set("Access-Control-Allow-Origin", origin)
}
