package gateway

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"strconv"
	"time"
)

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
			err = Invalid("", "invalid_json", `request body must be {"ttl_seconds": N} or empty`)
		}
	}
	var ttl time.Duration
	if err == nil && in.TTLSeconds != nil {
		if maxTTL := int64(h.cfg.Tokens.MaxTTL() / time.Second); *in.TTLSeconds < 1 || *in.TTLSeconds > maxTTL {
			err = Invalid("ttl_seconds", "invalid_value", "ttl_seconds must be from 1 to "+strconv.FormatInt(maxTTL, 10))
		}
		ttl = time.Duration(*in.TTLSeconds) * time.Second
	}
	var token Token
	if err == nil {
		c, _ := CallerFrom(r.Context())
		token, err = h.cfg.Tokens.Mint(c, ttl)
	}
	if err != nil {
		fail(w, rec, err)
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Token     string `json:"token"`
		ExpiresAt int64  `json:"expires_at"`
		Scope     string `json:"scope"`
	}{token.Value, token.Expires.Unix(), token.Scope})
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
		return nil, Invalid("", "invalid_body", "could not read the request body")
	case len(b) > 0:
		return nil, errNotJSON()
	}
	return nil, nil
}
