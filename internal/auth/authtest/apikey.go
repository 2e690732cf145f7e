package authtest

import (
	"crypto/rand"
	"encoding/hex"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/auth"
)

// APIKey generates an API key and returns it with its API_KEY_SHA256S entry
// ("name:hexsha256").
func APIKey(tb testing.TB, name string) (key, entry string) {
	tb.Helper()
	key, sum, err := auth.GenerateAPIKey()
	if err != nil {
		tb.Fatalf("generate API key: %v", err)
	}
	return key, name + ":" + sum
}

// SigningKey returns a random TOKEN_SIGNING_KEY value (32 bytes, hex).
func SigningKey(tb testing.TB) string {
	tb.Helper()
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		tb.Fatalf("generate signing key: %v", err)
	}
	return hex.EncodeToString(b[:])
}
