package docs_test

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
)

// retiredModels are Bedrock model ids past their end of life in most
// Regions (AWS's model lifecycle page and model cards). A retired model
// answers every call with ResourceNotFoundException, so a deployment that
// follows a recommendation naming one answers nothing but errors. The
// cards with an end-of-life date are added to these.
var retiredModels = []string{
	"anthropic.claude-3-5-haiku-20241022-v1:0", // 2026-06-19
	"anthropic.claude-3-haiku-20240307-v1:0",   // 2026-09-10 in most Regions
	"anthropic.claude-3-sonnet-20240229-v1:0",
	"anthropic.claude-v2:1",
	"anthropic.claude-v2",
	"anthropic.claude-instant-v1",
}

// recommending says whether a file recommends model ids: the README, the
// docs, the Terraform module's variables and examples, the chat page's
// source, the scripts and make files. Tests may name retired ids (they
// play them).
func recommending(rel string) bool {
	switch {
	case strings.HasSuffix(rel, "_test.go"), strings.Contains(rel, "/testdata/"), strings.Contains(rel, "node_modules"),
		strings.HasPrefix(rel, "terraform/tests/"), strings.HasPrefix(rel, "web/test/"), strings.HasPrefix(rel, "web/e2e/"):
		return false
	case rel == "README.md", strings.HasPrefix(rel, "docs/") && strings.HasSuffix(rel, ".md"),
		strings.HasPrefix(rel, "terraform/") && (strings.HasSuffix(rel, ".tf") || strings.Contains(rel, ".tfvars")),
		strings.HasPrefix(rel, "web/src/"), strings.HasPrefix(rel, "scripts/"), strings.HasPrefix(rel, "mk/"), rel == "Makefile",
		strings.HasPrefix(rel, "cmd/fakebedrock/"),
		// Go source suggests ids in its messages; the model cards list
		// retired models on purpose.
		strings.HasSuffix(rel, ".go") && !strings.HasSuffix(rel, "_test.go") && rel != "internal/bedrock/cards.go":
		return true
	}
	return false
}

// TestNoRetiredModelRecommended fails when a place that recommends model
// ids names a retired one. The model table of docs/models.md lists them
// with their end-of-life dates, and docs/costs.md's price table with their
// prices: neither is a recommendation.
func TestNoRetiredModelRecommended(t *testing.T) {
	t.Parallel()
	retired := append([]string(nil), retiredModels...)
	for _, c := range bedrock.Cards() {
		if c.EndOfLife != "" {
			retired = append(retired, c.ID)
		}
	}
	found := 0
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, path)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if name := d.Name(); name == ".git" || name == "node_modules" || name == ".next" || name == "out" {
				return filepath.SkipDir
			}
			return nil
		}
		if !recommending(rel) {
			return nil
		}
		found++
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		text := string(b)
		switch rel {
		case "docs/models.md":
			text = withoutModelTable(text)
		case "docs/costs.md":
			// The price table lists what a model costs while it is
			// served, which is no recommendation.
			text = withoutTableRows(text)
		}
		for i, line := range strings.Split(text, "\n") {
			for _, id := range retired {
				if strings.Contains(line, id) {
					t.Errorf("%s:%d names %s, which Bedrock has retired: recommend a current model", rel, i+1, id)
				}
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found < 10 {
		t.Fatalf("only %d recommending files found: the walk is broken", found)
	}
}

// withoutModelTable drops the rows of the ## Model table section.
func withoutModelTable(doc string) string {
	before, rest, ok := strings.Cut(doc, "\n## Model table\n")
	if !ok {
		return doc
	}
	return before + withoutTableRows(rest)
}

// withoutTableRows drops the rows of every table that name a model.
func withoutTableRows(doc string) string {
	var kept []string
	for _, line := range strings.Split(doc, "\n") {
		if !strings.HasPrefix(line, "| `") {
			kept = append(kept, line)
		}
	}
	return strings.Join(kept, "\n")
}
