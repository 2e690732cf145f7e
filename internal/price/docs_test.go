package price_test

import (
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/price"
)

// TestDocsTableMatchesTheFile keeps the table in docs/costs.md the same as
// the built-in prices, row for row.
func TestDocsTableMatchesTheFile(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/costs.md")
	if err != nil {
		t.Fatal(err)
	}
	var lines []string
	for l := range strings.Lines(string(doc)) {
		if strings.HasPrefix(l, "| `") {
			lines = append(lines, strings.TrimSpace(l))
		}
	}
	rows := price.Default().Rows()
	want := map[string]bool{}
	for _, r := range rows {
		groups := strings.Join(r.Regions, ",")
		if groups == "" {
			groups = "all"
		}
		confirmed := "**no**"
		if r.Confirmed {
			confirmed = "yes"
		}
		want["| `"+r.Model+"` | "+r.Route+" | "+groups+" | "+num(r.Input)+" | "+num(r.Output)+" | "+
			num(r.CacheRead)+" | "+num(r.CacheWrite)+" | "+r.Date+" | "+confirmed+" |"] = true
	}
	for _, l := range lines {
		if !want[l] {
			t.Errorf("docs/costs.md row not in the table: %s", l)
		}
		delete(want, l)
	}
	for l := range want {
		t.Errorf("docs/costs.md lacks: %s", l)
	}
}

func num(v *float64) string {
	if v == nil {
		return "—"
	}
	return strconv.FormatFloat(*v, 'f', -1, 64)
}
