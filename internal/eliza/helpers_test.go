package eliza_test

import (
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/eliza"
)

// newModel loads the embedded script.
func newModel(tb testing.TB) *eliza.Model {
	tb.Helper()
	m, err := eliza.New(eliza.Options{})
	if err != nil {
		tb.Fatalf("New: %v", err)
	}
	return m
}
