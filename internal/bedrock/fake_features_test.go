package bedrock_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// answer is what a stream said, assembled as a client would.
type answer struct {
	text, reasoning string
	calls           []chat.ToolCall
	thinking        []chat.ThinkingBlock
	res             chat.Result
}

func ask(t *testing.T, m chat.Model, req *chat.Request) (answer, error) {
	t.Helper()
	var a answer
	var reasoning strings.Builder
	res, err := m.Stream(context.Background(), req, func(d chat.Delta) error {
		a.text += d.Text
		reasoning.WriteString(d.Reasoning)
		if th := d.Thinking; th != nil {
			b := *th
			if b.Redacted == "" {
				b.Text = reasoning.String()
			}
			a.thinking = append(a.thinking, b)
		}
		if tc := d.ToolCall; tc != nil {
			if tc.Index == len(a.calls) {
				a.calls = append(a.calls, chat.ToolCall{ID: tc.ID, Name: tc.Name})
			}
			a.calls[tc.Index].Arguments += tc.Arguments
		}
		return nil
	})
	a.reasoning, a.res = reasoning.String(), res
	return a, err
}

var weatherTool = chat.Tool{Name: "get_weather", Description: "Weather by city",
	Parameters: []byte(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)}

// TestToolRoundTripThroughTheFake runs the two steps of a tool
// conversation against the fake, through the real SDK, for every family
// with tools: the model calls the tool the user names, the client sends
// the result back with the call's id, and the model answers from it.
func TestToolRoundTripThroughTheFake(t *testing.T) {
	t.Parallel()
	for _, id := range []string{
		haiku, "us.amazon.nova-lite-v1:0", "mistral.mistral-large-2407-v1:0",
		"openai.gpt-oss-20b-1:0", "deepseek.v3-v1:0", "qwen.qwen3-32b-v1:0",
	} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(2)))
			m := newModel(t, srv, testConfig(id, &sleeps{}))
			req := &chat.Request{MaxTokens: 100, Tools: []chat.Tool{weatherTool}, Messages: []chat.Message{
				{Role: chat.RoleUser, Content: "What is the weather in Paris? Use get_weather."},
			}}
			first, err := ask(t, m, req)
			if err != nil {
				t.Fatalf("first step: %v", err)
			}
			if first.res.FinishReason != chat.FinishToolCalls || len(first.calls) != 1 || first.calls[0].Name != "get_weather" ||
				first.calls[0].ID == "" || first.calls[0].Arguments != `{"city":"example"}` || first.text != "" {
				t.Fatalf("first step = %+v, want one get_weather call", first)
			}
			req.Messages = append(req.Messages,
				chat.Message{Role: chat.RoleAssistant, ToolCalls: first.calls},
				chat.Message{Role: chat.RoleTool, ToolCallID: first.calls[0].ID, Content: "18C and sunny"})
			second, err := ask(t, m, req)
			if err != nil {
				t.Fatalf("second step: %v\nbody: %s", err, srv.Requests()[1].Body)
			}
			if !strings.HasPrefix(second.text, "Tool result: 18C and sunny.") || second.res.FinishReason != chat.FinishStop || len(second.calls) != 0 {
				t.Errorf("second step = %+v, want an answer from the result", second)
			}
			// A result whose id matches no call is refused, as Bedrock does.
			req.Messages[2].ToolCallID = "someone-else"
			req.Messages[1].ToolCalls = []chat.ToolCall{{ID: "call-x", Name: "get_weather", Arguments: "{}"}}
			req.Messages[2].ToolCallID = "call-y"
			if _, err := ask(t, m, req); !errors.Is(err, chat.ErrInvalidRequest) {
				t.Errorf("a result without its call: err = %v, want the fake's ValidationException as an invalid request", err)
			}
		})
	}
}

// TestImagesThroughTheFake: each family with vision gets the image in its
// own shape, and the fake says what it saw.
func TestImagesThroughTheFake(t *testing.T) {
	t.Parallel()
	for _, id := range []string{haiku, "us.amazon.nova-lite-v1:0", "us.meta.llama4-scout-17b-instruct-v1:0"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(1)))
			m := newModel(t, srv, testConfig(id, &sleeps{}))
			a, err := ask(t, m, &chat.Request{MaxTokens: 50, Messages: []chat.Message{{Role: chat.RoleUser, Content: "What is this?", Parts: []chat.Part{
				{Text: "What is this?"}, {Image: &chat.Image{MediaType: "image/png", Data: png}},
			}}}})
			if err != nil {
				t.Fatal(err)
			}
			if want := "I see 1 image(s): png 70 bytes. tok1 "; a.text != want {
				t.Errorf("text = %q, want %q", a.text, want)
			}
		})
	}
}

// TestReasoningThroughTheFake: thinking on, the reasoning streams apart
// from the answer; Claude's signed block, sent back intact with a tool
// result, is accepted, and a changed one is refused.
func TestReasoningThroughTheFake(t *testing.T) {
	t.Parallel()
	const reasoning = "The user wrote to me. I will answer briefly."
	for _, id := range []string{haiku, "openai.gpt-oss-120b-1:0", "us.deepseek.r1-v1:0"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(2)))
			m := newModel(t, srv, testConfig(id, &sleeps{}))
			req := &chat.Request{MaxTokens: 100, Messages: []chat.Message{{Role: chat.RoleUser, Content: "Hi"}}}
			if id != "us.deepseek.r1-v1:0" {
				req.Reasoning = chat.EffortLow
			}
			a, err := ask(t, m, req)
			if err != nil {
				t.Fatal(err)
			}
			want := reasoning
			if id == "us.deepseek.r1-v1:0" {
				want += "\n" // R1 writes a line break before </think>
			}
			if a.reasoning != want || a.text != "tok1 tok2 " {
				t.Errorf("reasoning %q, text %q", a.reasoning, a.text)
			}
			if id == "openai.gpt-oss-120b-1:0" && a.res.Usage.ReasoningTokens != 2 {
				t.Errorf("usage = %+v, want the reasoning tokens gpt-oss reports", a.res.Usage)
			}
		})
	}

	srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(1)))
	m := newModel(t, srv, testConfig(haiku, &sleeps{}))
	req := &chat.Request{MaxTokens: 100, Reasoning: chat.EffortMedium, Tools: []chat.Tool{weatherTool},
		Messages: []chat.Message{{Role: chat.RoleUser, Content: "Weather in Paris? Use get_weather."}}}
	first, err := ask(t, m, req)
	if err != nil || len(first.thinking) != 1 || first.thinking[0].Signature == "" || first.thinking[0].Text != reasoning || len(first.calls) != 1 {
		t.Fatalf("first step = %+v, %v; want signed thinking and a call", first, err)
	}
	req.Messages = append(req.Messages,
		chat.Message{Role: chat.RoleAssistant, ToolCalls: first.calls, Thinking: first.thinking},
		chat.Message{Role: chat.RoleTool, ToolCallID: first.calls[0].ID, Content: "rain"})
	second, err := ask(t, m, req)
	if err != nil || !strings.HasPrefix(second.text, "Tool result: rain.") || second.reasoning != reasoning {
		t.Fatalf("with the signed block back: %+v, %v", second, err)
	}
	req.Messages[1].Thinking = []chat.ThinkingBlock{{Text: "I changed my mind.", Signature: first.thinking[0].Signature}}
	if _, err := ask(t, m, req); !errors.Is(err, chat.ErrInvalidRequest) {
		t.Errorf("a changed thinking block: err = %v, want Bedrock's refusal as an invalid request", err)
	}
	// Without the block, thinking is off for the continuation, which
	// Claude accepts.
	req.Messages[1].Thinking = nil
	third, err := ask(t, m, req)
	if err != nil || third.reasoning != "" || !strings.HasPrefix(third.text, "Tool result: rain.") {
		t.Errorf("without the block: %+v, %v; want an answer without thinking", third, err)
	}
}
