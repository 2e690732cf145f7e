package main

import (
	"log/slog"
	"strings"
	"testing"
	"time"
)

func TestLoadSettings(t *testing.T) {
	t.Parallel()
	getenv := func(env map[string]string) func(string) string {
		return func(k string) string { return env[k] }
	}
	s, err := loadSettings(getenv(nil))
	if err != nil {
		t.Fatalf("defaults: %v", err)
	}
	if s.addr != "127.0.0.1:8080" || s.maxBody != 256<<10 || s.maxTokens != 1024 || s.heartbeat != 10*time.Second ||
		s.deadlineMargin != 2*time.Second || s.webDir != "web/out" || s.wordDelay != 0 || s.logLevel != slog.LevelInfo {
		t.Errorf("defaults = %+v", s)
	}
	s, err = loadSettings(getenv(map[string]string{
		"CHATBOT_ADDR": " 127.0.0.1:9000 ", "CHATBOT_MAX_BODY_BYTES": "4096", "CHATBOT_MAX_TOKENS": "64",
		"CHATBOT_HEARTBEAT": "0", "DEADLINE_MARGIN": "500ms", "ELIZA_WORD_DELAY": "40ms", "LOG_LEVEL": "debug",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if s.addr != "127.0.0.1:9000" || s.maxBody != 4096 || s.maxTokens != 64 || s.heartbeat >= 0 ||
		s.deadlineMargin != 500*time.Millisecond || s.wordDelay != 40*time.Millisecond || s.logLevel != slog.LevelDebug {
		t.Errorf("settings = %+v", s)
	}
	for name, value := range map[string]string{
		"CHATBOT_MAX_BODY_BYTES": "lots", "CHATBOT_MAX_TOKENS": "0", "CHATBOT_HEARTBEAT": "10",
		"DEADLINE_MARGIN": "-1s", "ELIZA_WORD_DELAY": "soon", "LOG_LEVEL": "loud",
	} {
		_, err := loadSettings(getenv(map[string]string{name: value}))
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s=%q: error %v, want one naming the variable", name, value, err)
		}
	}
}
