package auth

import (
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// APIKeyPrefix starts every API key.
const APIKeyPrefix = "sk-"

// minSigningKey is the shortest TOKEN_SIGNING_KEY accepted, in bytes.
const minSigningKey = 32

// APIKeyConfig configures API keys and the tokens minted with them.
type APIKeyConfig struct {
	// Keys are the accepted keys, by name and SHA-256 (API_KEY_SHA256S).
	Keys []APIKey
	// TokenSigningKey signs minted tokens (HMAC-SHA256); empty: no minting.
	TokenSigningKey Secret
}

// Enabled reports whether API keys are checked.
func (c APIKeyConfig) Enabled() bool { return len(c.Keys) > 0 }

// APIKey is a named key, known only by its SHA-256.
type APIKey struct {
	Name   string   // for logs, e.g. "billing-service"
	SHA256 [32]byte // SHA-256 of the whole key string, "sk-" included
}

// GenerateAPIKey returns a new random key ("sk-" and 43 base64url characters,
// 256 bits) and the lowercase hex SHA-256 to configure in API_KEY_SHA256S.
func GenerateAPIKey() (key, sha256hex string, err error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", "", fmt.Errorf("generate api key: %w", err)
	}
	key = APIKeyPrefix + base64.RawURLEncoding.EncodeToString(b[:])
	sum := sha256.Sum256([]byte(key))
	return key, hex.EncodeToString(sum[:]), nil
}

// ParseAPIKeys reads "name:hexsha256" items; blank items are skipped. Names are 1-64 of
// [A-Za-z0-9._-]; hashes are 64 hex digits. Names and hashes are unique.
func ParseAPIKeys(items []string) ([]APIKey, error) {
	var keys []APIKey
	seenName := map[string]bool{}
	seenHash := map[[32]byte]bool{}
	for _, item := range items {
		if strings.TrimSpace(item) == "" {
			continue
		}
		name, hexSum, ok := strings.Cut(item, ":")
		name, hexSum = strings.TrimSpace(name), strings.TrimSpace(hexSum)
		if !ok || !validKeyName(name) {
			return nil, fmt.Errorf("want name:sha256hex items (name of 1-64 letters, digits, '.', '_' or '-'), got an item without a valid name")
		}
		if strings.HasPrefix(hexSum, APIKeyPrefix) {
			return nil, fmt.Errorf("key %q: this is a key, not its SHA-256; never configure the key itself", name)
		}
		raw, err := hex.DecodeString(hexSum)
		if err != nil || len(raw) != 32 {
			return nil, fmt.Errorf("key %q: want 64 hex digits of SHA-256", name)
		}
		var sum [32]byte
		copy(sum[:], raw)
		if seenName[name] {
			return nil, fmt.Errorf("key name %q appears twice", name)
		}
		if seenHash[sum] {
			return nil, fmt.Errorf("key %q: the same hash appears twice", name)
		}
		seenName[name], seenHash[sum] = true, true
		keys = append(keys, APIKey{Name: name, SHA256: sum})
	}
	return keys, nil
}

func validKeyName(name string) bool {
	if name == "" || len(name) > 64 {
		return false
	}
	for _, r := range name {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '.' || r == '_' || r == '-') {
			return false
		}
	}
	return true
}

// DecodeSigningKey reads a key given as hex (only hex digits, even length) or
// else base64 (standard or URL alphabet, padded or not); at least 32 bytes.
func DecodeSigningKey(v string) ([]byte, error) {
	var key []byte
	var err error
	if isHex(v, false) {
		key, err = hex.DecodeString(v)
	} else {
		key, err = decodeBase64(v)
	}
	if err != nil {
		return nil, errors.New("want hex or base64")
	}
	if len(key) < minSigningKey {
		return nil, fmt.Errorf("want at least %d bytes, got %d", minSigningKey, len(key))
	}
	return key, nil
}

func decodeBase64(s string) ([]byte, error) {
	s = strings.TrimRight(s, "=")
	if strings.ContainsAny(s, "-_") {
		return base64.RawURLEncoding.DecodeString(s)
	}
	return base64.RawStdEncoding.DecodeString(s)
}
