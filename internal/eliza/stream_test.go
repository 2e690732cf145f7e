package eliza_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/eliza"
)

// collect runs Stream and returns the emitted pieces.
func collect(tb testing.TB, m *eliza.Model, req *chat.Request) ([]string, chat.Result) {
	tb.Helper()
	var pieces []string
	res, err := m.Stream(context.Background(), req, func(d chat.Delta) error {
		s := d.Text
		pieces = append(pieces, s)
		return nil
	})
	if err != nil {
		tb.Fatalf("Stream: %v", err)
	}
	return pieces, res
}

func userRequest(msgs ...string) *chat.Request {
	req := &chat.Request{Model: eliza.ID, MaxTokens: 1024}
	for i, s := range msgs {
		role := chat.RoleUser
		if i%2 == 1 {
			role = chat.RoleAssistant
		}
		req.Messages = append(req.Messages, chat.Message{Role: role, Content: s})
	}
	return req
}

func TestStreamWordByWord(t *testing.T) {
	t.Parallel()
	m := newModel(t)
	tests := []struct {
		name     string
		messages []chat.Message
		wantText string
		prompt   int
	}{
		{
			name:     "one message",
			messages: []chat.Message{{Role: chat.RoleUser, Content: "my mother hates me"}},
			wantText: m.Reply([]string{"my mother hates me"}),
			prompt:   4,
		},
		{
			name: "only user messages are replayed",
			messages: []chat.Message{
				{Role: chat.RoleSystem, Content: "Be nice."},
				{Role: chat.RoleUser, Content: "I am sad"},
				{Role: chat.RoleAssistant, Content: "Whatever the client says I said."},
				{Role: chat.RoleUser, Content: "I am sad"},
			},
			wantText: m.Reply([]string{"I am sad", "I am sad"}),
			prompt:   2 + 3 + 6 + 3,
		},
		{
			name:     "no user message: greeting",
			messages: []chat.Message{{Role: chat.RoleSystem, Content: "Be nice."}},
			wantText: m.Reply(nil),
			prompt:   2,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			pieces, res := collect(t, m, &chat.Request{Messages: tt.messages, MaxTokens: 100})
			if got := strings.Join(pieces, ""); got != tt.wantText {
				t.Errorf("pieces join to %q, want %q", got, tt.wantText)
			}
			for i, p := range pieces {
				word := p
				if i > 0 {
					var ok bool
					if word, ok = strings.CutPrefix(p, " "); !ok {
						t.Errorf("piece %d %q has no leading space", i, p)
					}
				}
				if word == "" || strings.Contains(word, " ") {
					t.Errorf("piece %d %q is not one word", i, p)
				}
			}
			want := chat.Result{FinishReason: chat.FinishStop, Usage: chat.Usage{PromptTokens: tt.prompt, CompletionTokens: len(pieces)}}
			if res != want {
				t.Errorf("result %+v, want %+v", res, want)
			}
		})
	}
}

func TestStreamGreetingsTakeTurns(t *testing.T) {
	t.Parallel()
	m := newModel(t)
	first, _ := collect(t, m, &chat.Request{Messages: []chat.Message{{Role: chat.RoleSystem, Content: "x"}}})
	second, _ := collect(t, m, &chat.Request{Messages: []chat.Message{{Role: chat.RoleAssistant, Content: "x"}}})
	if strings.Join(first, "") == strings.Join(second, "") {
		t.Errorf("both conversations were greeted with %q", strings.Join(first, ""))
	}
}

func TestStreamMaxTokens(t *testing.T) {
	t.Parallel()
	m := newModel(t)
	reply := m.Reply([]string{"I am sad"})
	words := len(strings.Fields(reply))
	tests := []struct {
		name       string
		maxTokens  int
		wantPieces int
		wantFinish chat.FinishReason
	}{
		{name: "cut short", maxTokens: 2, wantPieces: 2, wantFinish: chat.FinishLength},
		{name: "exactly enough", maxTokens: words, wantPieces: words, wantFinish: chat.FinishStop},
		{name: "plenty", maxTokens: words + 1, wantPieces: words, wantFinish: chat.FinishStop},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			req := userRequest("I am sad")
			req.MaxTokens = tt.maxTokens
			pieces, res := collect(t, m, req)
			if len(pieces) != tt.wantPieces || res.FinishReason != tt.wantFinish || res.Usage.CompletionTokens != tt.wantPieces {
				t.Errorf("got %d pieces, %+v; want %d pieces, finish %q", len(pieces), res, tt.wantPieces, tt.wantFinish)
			}
			if !strings.HasPrefix(reply, strings.Join(pieces, "")) {
				t.Errorf("pieces %q are not a prefix of %q", pieces, reply)
			}
		})
	}
}

// The timing tests run in a synctest bubble: the clock is fake, so each
// word comes exactly one delay after the one before.

func TestStreamPacing(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const delay = 40 * time.Millisecond
		m, err := eliza.New(eliza.Options{WordDelay: delay})
		if err != nil {
			t.Fatal(err)
		}
		var pieces []string
		var at []time.Duration
		start := time.Now()
		_, err = m.Stream(context.Background(), userRequest("my mother hates me"), func(d chat.Delta) error {
			s := d.Text
			pieces = append(pieces, s)
			at = append(at, time.Since(start))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if got, want := strings.Join(pieces, ""), m.Reply([]string{"my mother hates me"}); got != want {
			t.Fatalf("pieces join to %q, want %q", got, want)
		}
		if len(at) < 3 {
			t.Fatalf("only %d pieces", len(at))
		}
		for i, d := range at {
			if want := time.Duration(i) * delay; d != want {
				t.Errorf("piece %d came at %v, want %v", i, d, want)
			}
		}
	})
}

func TestStreamCancel(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		const delay = time.Second
		m, err := eliza.New(eliza.Options{WordDelay: delay})
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		var pieces []string
		start := time.Now()
		res, err := m.Stream(ctx, userRequest("my mother hates me"), func(d chat.Delta) error {
			s := d.Text
			pieces = append(pieces, s)
			if len(pieces) == 2 {
				time.AfterFunc(delay/2, cancel)
			}
			return nil
		})
		if !errors.Is(err, context.Canceled) {
			t.Errorf("Stream returned %v, want context.Canceled", err)
		}
		if took, want := time.Since(start), delay+delay/2; took != want {
			t.Errorf("Stream returned after %v, want %v: as soon as the context ended", took, want)
		}
		if strings.Join(pieces, "") != "Why do" || res.Usage.CompletionTokens != 2 {
			t.Errorf("emitted %q, %d tokens; want the first two words only", pieces, res.Usage.CompletionTokens)
		}
		// The usage so far comes with the error: the budget is charged from it.
		if res.Usage.PromptTokens != 4 {
			t.Errorf("prompt tokens with the error = %d; want 4", res.Usage.PromptTokens)
		}
	})
}

func TestStreamCancelledBeforeStart(t *testing.T) {
	t.Parallel()
	m := newModel(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	res, err := m.Stream(ctx, userRequest("hello there"), func(chat.Delta) error {
		t.Error("emit called on a cancelled context")
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Errorf("Stream returned %v, want context.Canceled", err)
	}
	if res.Usage != (chat.Usage{PromptTokens: 2}) {
		t.Errorf("usage with the error = %+v; want the prompt's 2 tokens", res.Usage)
	}
}

func TestStreamEmitError(t *testing.T) {
	t.Parallel()
	m := newModel(t)
	errGone := errors.New("client gone")
	calls := 0
	res, err := m.Stream(context.Background(), userRequest("my mother hates me"), func(chat.Delta) error {
		calls++
		if calls == 2 {
			return errGone
		}
		return nil
	})
	if !errors.Is(err, errGone) {
		t.Errorf("Stream returned %v, want the emit error", err)
	}
	if calls != 2 || res.Usage != (chat.Usage{PromptTokens: 4, CompletionTokens: 1}) {
		t.Errorf("emit called %d times, usage %+v; want 2 calls, the prompt's 4 tokens and 1 completion token", calls, res.Usage)
	}
}

// ELIZA cannot call tools, see images or reason on demand: such requests
// are refused by the parameter's name, before anything is emitted.
func TestStreamRefusesWhatItCannotDo(t *testing.T) {
	t.Parallel()
	m := newModel(t)
	if got := m.Capabilities(); got != (chat.Capabilities{}) {
		t.Errorf("Capabilities() = %+v, want text only", got)
	}
	img := &chat.Image{MediaType: "image/png", Data: []byte("\x89PNG")}
	tests := []struct {
		param string
		req   *chat.Request
	}{
		{param: "tools", req: &chat.Request{Messages: userRequest("hello").Messages, Tools: []chat.Tool{{Name: "get_weather"}}}},
		{param: "tools", req: &chat.Request{Messages: []chat.Message{
			{Role: chat.RoleUser, Content: "hello"},
			{Role: chat.RoleAssistant, ToolCalls: []chat.ToolCall{{ID: "c1", Name: "f", Arguments: "{}"}}},
			{Role: chat.RoleTool, ToolCallID: "c1", Content: "42"},
		}}},
		{param: "images", req: &chat.Request{Messages: []chat.Message{
			{Role: chat.RoleUser, Content: "what is this?", Parts: []chat.Part{{Text: "what is this?"}, {Image: img}}},
		}}},
		{param: "reasoning_effort", req: &chat.Request{Messages: userRequest("hello").Messages, Reasoning: chat.EffortHigh}},
	}
	for _, tt := range tests {
		_, err := m.Stream(context.Background(), tt.req, func(chat.Delta) error {
			t.Errorf("%s: emit called", tt.param)
			return nil
		})
		var pe *chat.PublicError
		if !errors.As(err, &pe) || pe.Param != tt.param || !errors.Is(err, chat.ErrInvalidRequest) {
			t.Errorf("%s: Stream returned %v, want a refusal naming %s", tt.param, err, tt.param)
		}
	}
}
