package gatewaytest

import (
	"errors"
	"testing"
	"unicode/utf8"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// FuzzLimits are the limits both wire formats' decoders are fuzzed under.
var FuzzLimits = gateway.Limits{MaxMessages: 200, MaxTokens: 1024, MaxTools: 8, MaxToolSchemaBytes: 1024, MaxImages: 2, MaxImageBytes: 1024}

// Refused reports whether a decoder refused a body, and fails the test
// unless the refusal is a clear 400: a *gateway.Error with a code and a
// message.
func Refused(t testing.TB, err error) bool {
	t.Helper()
	if err == nil {
		return false
	}
	var e *gateway.Error
	if !errors.As(err, &e) || e.Status != 400 || e.Message == "" || e.Code == "" {
		t.Fatalf("rejection %v (%+v) is not a clear 400", err, e)
	}
	return true
}

// CheckAccepted fails unless an accepted request is within lim (with at
// most maxMessages messages, which may exceed lim's when a format adds
// one), of valid UTF-8, with a user message and at most lim's tools and
// images.
func CheckAccepted(t testing.TB, r *chat.Request, lim gateway.Limits, maxMessages int) {
	t.Helper()
	if len(r.Messages) == 0 || len(r.Messages) > maxMessages || r.MaxTokens < 1 || r.MaxTokens > lim.MaxTokens {
		t.Fatalf("accepted an out-of-limit request: %d messages, max tokens %d", len(r.Messages), r.MaxTokens)
	}
	if len(r.Tools) > lim.MaxTools {
		t.Fatalf("accepted %d tools", len(r.Tools))
	}
	users, images := 0, 0
	for _, m := range r.Messages {
		if !utf8.ValidString(m.Content) {
			t.Fatalf("accepted invalid UTF-8 content")
		}
		if m.Role == chat.RoleUser {
			users++
		}
		for _, p := range m.Parts {
			if p.Image != nil {
				images++
				if len(p.Image.Data) > lim.MaxImageBytes || p.Image.MediaType == "" {
					t.Fatalf("accepted an image of %d bytes, type %q", len(p.Image.Data), p.Image.MediaType)
				}
			}
		}
	}
	if users == 0 {
		t.Fatalf("accepted a conversation without a user message")
	}
	if images > lim.MaxImages {
		t.Fatalf("accepted %d images", images)
	}
}
