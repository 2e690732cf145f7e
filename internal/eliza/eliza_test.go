package eliza_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.uber.org/goleak"

	"github.com/chatbot-gateway/chatbot/internal/eliza"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// firstReplies checks the reply to a conversation's first message.
func firstReplies(t *testing.T, tests []struct{ name, input, want string }) {
	t.Helper()
	m := newModel(t)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := m.Reply([]string{tt.input}); got != tt.want {
				t.Errorf("Reply(%q)\n got %q\nwant %q", tt.input, got, tt.want)
			}
		})
	}
}

func TestReflection(t *testing.T) {
	t.Parallel()
	firstReplies(t, []struct{ name, input, want string }{
		{name: "my and me", input: "my mother hates me", want: "Why do you say your mother hates you?"},
		{name: "I am", input: "I am sad", want: "So you are sad. What do you think is behind it?"},
		{name: "you are becomes I am", input: "I think you are nice", want: "Why do you think I am nice?"},
		{name: "you and me swap", input: "You hate me", want: "What gives you the idea that I hate you?"},
		{name: "you as object", input: "I want you to listen", want: "What would getting me to listen change for you?"},
		{name: "are you", input: "are you real?", want: "What makes you wonder whether I am real?"},
		{name: "dont gains an apostrophe", input: "I dont know", want: "Why not know, do you think?"},
		{name: "I'm via PRE", input: "I'm tired", want: "So you are tired. What do you think is behind it?"},
		{name: "curly apostrophe", input: "I\u2019m tired", want: "So you are tired. What do you think is behind it?"},
		{name: "upper case and punctuation", input: "I AM SAD!!!", want: "So you are sad. What do you think is behind it?"},
		{name: "mom becomes mother", input: "My mom yells at me", want: "Why do you say your mother yells at you?"},
	})
}

func TestKeywordRanking(t *testing.T) {
	t.Parallel()
	firstReplies(t, []struct{ name, input, want string }{
		{name: "higher rank wins", input: "I want to talk about computers", want: "Does talking with a machine unsettle you?"},
		{name: "equal rank: the first stays on top", input: "Everybody hates my sister", want: "Truly everybody? Without exception?"},
		{name: "equal rank: strict greater-than", input: "My sister hates everybody", want: "Why do you say your sister hates everybody?"},
		{name: "rank 0 tie: I before am", input: "I am sad", want: "So you are sad. What do you think is behind it?"},
		{name: "newkey hands over to the next keyword", input: "I like pie", want: "Why do you say you like pie?"},
		{name: "newkey with an empty keystack falls to NONE", input: "It was late", want: "Please tell me more."},
		{name: "no rule matches: LIMIT's filler", input: "He dreamt of fish", want: "Hmm, I see."},
	})
}

func TestClauses(t *testing.T) {
	t.Parallel()
	firstReplies(t, []struct{ name, input, want string }{
		{name: "first clause with a keyword wins", input: "Hello there, I am sad.", want: "Hello. What would you like to talk about?"},
		{name: "clauses without keywords are dropped", input: "It rained. I am sad.", want: "So you are sad. What do you think is behind it?"},
		{name: "but ends a clause after a keyword", input: "I am sad but you hate me", want: "So you are sad. What do you think is behind it?"},
		{name: "but drops a clause without keyword", input: "Nothing here but you hate me", want: "What gives you the idea that I hate you?"},
		{name: "question mark and semicolon", input: "Well? Hmm; you hate me", want: "What gives you the idea that I hate you?"},
		{name: "dash", input: "Hmm - you hate me", want: "What gives you the idea that I hate you?"},
		{name: "no keyword anywhere", input: "Nothing. Nothing more", want: "Please tell me more."},
		{name: "the text after the keyword's clause is dropped", input: "My dog, I think you are nice.", want: "Why do you mention your dog?"},
	})
}

// replies returns the reply to every prefix of a conversation.
func replies(m *eliza.Model, conv []string) []string {
	out := make([]string, len(conv))
	for i := range conv {
		out[i] = m.Reply(conv[:i+1])
	}
	return out
}

func TestMemoryAndLimit(t *testing.T) {
	t.Parallel()
	m := newModel(t)
	conv := []string{
		"My boss made me come here.", // LIMIT 2; "here" hashes to 3: the fourth form
		"Nothing much.",              // LIMIT 3: NONE
		"Nothing much.",              // LIMIT 4: the memory
		"Nothing much.",              // LIMIT 1: NONE again
		"My car is at home.",         // LIMIT 2; "home" hashes to 1: the second form
		"Still nothing.",             // LIMIT 3
		"Still nothing.",             // LIMIT 4: the second memory
		"Still nothing.",             // LIMIT 1
		"Still nothing.",             // LIMIT 2
		"Still nothing.",             // LIMIT 3
		"Still nothing.",             // LIMIT 4, queue empty: NONE
	}
	want := []string{
		"Why do you mention your boss made you come here?",
		"Please tell me more.",
		"Still, your boss made you come here. What do you make of that?",
		"I'm listening. Go on.",
		"What does it mean to you that your car is at home?", // the rule's second template
		"How does that make you feel?",
		"How does this fit with what you said before, that your car is at home?",
		"Can you say a little more about that?",
		"Please tell me more.",
		"I'm listening. Go on.",
		"How does that make you feel?",
	}
	got := replies(m, conv)
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("turn %d (%q)\n got %q\nwant %q", i+1, conv[i], got[i], want[i])
		}
	}
}

func TestFallbackFollowsLimit(t *testing.T) {
	t.Parallel()
	m := newModel(t)
	conv := []string{"He dreamt of fish.", "He dreamt of fish.", "He dreamt of fish.", "He dreamt of fish."}
	want := []string{"Hmm, I see.", "Tell me more.", "And how do you feel about that?", "Please go on."}
	for i, got := range replies(m, conv) {
		if got != want[i] {
			t.Errorf("turn %d: got %q, want %q", i+1, got, want[i])
		}
	}
}

func TestTemplatesCycle(t *testing.T) {
	t.Parallel()
	m := newModel(t)
	conv := []string{"I am sad", "I am sad", "I am sad", "I am sad", "I am unhappy"}
	want := []string{
		"So you are sad. What do you think is behind it?",
		"What do you think is making you sad?",
		"What might help you feel less sad?",
		"So you are sad. What do you think is behind it?",
		"What do you think is making you unhappy?",
	}
	for i, got := range replies(m, conv) {
		if got != want[i] {
			t.Errorf("turn %d: got %q, want %q", i+1, got, want[i])
		}
	}
}

func TestDeterministic(t *testing.T) {
	t.Parallel()
	conv := []string{"Men are all alike.", "My boyfriend made me come here.", "I am unhappy.", "Nothing.", "Whatever."}
	a, b := newModel(t), newModel(t)
	first := a.Reply(conv)
	for range 3 {
		if got := a.Reply(conv); got != first {
			t.Fatalf("same model, same conversation: got %q, then %q", first, got)
		}
		if got := b.Reply(conv); got != first {
			t.Fatalf("another model, same conversation: got %q, then %q", first, got)
		}
	}
}

func TestConversationsIsolated(t *testing.T) {
	t.Parallel()
	convA := []string{"I am sad", "I am sad", "My mother hates me", "Nothing.", "Nothing.", "I am sad"}
	convB := []string{"I am sad", "You hate me", "I am sad", "Nothing.", "My dog bites.", "I am sad"}
	wantA, wantB := replies(newModel(t), convA), replies(newModel(t), convB)

	m := newModel(t)
	var wg sync.WaitGroup
	errs := make(chan string, 4*len(convA))
	for range 4 {
		wg.Go(func() {
			for i := range convA {
				if got := m.Reply(convA[:i+1]); got != wantA[i] {
					errs <- fmt.Sprintf("A turn %d: got %q, want %q", i+1, got, wantA[i])
				}
				if got := m.Reply(convB[:i+1]); got != wantB[i] {
					errs <- fmt.Sprintf("B turn %d: got %q, want %q", i+1, got, wantB[i])
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	if wantA[2] == wantB[2] {
		t.Fatalf("the two conversations should differ at turn 3, both got %q", wantA[2])
	}
}

func TestGreeting(t *testing.T) {
	t.Parallel()
	m := newModel(t)
	got := m.Reply(nil)
	if !strings.HasPrefix(got, "Hello.") {
		t.Errorf("Reply(nil) = %q, want the first greeting", got)
	}
}

func TestHash(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		word string
		bits uint
		want int
	}{
		{name: "the paper's example", word: "always", bits: 7, want: 14},
		{name: "upper case is the same", word: "ALWAYS", bits: 7, want: 14},
		{name: "the transcript's memory", word: "here", bits: 2, want: 3},
		{name: "only the last cell counts", word: "nowhere", bits: 2, want: eliza.Hash(eliza.LastCell("e"), 2)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := eliza.Hash(eliza.LastCell(tt.word), tt.bits); got != tt.want {
				t.Errorf("HASH(%q, %d) = %d, want %d", tt.word, tt.bits, got, tt.want)
			}
		})
	}
	if got, want := eliza.LastCell("always"), uint64(0o214366217062); got != want {
		t.Errorf("LastCell(always) = %o, want %o", got, want)
	}
	if got, want := eliza.LastCell("yesterday"), eliza.LastCell("day"); got != want {
		t.Errorf("LastCell(yesterday) = %o, want the cell of DAY %o", got, want)
	}
}
