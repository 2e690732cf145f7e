package app

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"
)

// env reads typed values from environment variables in one grammar:
// durations are Go durations ("10s", "250ms"), booleans "true" or "false",
// lists comma-separated. It collects every problem, each naming its
// variable, so that one start-up reports them all.
type env struct {
	get  func(string) string
	errs []error
}

// str returns the trimmed value of name, or def when it is unset or blank.
func (e *env) str(name, def string) string {
	if v := strings.TrimSpace(e.get(name)); v != "" {
		return v
	}
	return def
}

// list returns the non-empty, trimmed items of a comma list.
func (e *env) list(name string) []string {
	var out []string
	for _, item := range strings.Split(e.get(name), ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}

func (e *env) boolean(name string, def bool) bool {
	switch v := e.str(name, ""); strings.ToLower(v) {
	case "":
		return def
	case "true":
		return true
	case "false":
		return false
	default:
		e.bad(name, v, "true or false", nil)
		return def
	}
}

// duration reads a Go duration of at least lo.
func (e *env) duration(name string, def, lo time.Duration) time.Duration {
	v := e.str(name, "")
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil {
		hint := ""
		if _, nerr := strconv.ParseFloat(v, 64); nerr == nil {
			hint = fmt.Sprintf(" (a bare number has no unit: write %ss)", v)
		}
		e.bad(name, v, "a duration such as 10s or 250ms"+hint, nil)
		return def
	}
	if d < lo {
		e.bad(name, v, "a duration of at least "+lo.String(), nil)
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
	if err != nil || n < lo || n > hi {
		e.bad(name, v, fmt.Sprintf("a whole number from %d to %d", lo, hi), nil)
		return def
	}
	return n
}

func (e *env) level(name string) slog.Level {
	var l slog.Level
	v := e.str(name, "info")
	if err := l.UnmarshalText([]byte(v)); err != nil {
		e.bad(name, v, "debug, info, warn or error", nil)
		return slog.LevelInfo
	}
	return l
}

// bad records a value that does not parse. The value is quoted, so never
// call it for secrets: use fail.
func (e *env) bad(name, value, want string, err error) {
	msg := fmt.Sprintf("%s=%q: want %s", name, value, want)
	if err != nil {
		msg += ": " + err.Error()
	}
	e.errs = append(e.errs, errors.New(msg))
}

// fail records a problem with name's value, described by err.
func (e *env) fail(name string, err error) {
	if err != nil {
		e.errs = append(e.errs, fmt.Errorf("%s: %w", name, err))
	}
}

func (e *env) err() error { return errors.Join(e.errs...) }
