package eliza_test

import (
	"embed"
	"errors"
	"path"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/eliza"
)

//go:embed testdata/minimal.txt
var minimalScript []byte

// Each broken script's first line is "# want: TEXT", where TEXT is part of
// the error New must return.
//
//go:embed testdata/broken/*.txt
var brokenScripts embed.FS

func TestCustomScript(t *testing.T) {
	t.Parallel()
	m, err := eliza.New(eliza.Options{Script: minimalScript})
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	tests := []struct {
		name string
		conv []string
		want string
	}{
		{name: "greeting", conv: nil, want: "Hi."},
		{name: "tag", conv: []string{"my dog bit me"}, want: "Tell me about your dog."},
		{name: "goto", conv: []string{"my hat"}, want: "Go on about it."},
		{name: "keyword", conv: []string{"I sing"}, want: "You sing?"},
		{name: "none", conv: []string{"hm"}, want: "Go on."},
		// "red" hashes to 2, "here" to 3.
		{name: "memory recall at LIMIT 4", conv: []string{"my hat is red", "hm", "hm"}, want: "Once: your hat is red."},
		{name: "memory is first in, first out", conv: []string{"my hat is here", "my hat is red", "hm", "hm", "hm", "hm", "hm"}, want: "Once: your hat is red."},
		{name: "first memory first", conv: []string{"my hat is here", "my hat is red", "hm"}, want: "Then: your hat is here."},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := m.Reply(tt.conv); got != tt.want {
				t.Errorf("Reply(%q) = %q, want %q", tt.conv, got, tt.want)
			}
		})
	}
}

func TestBrokenScripts(t *testing.T) {
	t.Parallel()
	files, err := brokenScripts.ReadDir("testdata/broken")
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 10 {
		t.Fatalf("only %d broken scripts", len(files))
	}
	for _, f := range files {
		t.Run(strings.TrimSuffix(f.Name(), ".txt"), func(t *testing.T) {
			t.Parallel()
			src, err := brokenScripts.ReadFile(path.Join("testdata/broken", f.Name()))
			if err != nil {
				t.Fatal(err)
			}
			first, _, _ := strings.Cut(string(src), "\n")
			want, ok := strings.CutPrefix(first, "# want: ")
			if !ok {
				t.Fatalf("first line %q is not \"# want: ...\"", first)
			}
			m, err := eliza.New(eliza.Options{Script: src})
			if err == nil {
				t.Fatalf("New succeeded (%v), want an error containing %q", m != nil, want)
			}
			if !errors.Is(err, eliza.ErrScript) {
				t.Errorf("error %v does not wrap ErrScript", err)
			}
			if !strings.Contains(err.Error(), want) {
				t.Errorf("error %q does not contain %q", err, want)
			}
		})
	}
}

func TestEmptyScriptIsAnError(t *testing.T) {
	t.Parallel()
	if _, err := eliza.New(eliza.Options{Script: []byte{}}); !errors.Is(err, eliza.ErrScript) {
		t.Fatalf("New(empty script) error = %v, want ErrScript", err)
	}
}
