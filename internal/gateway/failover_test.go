package gateway_test

import (
	"context"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// backup answers with ws and hands over each request it was asked.
func backup(asked chan<- *chat.Request, ws ...string) fakeModel {
	w := words(ws...)
	return func(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
		asked <- req
		return w(ctx, req, emit)
	}
}

// chained serves echo (answering as first), a chain of one model,
// backup, and eliza.
func chained(t *testing.T, first chat.Model, asked chan *chat.Request, failover bool) *server {
	t.Helper()
	return newServer(t, func(c *gateway.Config) {
		c.Models = []gateway.ModelEntry{
			{ID: "echo", OwnedBy: "test", Model: first},
			{ID: "backup", OwnedBy: "test", Model: backup(asked, " and", " the rest.")},
			{ID: "eliza", OwnedBy: "chatbot", Model: words("Please", " go", " on.")},
		}
		c.Chain, c.Failover = []string{"backup"}, failover
		c.Fallback = policy
	})
}

func TestChainBeforeFirstToken(t *testing.T) {
	t.Parallel()
	asked := make(chan *chat.Request, 1)
	s := chained(t, failing(errUpstream), asked, true)
	chunks, done, _ := readStream(t, s.post(t, hello).Body)
	if !done || text(chunks) != " and the rest." {
		t.Fatalf("done=%v text=%q, want the chain's next model's answer", done, text(chunks))
	}
	for _, c := range chunks {
		if c.Model != "backup" {
			t.Errorf("chunk model = %q, want backup", c.Model)
		}
	}
	if req := <-asked; len(req.Messages) != 1 || req.Model != "backup" {
		t.Errorf("backup asked %+v, want the request as sent", req)
	}
	s.logs.waitFor(t, func() bool { return len(s.logs.lines(t, "request")) == 1 })
	if l := s.logs.lines(t, "request")[0]; l["fallback"] != "throttled" || l["model"] != "backup" {
		t.Errorf("request line: fallback=%v model=%v", l["fallback"], l["model"])
	}
	if w := s.logs.lines(t, "model failed before its first token; falling back"); len(w) != 1 || w[0]["fallback"] != "backup" || w[0]["model"] != "echo" {
		t.Errorf("warn lines %v", w)
	}
}

func TestChainSkipsModelsThatCannotServe(t *testing.T) {
	t.Parallel()
	asked := make(chan *chat.Request, 1)
	s := newServer(t, func(c *gateway.Config) {
		c.Models = []gateway.ModelEntry{
			{ID: "echo", OwnedBy: "test", Model: capable{allCaps, failing(errUpstream)}},
			{ID: "backup", OwnedBy: "test", Model: backup(asked, "no tools")},
			{ID: "tooled", OwnedBy: "test", Model: capable{allCaps, words("with", " tools")}},
			{ID: "eliza", OwnedBy: "chatbot", Model: words("Please", " go", " on.")},
		}
		c.Chain, c.Fallback = []string{"backup", "tooled"}, policy
	})
	chunks, done, _ := readStream(t, s.post(t, `{"model":"echo","stream":true,"messages":[{"role":"user","content":"hi"}],`+
		`"tools":[{"type":"function","function":{"name":"look","parameters":{"type":"object"}}}]}`).Body)
	if !done || text(chunks) != "with tools" || chunks[0].Model != "tooled" {
		t.Errorf("done=%v text=%q model=%q, want the first model of the chain with tools", done, text(chunks), chunks[0].Model)
	}
	if len(asked) != 0 {
		t.Error("a model without tools was asked a request with tools")
	}
}

func TestFailoverMidStream(t *testing.T) {
	t.Parallel()
	asked := make(chan *chat.Request, 1)
	s := chained(t, failing(errUpstream, "Half", " an answer"), asked, true)

	chunks, done, _ := readStream(t, s.post(t, hello).Body)
	if !done {
		t.Fatal("no [DONE] after a failover")
	}
	if got := text(chunks); got != "Half an answer and the rest." {
		t.Errorf("text = %q, want one answer across both models", got)
	}
	last := chunks[len(chunks)-1]
	for _, c := range chunks {
		if c.Error != nil {
			t.Errorf("error frame %+v", c.Error)
		}
	}
	if fr := finishReason(chunks); fr != "stop" {
		t.Errorf("finish_reason = %q, want stop", fr)
	}
	if last.Model != "backup" {
		t.Errorf("last chunk's model = %q, want backup", last.Model)
	}
	checkContinuation(t, <-asked, "Half an answer")
	s.logs.waitFor(t, func() bool { return len(s.logs.lines(t, "request")) == 1 })
	if l := s.logs.lines(t, "request")[0]; l["failovers"] != 1.0 || l["model"] != "backup" || l["outcome"] != "complete" {
		t.Errorf("request line: failovers=%v model=%v outcome=%v", l["failovers"], l["model"], l["outcome"])
	}
	w := s.logs.lines(t, "model failed mid-answer; continuing it on the next model")
	if len(w) != 1 || w[0]["model"] != "echo" || w[0]["failover"] != "backup" || w[0]["reason"] != "throttled" || w[0]["level"] != "WARN" {
		t.Errorf("failover lines %v", w)
	}

	// The Responses wire format too.
	st := readResponses(t, s.postResponses(t, responsesHello))
	if st.Terminal != "response.completed" || st.Text != "Half an answer and the rest." || st.Final.Model != "backup" {
		t.Errorf("responses: terminal %s, text %q, model %q", st.Terminal, st.Text, st.Final.Model)
	}
	checkContinuation(t, <-asked, "Half an answer")
}

// checkContinuation checks that req continues the partial answer: the
// conversation, the partial answer as the assistant's turn, and a user
// instruction to go on.
func checkContinuation(t *testing.T, req *chat.Request, partial string) {
	t.Helper()
	m := req.Messages
	if len(m) != 3 || m[0].Content != "hi" || m[1].Role != chat.RoleAssistant || m[1].Content != partial ||
		m[2].Role != chat.RoleUser || m[2].Content == "" {
		t.Errorf("continuation request messages = %+v", m)
	}
}

func finishReason(chunks []chunk) string {
	for _, c := range chunks {
		for _, ch := range c.Choices {
			if ch.FinishReason != nil {
				return *ch.FinishReason
			}
		}
	}
	return ""
}

func TestNoFailover(t *testing.T) {
	t.Parallel()
	toolThenFail := func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
		if err := emit(chat.Delta{Text: "Let me look."}); err != nil {
			return chat.Result{}, err
		}
		if err := emit(chat.Delta{ToolCall: &chat.ToolCallDelta{ID: "call_1", Name: "look", Arguments: "{}"}}); err != nil {
			return chat.Result{}, err
		}
		return chat.Result{}, errUpstream
	}
	reasonThenFail := func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
		if err := emit(chat.Delta{Reasoning: "hmm"}); err != nil {
			return chat.Result{}, err
		}
		return chat.Result{}, errUpstream
	}
	for _, tc := range []struct {
		name     string
		first    fakeModel
		failover bool
		text     string
	}{
		{name: "failover off", first: failing(errUpstream, "partial"), failover: false, text: "partial"},
		{name: "tool call in the partial output", first: toolThenFail, failover: true, text: "Let me look."},
		{name: "reasoning in the partial output", first: reasonThenFail, failover: true, text: ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			asked := make(chan *chat.Request, 1)
			s := chained(t, tc.first, asked, tc.failover)
			chunks, done, _ := readStream(t, s.post(t, hello).Body)
			if done {
				t.Fatal("[DONE] after a mid-stream failure")
			}
			if last := chunks[len(chunks)-1]; last.Error == nil || last.Error.Code != "model_error" {
				t.Fatalf("last frame = %+v, want the in-band model_error", last)
			}
			if text(chunks) != tc.text {
				t.Errorf("text = %q, want %q", text(chunks), tc.text)
			}
			if len(asked) != 0 {
				t.Error("the next model was asked")
			}
		})
	}
}
