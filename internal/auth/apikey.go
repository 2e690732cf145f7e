package auth

import (
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// maxAPIKeyBytes bounds a presented key; real ones are 46 bytes.
const maxAPIKeyBytes = 256

// keyRing holds the accepted API keys by SHA-256.
type keyRing struct {
	keys []APIKey
}

// match returns the name of the key whose SHA-256 equals that of presented.
// It compares with every key in constant time, so timing reveals neither
// which key matched nor how much of a hash did.
func (k *keyRing) match(presented string) (string, bool) {
	sum := sha256.Sum256([]byte(presented))
	found := -1
	for i := range k.keys {
		if subtle.ConstantTimeCompare(sum[:], k.keys[i].SHA256[:]) == 1 {
			found = i
		}
	}
	if found < 0 {
		return "", false
	}
	return k.keys[found].Name, true
}

// find returns the key named name. Names are unique (ParseAPIKeys, MergeKeys).
func (k *keyRing) find(name string) (APIKey, bool) {
	if k == nil {
		return APIKey{}, false
	}
	i := slices.IndexFunc(k.keys, func(key APIKey) bool { return key.Name == name })
	if i < 0 {
		return APIKey{}, false
	}
	return k.keys[i], true
}

// checkAPIKey verifies a presented key.
func (g *Guard) checkAPIKey(presented string) (*Identity, error) {
	if g.keys == nil {
		return nil, unauthenticated(CodeAPIKeysDisabled, nil)
	}
	if len(presented) > maxAPIKeyBytes || !strings.HasPrefix(presented, APIKeyPrefix) {
		return nil, unauthenticated(CodeInvalidAPIKey, nil)
	}
	name, ok := g.keys.match(presented)
	if !ok {
		return nil, unauthenticated(CodeInvalidAPIKey, nil)
	}
	return &Identity{Subject: "apikey:" + name, Method: MethodAPIKey, KeyName: name}, nil
}

// secretDoc is the JSON form of the API key secret.
type secretDoc struct {
	APIKeys         map[string]string `json:"api_keys"`          // name -> hex SHA-256
	TokenSigningKey string            `json:"token_signing_key"` // hex or base64, as TOKEN_SIGNING_KEY
}

// ParseKeySecret reads the API key secret (API_KEYS_SECRET_ARN): either the
// API_KEY_SHA256S form (name:hexsha256,...) or a JSON object
// {"api_keys": {"name": "hexsha256"}, "token_signing_key": "..."}. Errors
// never quote the text, which is secret.
func ParseKeySecret(s string) ([]APIKey, []byte, error) {
	s = strings.TrimSpace(s)
	if !strings.HasPrefix(s, "{") {
		keys, err := ParseAPIKeys(strings.Split(s, ","))
		return keys, nil, err
	}
	var doc secretDoc
	if err := json.Unmarshal([]byte(s), &doc); err != nil {
		return nil, nil, errors.New("not valid JSON") // the text is secret: do not echo it
	}
	items := make([]string, 0, len(doc.APIKeys))
	for name, sum := range doc.APIKeys {
		items = append(items, name+":"+sum)
	}
	slices.Sort(items)
	keys, err := ParseAPIKeys(items)
	if err != nil {
		return nil, nil, err
	}
	var signing []byte
	if doc.TokenSigningKey != "" {
		if signing, err = DecodeSigningKey(doc.TokenSigningKey); err != nil {
			return nil, nil, fmt.Errorf("token_signing_key: %w", err)
		}
	}
	return keys, signing, nil
}

// MergeKeys adds the secret's keys to the configured ones; a name or hash
// in both is an error.
func MergeKeys(a, b []APIKey) ([]APIKey, error) {
	out := slices.Clone(a)
	for _, k := range b {
		for _, have := range out {
			if have.Name == k.Name || have.SHA256 == k.SHA256 {
				return nil, fmt.Errorf("key %q is in both API_KEY_SHA256S and API_KEYS_SECRET_ARN", k.Name)
			}
		}
		out = append(out, k)
	}
	return out, nil
}
