package eliza

import (
	"strconv"
	"strings"
)

// TraceReplies replays a conversation like Reply and reports every event of
// every turn to fn: each rule, link and template used, each NONE and
// fallback reply, and each memory laid down or recalled.
func (m *Model) TraceReplies(userInputs []string, fn func(event string)) string {
	return m.replay(userInputs, fn)
}

// Events lists every event the script can produce, in the vocabulary of
// TraceReplies.
func (m *Model) Events() []string {
	var out []string
	for _, r := range m.s.rules {
		if r.link != nil {
			out = append(out, ruleEvent(r)+" link")
			continue
		}
		for i := range r.templates {
			out = append(out, ruleEvent(r)+" template "+strconv.Itoa(i))
		}
	}
	for i := range m.s.none {
		out = append(out, "none "+strconv.Itoa(i))
	}
	for i := range m.s.fillers {
		out = append(out, "fallback "+strconv.Itoa(i))
	}
	for i := range m.s.memForms {
		out = append(out, "memory "+strconv.Itoa(i))
	}
	return append(out, "memory recall")
}

// Hash and LastCell expose the memory hash.
var (
	Hash     = hash
	LastCell = lastCell
)

// Match matches space-separated text against a pattern without tags and
// returns the components, each joined with spaces.
func Match(pattern, text string) ([]string, bool) {
	pat, err := parsePattern(0, pattern)
	if err != nil {
		panic(err)
	}
	comps := make([][]string, len(pat))
	if !match(pat, strings.Fields(text), comps) {
		return nil, false
	}
	out := make([]string, len(comps))
	for i, c := range comps {
		out[i] = strings.Join(c, " ")
	}
	return out, true
}
