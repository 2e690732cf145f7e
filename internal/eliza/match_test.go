package eliza_test

import (
	"slices"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/eliza"
)

func TestMatch(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name    string
		pattern string
		text    string
		want    []string // nil: no match
	}{
		{name: "0 takes the fewest words", pattern: "0 you 0", text: "i think you like you", want: []string{"i think", "you", "like you"}},
		{name: "a final segment ends at the end", pattern: "0 you", text: "you like you", want: []string{"you like", "you"}},
		{name: "a literal must end the text", pattern: "0 you", text: "you like it", want: nil},
		{name: "exact word counts", pattern: "0 your 1 0", text: "so your dog bit you", want: []string{"so", "your", "dog", "bit you"}},
		{name: "a count needs its words", pattern: "0 your 2", text: "your dog", want: nil},
		{name: "a pattern without 0 must match all", pattern: "2", text: "a b", want: []string{"a b"}},
		{name: "too long", pattern: "2", text: "a b c", want: nil},
		{name: "a set", pattern: "0 you (*want need) 0", text: "you need sleep", want: []string{"", "you", "need", "sleep"}},
		{name: "not in the set", pattern: "0 you (*want need) 0", text: "you like sleep", want: nil},
		{name: "later segments search from where the last one ended", pattern: "0 a 0 b 0", text: "b a x b y", want: []string{"b", "a", "x", "b", "y"}},
		{name: "adjacent 0s: the first takes nothing", pattern: "0 0 x", text: "a b x", want: []string{"", "a b", "x"}},
		{name: "empty text and 0", pattern: "0", text: "", want: []string{""}},
		{name: "empty text and a word", pattern: "0 x 0", text: "", want: nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			got, ok := eliza.Match(tt.pattern, tt.text)
			if ok != (tt.want != nil) || !slices.Equal(got, tt.want) {
				t.Errorf("Match(%q, %q) = %q, %v; want %q", tt.pattern, tt.text, got, ok, tt.want)
			}
		})
	}
}
