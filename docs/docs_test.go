package docs_test

import (
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode"
)

// root is the repository root, seen from this package's directory.
const root = ".."

// maxReadme is the README's size budget: it is the front door, and the rest
// belongs in docs/.
const maxReadme = 12 * 1024

func TestReadmeIsShort(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join(root, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	if len(b) > maxReadme {
		t.Errorf("README.md is %d bytes, want at most %d: move detail into docs/", len(b), maxReadme)
	}
}

// TestMarkdownLinks checks every relative link in README.md and docs/*.md:
// the file must exist and an #anchor into a Markdown file must name one of
// its headings.
func TestMarkdownLinks(t *testing.T) {
	t.Parallel()
	files := markdownFiles(t)
	anchors := newAnchorCache()
	checked := 0
	for _, file := range files {
		b, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, link := range links(string(b)) {
			checked++
			if err := resolve(anchors, file, link); err != "" {
				t.Errorf("%s: link %q: %s", file, link, err)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no links found: the link pattern is broken")
	}
}

// TestCodeReferencesDocs checks the places outside Markdown that point at the
// docs (alarm descriptions, comments, scripts): "docs/x.md#anchor" must name
// an existing file and heading.
func TestCodeReferencesDocs(t *testing.T) {
	t.Parallel()
	anchors := newAnchorCache()
	found := 0
	err := filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		rel = filepath.ToSlash(rel)
		if d.IsDir() {
			if skipDir(rel, d.Name()) {
				return filepath.SkipDir
			}
			return nil
		}
		if !codeFile(d.Name()) {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		for _, m := range docRef.FindAllStringSubmatch(string(b), -1) {
			found++
			if msg := resolve(anchors, "README.md", m[0]); msg != "" {
				t.Errorf("%s: reference %q: %s", rel, m[0], msg)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if found == 0 {
		t.Fatal("no docs/ references found in the code; the alarm descriptions should have some")
	}
}

// docRef matches a reference to a docs page written in code or config.
var docRef = regexp.MustCompile(`docs/[a-z0-9_-]+\.md(?:#[A-Za-z0-9_-]+)?`)

func skipDir(rel, name string) bool {
	switch name {
	case ".git", "node_modules", ".next", "out", "dist", "test-results", ".terraform":
		return true
	}
	return rel == "docs" // Markdown here is checked by TestMarkdownLinks
}

func codeFile(name string) bool {
	switch path.Ext(name) {
	case ".go", ".tf", ".mk", ".sh", ".mjs", ".js", ".ts", ".tsx", ".yml", ".yaml":
		return true
	}
	return name == "Makefile" || name == "run"
}

// markdownFiles lists README.md and docs/*.md, relative to root.
func markdownFiles(t *testing.T) []string {
	t.Helper()
	files := []string{"README.md"}
	matches, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range matches {
		files = append(files, "docs/"+filepath.Base(m))
	}
	if len(files) < 2 {
		t.Fatal("no docs/*.md found")
	}
	return files
}

// resolve checks one link written in file (a path relative to root) and
// returns what is wrong with it, or "".
func resolve(anchors *anchorCache, file, link string) string {
	target, anchor, _ := strings.Cut(link, "#")
	switch {
	case target == "":
		target = file
	default:
		target = path.Clean(path.Join(path.Dir(file), target))
	}
	if strings.HasPrefix(target, "../") {
		return "points outside the repository"
	}
	info, err := os.Stat(filepath.Join(root, filepath.FromSlash(target)))
	if err != nil {
		return "no such file " + target
	}
	if anchor == "" {
		return ""
	}
	if info.IsDir() || path.Ext(target) != ".md" {
		return "anchor into a file that is not Markdown"
	}
	slugs, err := anchors.get(target)
	if err != nil {
		return err.Error()
	}
	if !slices.Contains(slugs, anchor) {
		return "no heading #" + anchor + " in " + target + " (headings: " + strings.Join(slugs, ", ") + ")"
	}
	return ""
}

// anchorCache reads each Markdown file's headings once.
type anchorCache struct{ m map[string][]string }

func newAnchorCache() *anchorCache { return &anchorCache{m: map[string][]string{}} }

func (c *anchorCache) get(file string) ([]string, error) {
	if s, ok := c.m[file]; ok {
		return s, nil
	}
	b, err := os.ReadFile(filepath.Join(root, filepath.FromSlash(file)))
	if err != nil {
		return nil, err
	}
	s := headingSlugs(string(b))
	c.m[file] = s
	return s, nil
}

var (
	fence      = regexp.MustCompile("^ {0,3}(```|~~~)")
	codeSpan   = regexp.MustCompile("``[^`]+``|`[^`]+`")
	inlineLink = regexp.MustCompile(`\[[^\]]*\]\(([^)\s]+)(?:\s+"[^"]*")?\)`)
	heading    = regexp.MustCompile(`^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$`)
	scheme     = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)
)

// prose returns the Markdown text outside fenced code blocks.
func prose(md string) []string {
	var out []string
	in := false
	for _, line := range strings.Split(md, "\n") {
		if fence.MatchString(line) {
			in = !in
			continue
		}
		if !in {
			out = append(out, line)
		}
	}
	return out
}

// links returns the targets of the relative inline links in md, outside
// code blocks and code spans.
func links(md string) []string {
	text := codeSpan.ReplaceAllString(strings.Join(prose(md), "\n"), "")
	var out []string
	for _, m := range inlineLink.FindAllStringSubmatch(text, -1) {
		if !scheme.MatchString(m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// headingSlugs returns the anchors GitHub gives the ATX headings of md.
func headingSlugs(md string) []string {
	var out []string
	seen := map[string]int{}
	for _, line := range prose(md) {
		m := heading.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		s := slug(m[2])
		if n := seen[s]; n > 0 {
			seen[s]++
			s = s + "-" + strconv.Itoa(n)
		} else {
			seen[s] = 1
		}
		out = append(out, s)
	}
	return out
}

var linkText = regexp.MustCompile(`\[([^\]]*)\]\([^)]*\)`)

// slug follows GitHub's rule: the heading's text, lowercased, with every
// character other than letters, digits, spaces, '-' and '_' dropped and
// each space turned into '-'.
func slug(h string) string {
	h = linkText.ReplaceAllString(h, "$1")
	var b strings.Builder
	for _, r := range strings.ToLower(h) {
		switch {
		case r == ' ':
			b.WriteByte('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.Is(unicode.Mn, r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

func TestSlug(t *testing.T) {
	t.Parallel()
	tests := []struct {
		heading, want string
	}{
		{heading: "Failures and fallback", want: "failures-and-fallback"},
		{heading: "CI/CD", want: "cicd"},
		{heading: "Deploy, test, tear down", want: "deploy-test-tear-down"},
		{heading: "ELIZA, the built-in model", want: "eliza-the-built-in-model"},
		{heading: "Using `web/` with [Amplify](https://example.com)", want: "using-web-with-amplify"},
		{heading: "snake_case and 2 spaces  here", want: "snake_case-and-2-spaces--here"},
		{heading: "Café — ça va?", want: "café--ça-va"},
	}
	for _, tc := range tests {
		if got := slug(tc.heading); got != tc.want {
			t.Errorf("slug(%q) = %q, want %q", tc.heading, got, tc.want)
		}
	}
}

func TestHeadingSlugsSkipCodeAndNumberRepeats(t *testing.T) {
	t.Parallel()
	md := "# Title\n\n## Notes\n\n```sh\n# not a heading\n```\n\n## Notes ##\n"
	want := []string{"title", "notes", "notes-1"}
	if got := headingSlugs(md); !slices.Equal(got, want) {
		t.Errorf("headingSlugs = %q, want %q", got, want)
	}
}

func TestLinksSkipCodeAndAbsoluteURLs(t *testing.T) {
	t.Parallel()
	md := "See [a](a.md#x) and [b](https://example.com) and `[c](c.md)`.\n\n```\n[d](d.md)\n```\n[e](#y \"title\")\n"
	want := []string{"a.md#x", "#y"}
	if got := links(md); !slices.Equal(got, want) {
		t.Errorf("links = %q, want %q", got, want)
	}
}
