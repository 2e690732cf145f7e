package ssetest

import (
	"bufio"
	"errors"
	"io"
	"strconv"
	"strings"
	"time"
)

// Event is one dispatched event.
type Event struct {
	Type  string // "message" unless an event field set it
	Data  string
	ID    string
	Retry int       // -1 when no valid retry field was seen
	At    time.Time // when the blank line that dispatched it was read
}

// Reader parses an event stream incrementally.
type Reader struct {
	br       *bufio.Reader
	started  bool
	lastID   string
	Comments []string // every comment line seen, without the colon
}

// NewReader reads events from r.
func NewReader(r io.Reader) *Reader { return &Reader{br: bufio.NewReader(r)} }

// Next returns the next event. At the end of the stream it returns io.EOF;
// a final event without its terminating blank line is discarded, as the
// specification requires.
func (r *Reader) Next() (Event, error) {
	var data strings.Builder
	hasData := false
	ev := Event{Type: "message", Retry: -1}
	for {
		line, err := r.line()
		if err != nil {
			return Event{}, err
		}
		if line == "" {
			if !hasData {
				ev = Event{Type: "message", Retry: -1}
				continue
			}
			ev.Data = strings.TrimSuffix(data.String(), "\n")
			ev.ID = r.lastID
			ev.At = time.Now()
			return ev, nil
		}
		if line[0] == ':' {
			r.Comments = append(r.Comments, strings.TrimPrefix(line[1:], " "))
			continue
		}
		field, value, _ := strings.Cut(line, ":")
		value = strings.TrimPrefix(value, " ")
		switch field {
		case "event":
			ev.Type = value
		case "data":
			data.WriteString(value)
			data.WriteByte('\n')
			hasData = true
		case "id":
			if !strings.ContainsRune(value, 0) {
				r.lastID = value
			}
		case "retry":
			if n, err := strconv.Atoi(value); err == nil && n >= 0 && strings.Trim(value, "0123456789") == "" {
				ev.Retry = n
			}
		}
	}
}

// All reads every event until the end of the stream.
func (r *Reader) All() ([]Event, error) {
	var evs []Event
	for {
		ev, err := r.Next()
		if errors.Is(err, io.EOF) {
			return evs, nil
		}
		if err != nil {
			return evs, err
		}
		evs = append(evs, ev)
	}
}

// line reads one line ended by CRLF, LF or CR, without its ending. A
// leading byte order mark is dropped.
func (r *Reader) line() (string, error) {
	var b strings.Builder
	for {
		c, err := r.br.ReadByte()
		if err != nil {
			if errors.Is(err, io.EOF) && b.Len() > 0 {
				// An unterminated last line is not a complete line.
				return "", io.ErrUnexpectedEOF
			}
			return "", err
		}
		switch c {
		case '\n':
			return r.bom(b.String()), nil
		case '\r':
			if next, err := r.br.Peek(1); err == nil && next[0] == '\n' {
				_, _ = r.br.ReadByte()
			}
			return r.bom(b.String()), nil
		}
		b.WriteByte(c)
	}
}

func (r *Reader) bom(s string) string {
	if !r.started {
		r.started = true
		s = strings.TrimPrefix(s, "\uFEFF")
	}
	return s
}
