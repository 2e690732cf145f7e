package bedrock_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// converseConfig is testConfig answering through ConverseStream.
func converseConfig(id string, s *sleeps) bedrock.Config {
	cfg := testConfig(id, s)
	cfg.API = bedrock.APIConverse
	return cfg
}

// conversePath returns the path of the fake's one call, checking it went
// to the Converse operation. The fake records only the model id and body,
// so the operation shows in the body's shape.
func converseBody(t *testing.T, srv *fakebedrock.Server) map[string]any {
	t.Helper()
	reqs := srv.Requests()
	if len(reqs) == 0 {
		t.Fatal("Bedrock was not called")
	}
	var body map[string]any
	if err := json.Unmarshal(reqs[len(reqs)-1].Body, &body); err != nil {
		t.Fatal(err)
	}
	if _, ok := body["messages"]; !ok {
		t.Fatalf("body %s is not a Converse request", reqs[len(reqs)-1].Body)
	}
	return body
}

// TestConverseText: text, the stop reason and the usage, through the real
// SDK's ConverseStream against the fake, for models of several families
// and for one no InvokeModel family knows.
func TestConverseText(t *testing.T) {
	t.Parallel()
	for _, id := range []string{haiku, "us.amazon.nova-lite-v1:0", "meta.llama3-8b-instruct-v1:0", "cohere.command-r-plus-v1:0"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(3)))
			a, err := ask(t, newModel(t, srv, converseConfig(id, &sleeps{})), &chat.Request{MaxTokens: 50,
				Messages: []chat.Message{{Role: chat.RoleSystem, Content: "Be brief."}, {Role: chat.RoleUser, Content: "Hi"}}})
			if err != nil {
				t.Fatal(err)
			}
			want := chat.Result{FinishReason: chat.FinishStop, Usage: chat.Usage{PromptTokens: 11, CompletionTokens: 3}}
			if a.text != "tok1 tok2 tok3 " || a.res != want {
				t.Errorf("answer %q, %+v; want the three tokens, %+v", a.text, a.res, want)
			}
			body := converseBody(t, srv)
			if sys, _ := json.Marshal(body["system"]); string(sys) != `[{"text":"Be brief."}]` {
				t.Errorf("system = %s", sys)
			}
		})
	}
}

// TestConverseStopAtTheTokenLimit: the request's maxTokens reaches the
// model, which stops there with max_tokens: finish_reason length.
func TestConverseStopAtTheTokenLimit(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(10)))
	a, err := ask(t, newModel(t, srv, converseConfig(haiku, &sleeps{})), &chat.Request{MaxTokens: 2,
		Messages: []chat.Message{{Role: chat.RoleUser, Content: "Hi"}}})
	if err != nil || a.text != "tok1 tok2 " || a.res.FinishReason != chat.FinishLength {
		t.Errorf("answer %q, %+v, %v; want two tokens and length", a.text, a.res, err)
	}
}

// TestConverseTools: the model calls the tool the user names, the result
// goes back with the call's id, and the model answers from it.
func TestConverseTools(t *testing.T) {
	t.Parallel()
	for _, id := range []string{haiku, "us.amazon.nova-lite-v1:0", "mistral.mistral-large-2407-v1:0", "openai.gpt-oss-20b-1:0"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(1)))
			m := newModel(t, srv, converseConfig(id, &sleeps{}))
			req := &chat.Request{MaxTokens: 100, Tools: []chat.Tool{weatherTool},
				Messages: []chat.Message{{Role: chat.RoleUser, Content: "Weather in Paris? Use get_weather."}}}
			first, err := ask(t, m, req)
			if err != nil || len(first.calls) != 1 || first.calls[0].Name != "get_weather" ||
				first.calls[0].Arguments != `{"city":"example"}` || first.res.FinishReason != chat.FinishToolCalls {
				t.Fatalf("first step = %+v, %v; want one get_weather call", first, err)
			}
			req.Messages = append(req.Messages,
				chat.Message{Role: chat.RoleAssistant, ToolCalls: first.calls},
				chat.Message{Role: chat.RoleTool, ToolCallID: first.calls[0].ID, Content: "rain"})
			second, err := ask(t, m, req)
			if err != nil || second.text != "Tool result: rain. tok1 " {
				t.Fatalf("second step = %+v, %v", second, err)
			}
			req.Messages[2].ToolCallID = "nobody"
			if _, err := ask(t, m, req); !errors.Is(err, chat.ErrInvalidRequest) {
				t.Errorf("a result without its call: err = %v, want Bedrock's refusal", err)
			}
			req.ToolChoice = chat.ToolChoice{Mode: chat.ToolNone}
			if _, err := ask(t, m, req); !errors.Is(err, chat.ErrInvalidRequest) {
				t.Errorf("tool_choice none with tool history: err = %v, want a refusal by name", err)
			}
		})
	}
}

// TestConverseImages: an image block reaches a model with vision.
func TestConverseImages(t *testing.T) {
	t.Parallel()
	for _, id := range []string{haiku, "us.amazon.nova-lite-v1:0", "us.meta.llama4-scout-17b-instruct-v1:0"} {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(1)))
			a, err := ask(t, newModel(t, srv, converseConfig(id, &sleeps{})), &chat.Request{MaxTokens: 50, Messages: []chat.Message{{
				Role: chat.RoleUser, Content: "What is this?", Parts: []chat.Part{{Text: "What is this?"}, {Image: &chat.Image{MediaType: "image/png", Data: png}}},
			}}})
			if want := "I see 1 image(s): png 70 bytes. tok1 "; err != nil || a.text != want {
				t.Errorf("answer %q, %v; want %q", a.text, err, want)
			}
		})
	}
}

// TestConverseReasoning: Claude's thinking budget travels in
// additionalModelRequestFields; the reasoning streams as reasoningContent
// apart from the text, its signed block goes back intact with a tool
// result, and a changed block is refused.
func TestConverseReasoning(t *testing.T) {
	t.Parallel()
	const reasoning = "The user wrote to me. I will answer briefly."
	srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(1)))
	m := newModel(t, srv, converseConfig(haiku, &sleeps{}))
	req := &chat.Request{MaxTokens: 100, Reasoning: chat.EffortMedium, Tools: []chat.Tool{weatherTool},
		Messages: []chat.Message{{Role: chat.RoleUser, Content: "Weather in Paris? Use get_weather."}}}
	first, err := ask(t, m, req)
	if err != nil || first.reasoning != reasoning || len(first.thinking) != 1 || first.thinking[0].Signature == "" || len(first.calls) != 1 {
		t.Fatalf("first step = %+v, %v; want signed thinking and a call", first, err)
	}
	extra, _ := json.Marshal(converseBody(t, srv)["additionalModelRequestFields"])
	if string(extra) != `{"thinking":{"budget_tokens":4096,"type":"enabled"}}` {
		t.Errorf("additionalModelRequestFields = %s", extra)
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
		t.Errorf("a changed thinking block: err = %v, want Bedrock's refusal", err)
	}
	forced := &chat.Request{MaxTokens: 100, Reasoning: chat.EffortLow, Tools: []chat.Tool{weatherTool},
		ToolChoice: chat.ToolChoice{Mode: chat.ToolRequired}, Messages: []chat.Message{{Role: chat.RoleUser, Content: "Hi"}}}
	var pe *chat.PublicError
	if _, err := ask(t, m, forced); !errors.As(err, &pe) || pe.Param != "reasoning_effort" {
		t.Errorf("thinking with a forced tool: err = %v, want a refusal naming reasoning_effort", err)
	}
	gpt := newModel(t, srv, converseConfig("openai.gpt-oss-120b-1:0", &sleeps{}))
	if a, err := ask(t, gpt, &chat.Request{MaxTokens: 50, Reasoning: chat.EffortMinimal, Messages: []chat.Message{{Role: chat.RoleUser, Content: "Hi"}}}); err != nil ||
		a.reasoning != reasoning || len(a.thinking) != 0 {
		t.Fatalf("gpt-oss: %+v, %v; want unsigned reasoning", a, err)
	}
	if extra, _ := json.Marshal(converseBody(t, srv)["additionalModelRequestFields"]); string(extra) != `{"reasoning_effort":"low"}` {
		t.Errorf("gpt-oss additionalModelRequestFields = %s", extra)
	}
}

// TestConverseClaudeSampling: Claude 4.5 and later refuse temperature and
// top_p together, on ConverseStream as on InvokeModel ("temperature and
// top_p cannot both be specified for this model", a ValidationException
// of ConverseStream: aws-samples/bedrock-access-gateway#191), so only the
// temperature goes when both are given; either alone goes as it is, and
// other families get both.
func TestConverseClaudeSampling(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name        string
		model       string
		temperature *float64
		topP        *float64
		want        string
	}{
		{name: "claude, both", model: haiku, temperature: ptr(0.5), topP: ptr(0.8), want: `{"maxTokens":50,"temperature":0.5}`},
		{name: "claude, top_p alone", model: haiku, topP: ptr(0.8), want: `{"maxTokens":50,"topP":0.8}`},
		{name: "nova, both", model: "us.amazon.nova-lite-v1:0", temperature: ptr(0.5), topP: ptr(0.8),
			want: `{"maxTokens":50,"temperature":0.5,"topP":0.8}`},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(1)))
			if _, err := ask(t, newModel(t, srv, converseConfig(tt.model, &sleeps{})), &chat.Request{MaxTokens: 50,
				Temperature: tt.temperature, TopP: tt.topP, Messages: []chat.Message{{Role: chat.RoleUser, Content: "Hi"}}}); err != nil {
				t.Fatal(err)
			}
			if got, _ := json.Marshal(converseBody(t, srv)["inferenceConfig"]); string(got) != tt.want {
				t.Errorf("inferenceConfig = %s, want %s", got, tt.want)
			}
		})
	}
}

// TestConverseFailures: the same retry, fallback and error kinds as on
// InvokeModel.
func TestConverseFailures(t *testing.T) {
	t.Parallel()
	ok := fakebedrock.Tokens(2)
	tests := []struct {
		name      string
		scenarios []fakebedrock.Scenario
		wantText  string
		wantCalls int
		wantKind  error // nil: no error
		invalid   string
	}{
		{name: "throttled then answer", scenarios: []fakebedrock.Scenario{fakebedrock.Throttled(), ok}, wantText: "tok1 tok2 ", wantCalls: 2},
		{name: "in-stream throttling before text then answer", scenarios: []fakebedrock.Scenario{fakebedrock.InStream("throttlingException", 0), ok}, wantText: "tok1 tok2 ", wantCalls: 2},
		{name: "in-stream failure after text", scenarios: []fakebedrock.Scenario{fakebedrock.InStream("modelStreamErrorException", 2)}, wantText: "tok1 tok2 ", wantCalls: 1, wantKind: chat.ErrUpstream},
		{name: "cut after text", scenarios: []fakebedrock.Scenario{fakebedrock.CutAfter(5, 2)}, wantText: "tok1 tok2 ", wantCalls: 1, wantKind: chat.ErrUpstream},
		{name: "cut before text then answer", scenarios: []fakebedrock.Scenario{fakebedrock.CutAfter(3, 0), ok}, wantText: "tok1 tok2 ", wantCalls: 2},
		{name: "validation", scenarios: []fakebedrock.Scenario{fakebedrock.Invalid("messages.0: bad")}, wantCalls: 1, wantKind: chat.ErrInvalidRequest, invalid: "messages.0: bad"},
		{name: "in-stream validation", scenarios: []fakebedrock.Scenario{fakebedrock.InStream("validationException", 0)}, wantCalls: 1, wantKind: chat.ErrInvalidRequest, invalid: "validationException from the fake"},
		{name: "retired model", scenarios: []fakebedrock.Scenario{fakebedrock.EndOfLife()}, wantCalls: 1, wantKind: chat.ErrModelConfig},
		{name: "access denied", scenarios: []fakebedrock.Scenario{fakebedrock.AccessDenied()}, wantCalls: 1, wantKind: chat.ErrModelConfig},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(9)))
			srv.Push(tt.scenarios...)
			text, _, err := collect(context.Background(), newModel(t, srv, converseConfig(haiku, &sleeps{})), hello())
			if text != tt.wantText || len(srv.Requests()) != tt.wantCalls {
				t.Errorf("text %q after %d calls, want %q after %d", text, len(srv.Requests()), tt.wantText, tt.wantCalls)
			}
			if (err != nil) != (tt.wantKind != nil) || (err != nil && !errors.Is(err, tt.wantKind)) {
				t.Fatalf("err = %v, want kind %v", err, tt.wantKind)
			}
			var pe *chat.PublicError
			if tt.invalid != "" && (!errors.As(err, &pe) || pe.Message != tt.invalid) {
				t.Errorf("err = %v, want Bedrock's message %q", err, tt.invalid)
			}
		})
	}
}

// TestConverseIdleTimeout: a Converse stream that stalls after its first
// token is given up on exactly IdleTimeout after its last event.
func TestConverseIdleTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newPipeFake(t, fakebedrock.WithScenario(fakebedrock.StallAfter(5, 2)))
		cfg := converseConfig(haiku, &sleeps{})
		cfg.IdleTimeout = 30 * time.Second
		text, last, err := timedCollect(newPipeModel(t, srv, cfg), hello())
		if text != "tok1 tok2 " || !errors.Is(err, bedrock.ErrIdleTimeout) || !errors.Is(err, chat.ErrUpstreamTimeout) {
			t.Fatalf("Stream = %q, %v; want the two tokens, then the idle timeout", text, err)
		}
		if took := time.Since(last); took != cfg.IdleTimeout {
			t.Errorf("gave up %v after the last token, want %v", took, cfg.IdleTimeout)
		}
		synctest.Wait()
		if opened, closed := srv.Streams(); opened != 1 || closed != 1 {
			t.Errorf("fake streams %d opened, %d closed", opened, closed)
		}
	})
}

// TestConverseFirstTokenTimeout: silence before the first token is the
// first-token timeout, a fallback case.
func TestConverseFirstTokenTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		srv := newPipeFake(t, fakebedrock.WithScenario(fakebedrock.Silent()))
		cfg := converseConfig(haiku, &sleeps{})
		cfg.FirstTokenTimeout = 5 * time.Second
		start := time.Now()
		_, _, err := timedCollect(newPipeModel(t, srv, cfg), hello())
		if !errors.Is(err, bedrock.ErrFirstTokenTimeout) || time.Since(start) != cfg.FirstTokenTimeout {
			t.Fatalf("err = %v after %v, want the first-token timeout after %v", err, time.Since(start), cfg.FirstTokenTimeout)
		}
		if reason, ok := bedrock.FallbackReason(err); !ok || reason != "first_token_timeout" {
			t.Errorf("FallbackReason = %q, %v", reason, ok)
		}
	})
}

// TestConverseGuardrail: the guardrail travels in guardrailConfig with its
// stream processing mode; an intervention ends the answer as
// content_filter.
func TestConverseGuardrail(t *testing.T) {
	t.Parallel()
	g := fakebedrock.Guardrail{ID: "gr-1", Version: "2", Word: "tok3", Message: "Sorry, I cannot answer that."}
	for _, async := range []bool{false, true} {
		srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(5)), fakebedrock.WithGuardrail(g))
		cfg := converseConfig(haiku, &sleeps{})
		cfg.GuardrailID, cfg.GuardrailVersion, cfg.GuardrailTrace, cfg.GuardrailStreamAsync = g.ID, g.Version, true, async
		a, err := ask(t, newModel(t, srv, cfg), hello())
		if err != nil || a.text != "tok1 tok2 "+g.Message || a.res.FinishReason != chat.FinishContentFilter {
			t.Errorf("async %v: answer %q, %+v, %v; want the guardrail's message and content_filter", async, a.text, a.res, err)
		}
		gc, _ := json.Marshal(converseBody(t, srv)["guardrailConfig"])
		mode := "sync"
		if async {
			mode = "async"
		}
		if want := `{"guardrailIdentifier":"gr-1","guardrailVersion":"2","streamProcessingMode":"` + mode + `","trace":"enabled"}`; string(gc) != want {
			t.Errorf("guardrailConfig = %s, want %s", gc, want)
		}
	}
}
