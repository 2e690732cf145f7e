package eliza

import "strconv"

// maxSteps bounds the links, gotos, PREs and NEWKEYs one turn may follow,
// so a script whose links go round in circles still answers.
const maxSteps = 64

// session is the whole state of one conversation: the LIMIT counter, one
// reassembly cursor per decomposition rule, the NONE cursor and the memory
// queue. A session is built from scratch for every Reply and replays the
// conversation's user messages, so no state outlives a call.
type session struct {
	s       *script
	limit   int
	cursors []int // next template of each rule, indexed by rule.id
	none    int   // next NONE template
	memory  []string
	memHead int // memory[memHead:] is the queue, oldest first

	trace func(event string) // nil except in tests

	// quiet skips building replies that nobody will read: those to every
	// message but the last. State changes (cursors, memories) still happen.
	quiet bool

	// Scratch space reused from turn to turn.
	tz    tokenizer
	toks  []token
	text  []string
	stack keystack
	comps [][]string
}

func newSession(s *script) *session {
	return &session{
		s:       s,
		limit:   1,
		cursors: make([]int, len(s.rules)),
		comps:   make([][]string, s.maxPattern),
	}
}

// report reports an event to the test trace. Callers build event strings only
// when tracing, so replay allocates nothing for it.
func (ss *session) report(event string) {
	ss.trace(event)
}

func (ss *session) tracing() bool { return ss.trace != nil }

// turn answers one user message and updates the session's state.
func (ss *session) turn(input string) string {
	ss.limit = ss.limit%4 + 1
	ss.toks = ss.tz.tokenize(input)
	ss.scan()
	if ss.stack.empty() {
		if ss.limit == 4 && ss.memHead < len(ss.memory) {
			m := ss.memory[ss.memHead]
			ss.memHead++
			if ss.tracing() {
				ss.report("memory recall")
			}
			return m
		}
		return ss.noneReply()
	}
	return ss.transform()
}

// scan reads the tokens left to right, substituting words and building the
// keystack, and leaves in ss.text the first clause that holds a keyword (or
// the last clause, if none does).
func (ss *session) scan() {
	text := ss.text[:0]
	stack := &ss.stack
	stack.reset()
	best := 0
	for _, t := range ss.toks {
		if t.delim || t.word == "but" {
			if stack.empty() {
				text = text[:0]
				continue
			}
			break
		}
		if k := ss.s.keywords[t.word]; k != nil {
			if k.rank > best {
				stack.pushTop(k)
				best = k.rank
			} else {
				stack.pushBottom(k)
			}
		}
		w := t.word
		if sub, ok := ss.s.subs[w]; ok {
			w = sub
		}
		text = append(text, w)
	}
	ss.text = text
}

// pop takes the keystack's top keyword. Popping the MEMORY keyword lays
// down a memory of the current text first.
func (ss *session) pop(text []string) *keyword {
	k := ss.stack.pop()
	if k == ss.s.memKey {
		ss.remember(text)
	}
	return k
}

// transform applies the keystack's keywords to the text until a template
// yields a reply.
func (ss *session) transform() string {
	text := ss.text
	k := ss.pop(text)
	for range maxSteps {
		r := ss.decompose(k, text)
		if r == nil {
			return ss.filler()
		}
		if r.link != nil {
			if ss.tracing() {
				ss.report(ruleEvent(r) + " link")
			}
			k = r.link
			continue
		}
		t := r.templates[ss.cursors[r.id]]
		ss.cursors[r.id] = (t.index + 1) % len(r.templates)
		if ss.tracing() {
			ss.report(ruleEvent(r) + " template " + strconv.Itoa(t.index))
		}
		comps := ss.comps[:len(r.pattern)]
		switch t.kind {
		case tplSay:
			if ss.quiet {
				return ""
			}
			return render(t.pieces, comps)
		case tplGoto:
			k = t.target
		case tplPre:
			text = reassemble(t.pieces, comps)
			k = t.target
		case tplNewKey:
			if ss.stack.empty() {
				return ss.noneReply()
			}
			k = ss.pop(text)
		}
	}
	return ss.filler()
}

// decompose returns k's first rule that matches text, with its components
// in ss.comps, or nil. A link rule matches whatever the text.
func (ss *session) decompose(k *keyword, text []string) *rule {
	for _, r := range k.rules {
		if r.link != nil || match(r.pattern, text, ss.comps[:len(r.pattern)]) {
			return r
		}
	}
	return nil
}

// remember transforms the text with the memory form that HASH picks from
// its last word and queues the result.
func (ss *session) remember(text []string) {
	if len(text) == 0 {
		return
	}
	i := hash(lastCell(text[len(text)-1]), 2)
	f := ss.s.memForms[i]
	comps := ss.comps[:len(f.pattern)]
	if !match(f.pattern, text, comps) {
		return
	}
	ss.memory = append(ss.memory, render(f.pieces, comps))
	if ss.tracing() {
		ss.report("memory " + strconv.Itoa(i))
	}
}

// noneReply answers from the NONE list, which cycles like any rule.
func (ss *session) noneReply() string {
	i := ss.none
	ss.none = (i + 1) % len(ss.s.none)
	if ss.tracing() {
		ss.report("none " + strconv.Itoa(i))
	}
	if ss.quiet {
		return ""
	}
	return render(ss.s.none[i], nil)
}

// filler answers when a keyword's rules all fail to match: one filler per
// LIMIT value.
func (ss *session) filler() string {
	if ss.tracing() {
		ss.report("fallback " + strconv.Itoa(ss.limit-1))
	}
	if ss.quiet {
		return ""
	}
	return render(ss.s.fillers[ss.limit-1], nil)
}

func ruleEvent(r *rule) string {
	return "key " + r.key.name + " rule " + strconv.Itoa(r.index)
}

// reassemble builds the new text of a PRE template.
func reassemble(pieces []piece, comps [][]string) []string {
	var out []string
	for _, p := range pieces {
		if p.comp == 0 {
			out = append(out, p.word)
			continue
		}
		out = append(out, comps[p.comp-1]...)
	}
	return out
}

// keystack is ELIZA's keystack: keywords go on top or at the bottom. It
// keeps the two ends apart so both pushes are cheap on long input.
type keystack struct {
	top    []*keyword // pushed on top; the last one is the top
	bottom []*keyword // pushed at the bottom; the first one is nearest the top
	head   int        // bottom[head:] are still on the stack
}

func (s *keystack) reset() {
	s.top, s.bottom, s.head = s.top[:0], s.bottom[:0], 0
}

func (s *keystack) empty() bool { return len(s.top) == 0 && s.head == len(s.bottom) }

func (s *keystack) pushTop(k *keyword) { s.top = append(s.top, k) }

func (s *keystack) pushBottom(k *keyword) { s.bottom = append(s.bottom, k) }

// pop removes the top keyword; the keystack must not be empty.
func (s *keystack) pop() *keyword {
	if n := len(s.top); n > 0 {
		k := s.top[n-1]
		s.top = s.top[:n-1]
		return k
	}
	k := s.bottom[s.head]
	s.head++
	return k
}
