package eliza

import (
	"unicode"
	"unicode/utf8"
)

// token is one unit of tokenised input: a word or a clause delimiter.
type token struct {
	word  string
	delim bool
}

// span is where a word lies in the tokenizer's buffer; -1 for a delimiter.
type span struct{ start, end int }

// tokenizer holds buffers that one session reuses from message to message.
type tokenizer struct {
	buf   []byte
	spans []span
	toks  []token
}

// tokenize splits s into lower-case words and delimiters.
//
// Letters, digits and combining marks make words; an apostrophe (straight
// or curly) or a hyphen inside a word belongs to it. The characters
// . , ? ! ; : … and dashes (a free-standing hyphen, – or —) are clause
// delimiters. Everything else separates words and is dropped. Invalid UTF-8
// counts as a separator, so every word is valid UTF-8.
//
// Tokens are appended to tz.toks, which is reset first.
func (tz *tokenizer) tokenize(s string) []token {
	// The words are written one after another into one buffer, which
	// becomes one string; each word token is a slice of it.
	buf, spans, out := tz.buf[:0], tz.spans[:0], tz.toks[:0]
	start := 0 // where the current word began in buf
	defer func() { tz.buf, tz.spans, tz.toks = buf, spans, out }()
	flush := func() {
		word := buf[start:]
		b, e := 0, len(word)
		for b < e && (word[b] == '\'' || word[b] == '-') {
			b++
		}
		for e > b && (word[e-1] == '\'' || word[e-1] == '-') {
			e--
		}
		switch {
		case b < e:
			spans = append(spans, span{start + b, start + e})
			out = append(out, token{})
			start = len(buf)
			return
		case isDashRun(word):
			spans = append(spans, span{-1, -1})
			out = append(out, token{delim: true})
		}
		buf = buf[:start]
	}
	for _, r := range s {
		switch {
		case isLetterOrDigit(r):
			buf = utf8.AppendRune(buf, unicode.ToLower(r))
		case r == '\'' || r == '\u2019' || r == '\u2018':
			buf = append(buf, '\'')
		case r == '-':
			buf = append(buf, '-')
		case isDelimiter(r):
			flush()
			spans = append(spans, span{-1, -1})
			out = append(out, token{delim: true})
		default:
			flush()
		}
	}
	flush()
	words := string(buf)
	for i, sp := range spans {
		if sp.start >= 0 {
			out[i].word = words[sp.start:sp.end]
		}
	}
	return out
}

func isDashRun(b []byte) bool {
	if len(b) == 0 {
		return false
	}
	for _, c := range b {
		if c != '-' {
			return false
		}
	}
	return true
}

func isDelimiter(r rune) bool {
	switch r {
	case '.', ',', '?', '!', ';', ':', '\u2026', '\u2013', '\u2014':
		return true
	}
	return false
}

// match matches text against a decomposition pattern the way ELIZA's
// YMATCH does, segment by segment with no backtracking.
//
// A pattern is cut into segments, each an optional 0 followed by the fixed
// elements up to the next 0. A segment without a 0 must match right where
// the previous one ended. A 0 in the last segment takes exactly the words
// that leave room for the fixed elements at the very end of the text. Any
// other 0 takes as few words as possible: the first position where its
// segment's fixed elements match. The whole text must be consumed.
//
// Every segment after the first starts with a 0, so the leftmost position
// is never a wrong choice: a backtracking matcher whose 0s take as few words
// as possible accepts the same texts with the same components, except that
// of two adjacent 0s the first always takes nothing.
//
// On success comps[i] holds the words of element i (sub-slices of text);
// comps must have room for len(pat) components.
func match(pat []elem, text []string, comps [][]string) bool {
	pos := 0
	for i := 0; i < len(pat); {
		hasAny := pat[i].kind == elemAny
		first := i
		if hasAny {
			first++
		}
		end, width := first, 0
		for end < len(pat) && pat[end].fixed() {
			width += pat[end].width()
			end++
		}
		last := end == len(pat)
		if len(text)-pos < width {
			return false
		}
		switch {
		case !hasAny:
			if !matchFixed(pat[first:end], text, pos, comps[first:end]) {
				return false
			}
		case last:
			skip := len(text) - pos - width
			comps[i] = text[pos : pos+skip]
			pos += skip
			if !matchFixed(pat[first:end], text, pos, comps[first:end]) {
				return false
			}
		default:
			skip := 0
			for !matchFixed(pat[first:end], text, pos+skip, comps[first:end]) {
				skip++
				if pos+skip+width > len(text) {
					return false
				}
			}
			comps[i] = text[pos : pos+skip]
			pos += skip
		}
		pos += width
		i = end
	}
	return pos == len(text)
}

// matchFixed matches fixed-width elements at text[pos:], which has room
// for them, and records their components.
func matchFixed(pat []elem, text []string, pos int, comps [][]string) bool {
	for i := range pat {
		e := &pat[i]
		w := e.width()
		switch e.kind {
		case elemWord:
			if text[pos] != e.word {
				return false
			}
		case elemSet:
			if _, ok := e.words[text[pos]]; !ok {
				return false
			}
		}
		comps[i] = text[pos : pos+w]
		pos += w
	}
	return true
}
