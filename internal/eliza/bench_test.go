package eliza_test

import (
	"strings"
	"testing"
)

// BenchmarkReply replays a 200-message conversation, as a request with a
// long history does.
func BenchmarkReply(b *testing.B) {
	m := newModel(b)
	var conv []string
	for _, c := range conversations(b, reachData) {
		conv = append(conv, c...)
	}
	for len(conv) < 200 {
		conv = append(conv, conv...)
	}
	conv = conv[:200]
	b.ReportAllocs()
	for b.Loop() {
		m.Reply(conv)
	}
}

// BenchmarkReplyLongMessage answers one message as large as a request body
// may be, full of keywords.
func BenchmarkReplyLongMessage(b *testing.B) {
	m := newModel(b)
	msg := strings.Repeat("my mother and I think you are like everybody, ", 5000)
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	for b.Loop() {
		m.Reply([]string{msg})
	}
}
