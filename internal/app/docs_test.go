package app_test

import (
	"os"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/app"
)

// TestConfigurationDocs keeps docs/configuration.md and Load in step: the
// table lists exactly the variables Load reads.
func TestConfigurationDocs(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	read := map[string]bool{}
	record := func(name string) string {
		mu.Lock()
		defer mu.Unlock()
		read[name] = true
		return ""
	}
	// Both modes, so variables read only in one of them are seen.
	_, _ = app.Load(record, false)
	_, _ = app.Load(record, true)
	// Some variables are read only when another is set: set them all.
	full := func(name string) string {
		record(name)
		return map[string]string{"COGNITO_USER_POOL_ID": "eu-west-1_x", "AUTH_MODE": "jwt"}[name]
	}
	_, _ = app.Load(full, false)

	doc, err := os.ReadFile("../../docs/configuration.md")
	if err != nil {
		t.Fatal(err)
	}
	_, table, ok := strings.Cut(string(doc), "\n## Variables\n")
	if !ok {
		t.Fatal("docs/configuration.md has no ## Variables section")
	}
	if i := strings.Index(table, "\n## "); i >= 0 {
		table = table[:i]
	}
	row := regexp.MustCompile("(?m)^\\| `([A-Z0-9_]+)` \\|")
	var documented []string
	for _, m := range row.FindAllStringSubmatch(table, -1) {
		documented = append(documented, m[1])
	}
	for name := range read {
		if !slices.Contains(documented, name) {
			t.Errorf("Load reads %s, but docs/configuration.md does not list it", name)
		}
	}
	for _, name := range documented {
		if !read[name] {
			t.Errorf("docs/configuration.md lists %s, which Load never reads", name)
		}
	}
	if len(documented) != len(slices.Compact(slices.Sorted(slices.Values(documented)))) {
		t.Errorf("a variable is listed twice: %v", documented)
	}
}
