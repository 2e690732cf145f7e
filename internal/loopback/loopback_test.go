package loopback_test

import (
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/loopback"
)

func TestHost(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		host string
		want bool
	}{
		{host: "localhost", want: true},
		{host: "LocalHost", want: true},
		{host: "127.0.0.1", want: true},
		{host: "127.8.9.10", want: true},
		{host: "::1", want: true},
		{host: "[::1]", want: true},
		{host: "localhost.example.com"},
		{host: "10.0.0.1"},
		{host: "example.com"},
		{host: ""},
	} {
		if got := loopback.Host(tt.host); got != tt.want {
			t.Errorf("Host(%q) = %v, want %v", tt.host, got, tt.want)
		}
	}
}
