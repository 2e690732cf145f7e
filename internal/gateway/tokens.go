package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
)

// Minter issues short-lived browser tokens for a caller holding an API key.
type Minter interface {
	Mint(id *auth.Identity, ttl time.Duration) (token string, expires time.Time, err error)
}

// maxTokenRequest bounds the body of POST /v1/tokens, which holds one number.
const maxTokenRequest = 1 << 10

// tokens answers POST /v1/tokens: {"ttl_seconds":N} (optional) →
// {"token","expires_at","scope"}. Only an API key may mint; a minted token
// cannot mint another.
func (h *Handler) tokens(w http.ResponseWriter, r *http.Request, rec *Record) {
	body, err := h.tokenBody(w, r)
	if err == nil {
		r, err = h.authenticate(r, body, rec)
	}
	var in struct {
		TTLSeconds *int64 `json:"ttl_seconds"`
	}
	if err == nil && len(bytes.TrimSpace(body)) > 0 {
		if len(body) > maxTokenRequest || json.Unmarshal(body, &in) != nil {
			err = invalid("", "invalid_json", `request body must be {"ttl_seconds": N} or empty`)
		}
	}
	var ttl time.Duration
	if err == nil && in.TTLSeconds != nil {
		if *in.TTLSeconds < 1 || *in.TTLSeconds > int64(auth.MaxTokenTTL/time.Second) {
			err = invalid("ttl_seconds", "invalid_value", "ttl_seconds must be from 1 to 3600")
		}
		ttl = time.Duration(*in.TTLSeconds) * time.Second
	}
	var token string
	var expires time.Time
	if err == nil {
		id, _ := auth.FromContext(r.Context())
		token, expires, err = h.cfg.Tokens.Mint(id, ttl)
	}
	if err != nil {
		fail(w, rec, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Token     string `json:"token"`
		ExpiresAt int64  `json:"expires_at"`
		Scope     string `json:"scope"`
	}{token, expires.Unix(), auth.TokenScope})
}

// tokenBody reads the body of POST /v1/tokens. A request without a body
// (curl -X POST, fetch without one) has no Content-Type and asks for the
// default lifetime; a body without a Content-Type is refused like any
// other that is not JSON.
func (h *Handler) tokenBody(w http.ResponseWriter, r *http.Request) ([]byte, error) {
	if r.Header.Get("Content-Type") != "" {
		return h.readBody(w, r)
	}
	// One byte tells an empty body from another (the length may be unknown:
	// chunked locally, base64 on Lambda).
	b, err := io.ReadAll(io.LimitReader(r.Body, 1))
	switch {
	case err != nil:
		return nil, invalid("", "invalid_body", "could not read the request body")
	case len(b) > 0:
		return nil, errNotJSON()
	}
	return nil, nil
}
