package eliza

import (
	"strings"
	"unicode"
)

// finish resolves the names a script may use before defining them (link
// targets, tags) and checks the script as a whole.
func (p *parser) finish() (*script, error) {
	s := p.s
	if len(s.greetings) == 0 {
		return nil, scriptError(0, "no greeting")
	}
	for _, r := range s.rules {
		if err := p.resolveTags(r.line, r.pattern); err != nil {
			return nil, err
		}
	}
	for i, f := range s.memForms {
		if err := p.resolveTags(p.memPats[i], f.pattern); err != nil {
			return nil, err
		}
	}
	for _, k := range p.keys {
		if err := p.checkKeyword(k); err != nil {
			return nil, err
		}
	}
	if p.memName == "" {
		return nil, scriptError(0, "no memory entry")
	}
	if s.memKey = s.keywords[p.memName]; s.memKey == nil {
		return nil, scriptError(p.memLine, "memory keyword %q has no key entry", p.memName)
	}
	if len(s.memForms) != numMemForms {
		return nil, scriptError(p.memLine, "memory needs exactly %d remember lines, has %d", numMemForms, len(s.memForms))
	}
	if len(s.none) == 0 {
		return nil, scriptError(p.seen["none"], "no none entry, or it has no say lines")
	}
	if len(s.fillers) != numFillers {
		return nil, scriptError(p.seen["fallback"], "fallback needs exactly %d say lines, has %d", numFillers, len(s.fillers))
	}
	for _, k := range p.keys {
		if err := checkLinkCycle(k); err != nil {
			return nil, err
		}
	}
	for _, r := range s.rules {
		s.maxPattern = max(s.maxPattern, len(r.pattern))
	}
	for _, f := range s.memForms {
		s.maxPattern = max(s.maxPattern, len(f.pattern))
	}
	return s, nil
}

// resolveTags replaces the "/tag" members of each (/…) group with the
// words that carry the tag.
func (p *parser) resolveTags(line int, pat []elem) error {
	for _, e := range pat {
		if e.kind != elemSet {
			continue
		}
		for w := range e.words {
			name, isTag := strings.CutPrefix(w, "/")
			if !isTag {
				continue
			}
			words, ok := p.s.tags[name]
			if !ok {
				return scriptError(line, "unknown tag %q", name)
			}
			delete(e.words, w)
			for _, tw := range words {
				e.words[tw] = struct{}{}
			}
		}
	}
	return nil
}

// checkKeyword resolves a keyword's links and checks that each of its rules
// can be reached and can answer.
func (p *parser) checkKeyword(k *keyword) error {
	if len(k.rules) == 0 {
		return scriptError(k.line, "keyword %q has no match or link lines", k.name)
	}
	for i, r := range k.rules {
		if i > 0 {
			prev := k.rules[i-1]
			if prev.link != nil || prev.linkName != "" || matchesAll(prev.pattern) {
				return scriptError(r.line, "rule can never be reached: the rule on line %d takes every input", prev.line)
			}
		}
		if r.linkName != "" {
			t, err := p.target(r.line, r.linkName)
			if err != nil {
				return err
			}
			r.link = t
			continue
		}
		if len(r.templates) == 0 {
			return scriptError(r.line, "match has no templates")
		}
		for _, t := range r.templates {
			if t.kind == tplGoto || t.kind == tplPre {
				tk, err := p.target(t.line, t.name)
				if err != nil {
					return err
				}
				t.target = tk
			}
		}
	}
	return nil
}

func (p *parser) target(line int, name string) (*keyword, error) {
	k, ok := p.s.keywords[name]
	if !ok {
		return nil, scriptError(line, "unknown link target %q", name)
	}
	return k, nil
}

// matchesAll reports whether a pattern matches every text: a lone 0.
func matchesAll(pat []elem) bool {
	return len(pat) == 1 && pat[0].kind == elemAny
}

// checkLinkCycle rejects keywords whose first rule links, directly or
// through other links, back to themselves: they could never answer.
func checkLinkCycle(k *keyword) error {
	seen := map[*keyword]bool{}
	for cur := k; cur.rules[0].link != nil; cur = cur.rules[0].link {
		if seen[cur] {
			return scriptError(k.line, "keyword %q links to itself through %q", k.name, cur.name)
		}
		seen[cur] = true
	}
	return nil
}

// isWord reports whether s could be a word of tokenised input: non-empty,
// made of letters, digits, marks, apostrophes and inner hyphens.
func isWord(s string) bool {
	if s == "" || s[0] == '-' || s[len(s)-1] == '-' || s[0] == '\'' || s[len(s)-1] == '\'' {
		return false
	}
	for _, r := range s {
		if r != '\'' && r != '-' && !isLetterOrDigit(r) {
			return false
		}
		if unicode.IsUpper(r) {
			return false
		}
	}
	return true
}

func isLetterOrDigit(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}
