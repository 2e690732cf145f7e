package eliza

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// block is the kind of entry the parser is inside.
type block uint8

const (
	blockTop      block = iota
	blockKey            // after "key"
	blockMemory         // after "memory"
	blockNone           // after "none"
	blockFallback       // after "fallback"
)

// parser turns script text into a script, one line at a time. Names that
// may be defined later in the file (link targets, tags) are resolved by
// finish.
type parser struct {
	s       *script
	block   block
	key     *keyword // current keyword entry
	rule    *rule    // current decomposition rule; nil before "match"
	memLine int
	memName string
	memPats []int // line of each memory form, for errors
	seen    map[string]int
	keys    []*keyword // keyword entries in script order
}

// parseScript compiles script text. Every problem is an error wrapping
// ErrScript that names the offending line.
func parseScript(src []byte) (*script, error) {
	p := &parser{
		s: &script{
			subs:     map[string]string{},
			tags:     map[string][]string{},
			keywords: map[string]*keyword{},
		},
		seen: map[string]int{},
	}
	for i, raw := range strings.Split(string(src), "\n") {
		n := i + 1
		line := strings.TrimSpace(raw)
		if line == "" || line[0] == '#' {
			continue
		}
		if !utf8.ValidString(line) {
			return nil, scriptError(n, "invalid UTF-8")
		}
		dir, rest := line, ""
		if i := strings.IndexAny(line, " \t"); i >= 0 {
			dir, rest = line[:i], line[i+1:]
		}
		if err := p.directive(n, dir, strings.TrimSpace(rest)); err != nil {
			return nil, err
		}
	}
	return p.finish()
}

// directive handles one non-comment line.
func (p *parser) directive(n int, dir, rest string) error {
	switch dir {
	case "greeting", "sub", "swap", "tag", "key", "memory", "none", "fallback":
		p.block, p.key, p.rule = blockTop, nil, nil
		if dir == "memory" || dir == "none" || dir == "fallback" {
			if prev, ok := p.seen[dir]; ok {
				return scriptError(n, "second %q entry (first on line %d)", dir, prev)
			}
			p.seen[dir] = n
		}
	}
	switch dir {
	case "greeting":
		if rest == "" {
			return scriptError(n, "empty greeting")
		}
		p.s.greetings = append(p.s.greetings, strings.Join(strings.Fields(rest), " "))
		return nil
	case "sub", "swap":
		f := strings.Fields(strings.ToLower(rest))
		if len(f) != 2 {
			return scriptError(n, "%s needs exactly two words", dir)
		}
		if err := p.addSub(n, f[0], f[1]); err != nil {
			return err
		}
		if dir == "swap" {
			return p.addSub(n, f[1], f[0])
		}
		return nil
	case "tag":
		f := strings.Fields(strings.ToLower(rest))
		if len(f) < 2 {
			return scriptError(n, "tag needs a name and at least one word")
		}
		if _, dup := p.s.tags[f[0]]; dup {
			return scriptError(n, "tag %q defined twice", f[0])
		}
		p.s.tags[f[0]] = f[1:]
		return nil
	case "key":
		return p.keyEntry(n, rest)
	case "link", "match", "goto", "pre", "newkey":
		return p.ruleLine(n, dir, rest)
	case "say":
		return p.say(n, rest)
	case "memory":
		f := strings.Fields(strings.ToLower(rest))
		if len(f) != 1 {
			return scriptError(n, "memory needs exactly one keyword")
		}
		p.block, p.memLine, p.memName = blockMemory, n, f[0]
		return nil
	case "remember":
		return p.remember(n, rest)
	case "none", "fallback":
		if rest != "" {
			return scriptError(n, "%s takes no arguments", dir)
		}
		p.block = blockNone
		if dir == "fallback" {
			p.block = blockFallback
		}
		return nil
	}
	return scriptError(n, "unknown directive %q", dir)
}

func (p *parser) addSub(n int, from, to string) error {
	if _, dup := p.s.subs[from]; dup {
		return scriptError(n, "second substitution for %q", from)
	}
	if !isWord(from) || !isWord(to) {
		return scriptError(n, "substitution %q → %q is not between input words", from, to)
	}
	p.s.subs[from] = to
	return nil
}

func (p *parser) keyEntry(n int, rest string) error {
	f := strings.Fields(strings.ToLower(rest))
	if len(f) < 1 || len(f) > 2 {
		return scriptError(n, "key needs a word and an optional rank")
	}
	name := f[0]
	if !isWord(name) && !(strings.HasPrefix(name, "@") && isWord(name[1:])) {
		return scriptError(n, "keyword %q is not a word or an @group", name)
	}
	if prev, dup := p.s.keywords[name]; dup {
		return scriptError(n, "keyword %q defined twice (first on line %d)", name, prev.line)
	}
	k := &keyword{name: name, line: n}
	if len(f) == 2 {
		r, err := strconv.Atoi(f[1])
		if err != nil || r < 0 || r > 1000 {
			return scriptError(n, "rank %q is not a number from 0 to 1000", f[1])
		}
		k.rank = r
	}
	p.s.keywords[name] = k
	p.keys = append(p.keys, k)
	p.block, p.key, p.rule = blockKey, k, nil
	return nil
}

// ruleLine handles the lines that belong inside a keyword entry.
func (p *parser) ruleLine(n int, dir, rest string) error {
	if p.block != blockKey {
		return scriptError(n, "%s outside a key entry", dir)
	}
	k := p.key
	switch dir {
	case "link", "match":
		r := &rule{id: len(p.s.rules), key: k, index: len(k.rules), line: n}
		if dir == "link" {
			f := strings.Fields(strings.ToLower(rest))
			if len(f) != 1 {
				return scriptError(n, "link needs exactly one keyword")
			}
			r.linkName = f[0]
			p.rule = nil
		} else {
			pat, err := parsePattern(n, rest)
			if err != nil {
				return err
			}
			r.pattern = pat
			p.rule = r
		}
		k.rules = append(k.rules, r)
		p.s.rules = append(p.s.rules, r)
		return nil
	}
	if p.rule == nil {
		return scriptError(n, "%s before any match line", dir)
	}
	t := &template{line: n, rule: p.rule, index: len(p.rule.templates)}
	switch dir {
	case "goto":
		f := strings.Fields(strings.ToLower(rest))
		if len(f) != 1 {
			return scriptError(n, "goto needs exactly one keyword")
		}
		t.kind, t.name = tplGoto, f[0]
	case "pre":
		target, tpl, _ := strings.Cut(rest, " ")
		pieces, err := parseTemplate(n, tpl, len(p.rule.pattern))
		if err != nil {
			return err
		}
		for i := range pieces {
			if pieces[i].comp == 0 {
				w := strings.ToLower(pieces[i].word)
				if !isWord(w) {
					return scriptError(n, "pre word %q is not an input word", pieces[i].word)
				}
				pieces[i].word = w
			}
			pieces[i].punct = ""
		}
		t.kind, t.name, t.pieces = tplPre, strings.ToLower(target), pieces
	case "newkey":
		if rest != "" {
			return scriptError(n, "newkey takes no arguments")
		}
		t.kind = tplNewKey
	}
	p.rule.templates = append(p.rule.templates, t)
	return nil
}

// say adds a reply template to the current rule, NONE or the fillers.
func (p *parser) say(n int, rest string) error {
	ncomp := 0
	switch {
	case p.block == blockKey && p.rule != nil:
		ncomp = len(p.rule.pattern)
	case p.block == blockNone, p.block == blockFallback:
	default:
		return scriptError(n, "say outside a match, none or fallback entry")
	}
	pieces, err := parseReply(n, rest, ncomp)
	if err != nil {
		return err
	}
	switch p.block {
	case blockNone:
		p.s.none = append(p.s.none, pieces)
	case blockFallback:
		p.s.fillers = append(p.s.fillers, pieces)
	default:
		p.rule.templates = append(p.rule.templates, &template{
			kind: tplSay, pieces: pieces, line: n, rule: p.rule, index: len(p.rule.templates),
		})
	}
	return nil
}

func (p *parser) remember(n int, rest string) error {
	if p.block != blockMemory {
		return scriptError(n, "remember outside the memory entry")
	}
	pat, tpl, ok := strings.Cut(rest, "=>")
	if !ok {
		return scriptError(n, "remember needs PATTERN => TEMPLATE")
	}
	elems, err := parsePattern(n, pat)
	if err != nil {
		return err
	}
	pieces, err := parseReply(n, tpl, len(elems))
	if err != nil {
		return err
	}
	p.s.memForms = append(p.s.memForms, memForm{pattern: elems, pieces: pieces})
	p.memPats = append(p.memPats, n)
	return nil
}

// parseReply parses a template that becomes a reply: it must say at least
// one word of its own, so a reply is never empty whatever the input.
func parseReply(n int, src string, ncomp int) ([]piece, error) {
	pieces, err := parseTemplate(n, src, ncomp)
	if err != nil {
		return nil, err
	}
	for _, pc := range pieces {
		if pc.comp == 0 {
			return pieces, nil
		}
	}
	return nil, scriptError(n, "template %q has no words of its own", src)
}

// parseTemplate parses words and component numbers. A component number may
// carry punctuation ("3?"), which is written after the component's words.
func parseTemplate(n int, src string, ncomp int) ([]piece, error) {
	f := strings.Fields(src)
	if len(f) == 0 {
		return nil, scriptError(n, "empty template")
	}
	pieces := make([]piece, 0, len(f))
	for _, w := range f {
		digits := len(w) - len(strings.TrimLeft(w, "0123456789"))
		if digits == 0 || strings.Trim(w[digits:], ".,?!;:") != "" {
			pieces = append(pieces, piece{word: w})
			continue
		}
		c, err := strconv.Atoi(w[:digits])
		if err != nil || c < 1 || c > ncomp {
			return nil, scriptError(n, "component %s out of range: the pattern has %d", w[:digits], ncomp)
		}
		pieces = append(pieces, piece{comp: c, punct: w[digits:]})
	}
	return pieces, nil
}

// parsePattern parses a decomposition pattern: 0, n, words, (*a b) and
// (/tag). Tags are resolved later, when every tag is known.
func parsePattern(n int, src string) ([]elem, error) {
	var out []elem
	s := strings.TrimSpace(src)
	for s != "" {
		if s[0] == '(' {
			end := strings.IndexByte(s, ')')
			if end < 0 {
				return nil, scriptError(n, "unclosed ( in pattern")
			}
			inner := strings.TrimSpace(s[1:end])
			s = strings.TrimSpace(s[end+1:])
			if inner == "" || (inner[0] != '*' && inner[0] != '/') {
				return nil, scriptError(n, "a group must be (*words) or (/tags)")
			}
			words := strings.Fields(strings.ToLower(inner[1:]))
			if len(words) == 0 {
				return nil, scriptError(n, "empty group in pattern")
			}
			e := elem{kind: elemSet, words: map[string]struct{}{}}
			for _, w := range words {
				if strings.ContainsAny(w, "()") {
					return nil, scriptError(n, "nested group in pattern")
				}
				if inner[0] == '/' {
					w = "/" + w // a tag, resolved by finish
				} else if !isWord(w) {
					return nil, scriptError(n, "pattern word %q can never match input", w)
				}
				e.words[w] = struct{}{}
			}
			out = append(out, e)
			continue
		}
		tok := s
		if i := strings.IndexAny(s, " \t()"); i >= 0 {
			tok, s = s[:i], strings.TrimSpace(s[i:])
		} else {
			s = ""
		}
		if tok == ")" || tok == "" {
			return nil, scriptError(n, "unbalanced ) in pattern")
		}
		if strings.Trim(tok, "0123456789") == "" {
			v, err := strconv.Atoi(tok)
			if err != nil || v > 100 {
				return nil, scriptError(n, "word count %q is out of range", tok)
			}
			if v == 0 {
				out = append(out, elem{kind: elemAny})
			} else {
				out = append(out, elem{kind: elemCount, n: v})
			}
			continue
		}
		w := strings.ToLower(tok)
		if !isWord(w) {
			return nil, scriptError(n, "pattern word %q can never match input", tok)
		}
		out = append(out, elem{kind: elemWord, word: w})
	}
	if len(out) == 0 {
		return nil, scriptError(n, "empty pattern")
	}
	return out, nil
}
