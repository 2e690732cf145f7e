package eliza_test

import (
	"context"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/eliza"
)

// checkReply checks what every reply must be: non-empty valid UTF-8 words
// separated by single spaces (Stream splits on them).
func checkReply(t *testing.T, reply string) {
	t.Helper()
	if reply == "" || !utf8.ValidString(reply) {
		t.Fatalf("reply %q is empty or not valid UTF-8", reply)
	}
	if strings.Join(strings.Fields(reply), " ") != reply {
		t.Fatalf("reply %q is not words separated by single spaces", reply)
	}
}

func FuzzReply(f *testing.F) {
	for _, s := range []string{"", "I am sad", "my mother hates me", "You're like my father, but nobody cares!", "\xff\xfe", "-- ' ... ,,, but but"} {
		f.Add(s)
	}
	m, err := eliza.New(eliza.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, input string) {
		checkReply(t, m.Reply([]string{input}))
	})
}

// FuzzConversation treats each line of its input as one user message.
func FuzzConversation(f *testing.F) {
	for _, s := range []string{"", "\n\n", "my boss made me come here\nno\nno", "I am sad\nI am sad\nI am sad\nI am sad", "why?\nbecause\nmy cat\n\xc3"} {
		f.Add(s)
	}
	m, err := eliza.New(eliza.Options{})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data string) {
		msgs := strings.Split(data, "\n")
		if len(msgs) > 64 {
			msgs = msgs[:64]
		}
		reply := m.Reply(msgs)
		checkReply(t, reply)
		if again := m.Reply(msgs); again != reply {
			t.Fatalf("same conversation, two replies: %q and %q", reply, again)
		}
		req := &chat.Request{}
		for _, s := range msgs {
			req.Messages = append(req.Messages, chat.Message{Role: chat.RoleUser, Content: s})
		}
		var b strings.Builder
		if _, err := m.Stream(context.Background(), req, func(d chat.Delta) error {
			s := d.Text
			b.WriteString(s)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if b.String() != reply {
			t.Fatalf("Stream gave %q, Reply %q", b.String(), reply)
		}
	})
}
