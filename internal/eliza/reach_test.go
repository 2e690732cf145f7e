package eliza_test

import (
	_ "embed"
	"slices"
	"strconv"
	"strings"
	"testing"
)

//go:embed testdata/reach.txt
var reachData string

// conversations parses testdata/reach.txt: blank lines separate
// conversations, "N* message" repeats a message N times.
func conversations(tb testing.TB, data string) [][]string {
	tb.Helper()
	var convs [][]string
	var cur []string
	flush := func() {
		if len(cur) > 0 {
			convs = append(convs, cur)
			cur = nil
		}
	}
	for _, line := range strings.Split(data, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			flush()
			continue
		case strings.HasPrefix(line, "#"):
			continue
		}
		n := 1
		if count, msg, ok := strings.Cut(line, "* "); ok {
			v, err := strconv.Atoi(count)
			if err == nil {
				n, line = v, msg
			}
		}
		for range n {
			cur = append(cur, line)
		}
	}
	flush()
	return convs
}

// TestEveryRuleReachable replays the conversations in testdata/reach.txt
// and checks that together they use every rule, link and template of the
// script, every NONE and fallback reply, every memory form and the recall.
func TestEveryRuleReachable(t *testing.T) {
	t.Parallel()
	m := newModel(t)
	seen := map[string]bool{}
	for _, conv := range conversations(t, reachData) {
		m.TraceReplies(conv, func(ev string) { seen[ev] = true })
	}
	want := m.Events()
	if len(want) < 100 {
		t.Fatalf("the script has only %d events; is it loaded?", len(want))
	}
	var missing []string
	for _, ev := range want {
		if !seen[ev] {
			missing = append(missing, ev)
		}
	}
	for ev := range seen {
		if !slices.Contains(want, ev) {
			t.Errorf("trace reported %q, which the script does not list", ev)
		}
	}
	if len(missing) > 0 {
		t.Errorf("%d of %d events never reached:\n%s", len(missing), len(want), strings.Join(missing, "\n"))
	}
}
