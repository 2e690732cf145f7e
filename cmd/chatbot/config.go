package main

import (
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// env reads typed settings from environment variables, collecting the
// first error so that a bad value names its variable.
type env struct {
	get func(string) string
	err error
}

func (e *env) str(name, def string) string {
	if v := strings.TrimSpace(e.get(name)); v != "" {
		return v
	}
	return def
}

func (e *env) duration(name string, def time.Duration) time.Duration {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err == nil && d < 0 {
		err = fmt.Errorf("must not be negative")
	}
	if err != nil {
		e.fail(name, v, "a duration such as 10s or 250ms", err)
		return def
	}
	return d
}

func (e *env) integer(name string, def, lo, hi int64) int64 {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err == nil && (n < lo || n > hi) {
		err = fmt.Errorf("out of range")
	}
	if err != nil {
		e.fail(name, v, fmt.Sprintf("a whole number from %d to %d", lo, hi), err)
		return def
	}
	return n
}

func (e *env) level(name string) slog.Level {
	var l slog.Level
	v := e.str(name, "info")
	if err := l.UnmarshalText([]byte(v)); err != nil {
		e.fail(name, v, "debug, info, warn or error", err)
	}
	return l
}

func (e *env) fail(name, value, want string, err error) {
	if e.err == nil {
		e.err = fmt.Errorf("%s=%q: want %s (%v)", name, value, want, err)
	}
}

// settings are the gateway's own variables; auth and bedrock read theirs.
type settings struct {
	addr           string
	maxBody        int64
	maxTokens      int
	heartbeat      time.Duration
	deadlineMargin time.Duration
	webDir         string
	wordDelay      time.Duration
	logLevel       slog.Level
}

func loadSettings(getenv func(string) string) (settings, error) {
	e := &env{get: getenv}
	s := settings{
		addr:           e.str("CHATBOT_ADDR", "127.0.0.1:8080"),
		maxBody:        e.integer("CHATBOT_MAX_BODY_BYTES", 256<<10, 1<<10, 6<<20),
		maxTokens:      int(e.integer("CHATBOT_MAX_TOKENS", 1024, 1, 1<<20)),
		heartbeat:      e.duration("CHATBOT_HEARTBEAT", 10*time.Second),
		deadlineMargin: e.duration("DEADLINE_MARGIN", 2*time.Second),
		webDir:         e.str("CHATBOT_WEB_DIR", "web/out"),
		wordDelay:      e.duration("ELIZA_WORD_DELAY", 0),
		logLevel:       e.level("LOG_LEVEL"),
	}
	if s.heartbeat == 0 {
		s.heartbeat = -1 // explicitly off
	}
	return s, e.err
}
