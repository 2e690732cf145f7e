package bedrock_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

func tool(index int, id, name, args string) chat.Delta {
	return chat.Delta{ToolCall: &chat.ToolCallDelta{Index: index, ID: id, Name: name, Arguments: args}}
}

// TestDecodeFeatures reads each family's tool, reasoning and thinking
// chunks and checks every delta, in order.
func TestDecodeFeatures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture string
		family  bedrock.Family
		want    []chat.Delta
		res     chat.Result
	}{
		{
			fixture: "anthropic-tools", family: bedrock.FamilyAnthropic,
			want: []chat.Delta{
				{Reasoning: "The user wants "}, {Reasoning: "the weather."},
				{Thinking: &chat.ThinkingBlock{Signature: "EqQBCgIYAhIM"}},
				{Thinking: &chat.ThinkingBlock{Redacted: "EmwKAhgB"}},
				{Text: "Let me check."},
				tool(0, "toolu_01A", "get_weather", ""), tool(0, "", "", `{"city": `), tool(0, "", "", `"Paris"}`),
				tool(1, "toolu_01B", "get_time", ""), tool(1, "", "", `{}`),
			},
			res: chat.Result{FinishReason: chat.FinishToolCalls, Usage: chat.Usage{PromptTokens: 50, CompletionTokens: 80}},
		},
		{
			fixture: "nova-tools", family: bedrock.FamilyNova,
			want: []chat.Delta{
				{Text: "Checking."},
				tool(0, "tooluse_abc", "get_weather", ""), tool(0, "", "", `{"city":`), tool(0, "", "", `"Paris"}`),
			},
			res: chat.Result{FinishReason: chat.FinishToolCalls, Usage: chat.Usage{PromptTokens: 40, CompletionTokens: 20}},
		},
		{
			fixture: "mistral-chat-tools", family: bedrock.FamilyMistralChat,
			want: []chat.Delta{tool(0, "D681PevKs", "get_weather", `{"city": "Paris"}`)},
			res:  chat.Result{FinishReason: chat.FinishToolCalls, Usage: chat.Usage{PromptTokens: 30, CompletionTokens: 12}},
		},
		{
			// The reasoning tags arrive split over chunks.
			fixture: "gpt-oss", family: bedrock.FamilyGPTOSS,
			want: []chat.Delta{
				{Reasoning: "Paris is in "}, {Reasoning: "France."}, {Text: "It is sunny."},
				tool(0, "call_1", "get_weather", ""), tool(0, "", "", `{"city":"Paris"}`),
			},
			res: chat.Result{FinishReason: chat.FinishToolCalls, Usage: chat.Usage{PromptTokens: 20, CompletionTokens: 30, ReasoningTokens: 9}},
		},
		{
			// The prompt ends inside <think>: the answer starts as reasoning.
			fixture: "deepseek-r1", family: bedrock.FamilyDeepSeek,
			want: []chat.Delta{{Reasoning: "The user says hi."}, {Reasoning: "\n"}, {Text: "Hello!"}},
			res:  chat.Result{FinishReason: chat.FinishStop, Usage: chat.Usage{PromptTokens: 12, CompletionTokens: 9}},
		},
		{
			fixture: "qwen3", family: bedrock.FamilyQwen3,
			want: []chat.Delta{{Reasoning: "Thinking."}, {Text: "Hi there."}},
			res:  chat.Result{FinishReason: chat.FinishStop, Usage: chat.Usage{PromptTokens: 8, CompletionTokens: 5}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			got, res, ended, err := bedrock.DecodeDeltas(tt.family, chunks(t, tt.fixture))
			if err != nil || !ended {
				t.Fatalf("decode: %v, ended %v", err, ended)
			}
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("deltas:\n%s\nwant:\n%s", show(got), show(tt.want))
			}
			if res != tt.res {
				t.Errorf("result = %+v, want %+v", res, tt.res)
			}
		})
	}
}

func show(ds []chat.Delta) string {
	var b strings.Builder
	for _, d := range ds {
		j, _ := json.Marshal(d)
		b.Write(j)
		b.WriteByte('\n')
	}
	return b.String()
}

// TestTagSplitterAtEveryBoundary cuts a tagged answer at every byte and
// checks that the reasoning and the answer come out the same.
func TestTagSplitterAtEveryBoundary(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		family            bedrock.Family
		text              string
		reasoning, answer string
	}{
		{bedrock.FamilyGPTOSS, "<reasoning>a < b </reason</reasoning>\n\nYes, <b>bold</b>.", "a < b </reason", "Yes, <b>bold</b>."},
		{bedrock.FamilyGPTOSS, "No reasoning here <reasoning", "", "No reasoning here <reasoning"},
		{bedrock.FamilyQwen3, "<think>\nhmm\n</think>\n\nDone", "hmm\n", "Done"},
		{bedrock.FamilyDeepSeek, "x</think>y", "x", "y"},
		{bedrock.FamilyDeepSeek, "never closes </thin", "never closes </thin", ""},
	} {
		for cut := 0; cut <= len(tt.text); cut++ {
			payloads := [][]byte{chunkOf(tt.family, tt.text[:cut]), chunkOf(tt.family, tt.text[cut:])}
			deltas, _, _, err := bedrock.DecodeDeltas(tt.family, payloads)
			if err != nil {
				t.Fatal(err)
			}
			var r, a string
			for _, d := range deltas {
				r += d.Reasoning
				a += d.Text
			}
			if r != tt.reasoning || a != tt.answer {
				t.Errorf("%s cut at %d: reasoning %q answer %q, want %q %q", tt.family, cut, r, a, tt.reasoning, tt.answer)
			}
		}
	}
}

// chunkOf is a text chunk of family f.
func chunkOf(f bedrock.Family, text string) []byte {
	q, _ := json.Marshal(text)
	if f == bedrock.FamilyDeepSeek {
		return []byte(`{"choices":[{"text":` + string(q) + `}]}`)
	}
	return []byte(`{"choices":[{"delta":{"content":` + string(q) + `}}]}`)
}

var png, _ = base64.StdEncoding.DecodeString("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")

// toolConversation is a two-step tool conversation: the user asks with an
// image, the model called two tools, the client sends their results and
// a follow-up.
func toolConversation(thinking []chat.ThinkingBlock) *chat.Request {
	return &chat.Request{
		MaxTokens: 200,
		Messages: []chat.Message{
			{Role: chat.RoleSystem, Content: "Answer briefly."},
			{Role: chat.RoleUser, Content: "What is the weather here?", Parts: []chat.Part{
				{Text: "What is the weather here?"}, {Image: &chat.Image{MediaType: "image/png", Data: png}},
			}},
			{Role: chat.RoleAssistant, Content: "Let me check.", Thinking: thinking, ToolCalls: []chat.ToolCall{
				{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`},
				{ID: "call_2", Name: "get_time", Arguments: `{}`},
			}},
			{Role: chat.RoleTool, ToolCallID: "call_1", Content: "18C, sunny"},
			{Role: chat.RoleTool, ToolCallID: "call_2", Content: "noon"},
			{Role: chat.RoleUser, Content: "And tomorrow?"},
		},
		Tools: []chat.Tool{
			{Name: "get_weather", Description: "Weather by city", Parameters: []byte(`{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}`)},
			{Name: "get_time", Parameters: []byte(`{"type":"object","properties":{}}`)},
		},
	}
}

func textOnly(req *chat.Request) *chat.Request {
	r := *req
	r.Messages = append([]chat.Message(nil), req.Messages...)
	r.Messages[1].Parts = nil
	return &r
}

// TestFeatureBodiesGolden compares the body of each family's tool, image
// and reasoning requests with testdata/golden.
func TestFeatureBodiesGolden(t *testing.T) {
	t.Parallel()
	signed := []chat.ThinkingBlock{{Text: "I need the weather.", Signature: "c2ln"}, {Redacted: "cmVk"}}
	withEffort := func(r *chat.Request, e chat.ReasoningEffort, c chat.ToolChoice, parallel *bool) *chat.Request {
		r.Reasoning, r.ToolChoice, r.ParallelToolCalls = e, c, parallel
		return r
	}
	no := false
	imageOnly := &chat.Request{MaxTokens: 50, Messages: []chat.Message{
		{Role: chat.RoleUser, Content: "Describe\nthis:", Parts: []chat.Part{{Text: "Describe <|image|>"}, {Image: &chat.Image{MediaType: "image/png", Data: png}}, {Text: "this:"}}},
	}}
	tests := []struct {
		golden string
		family bedrock.Family
		req    *chat.Request
	}{
		{"anthropic-tools-thinking", bedrock.FamilyAnthropic, withEffort(toolConversation(signed), chat.EffortLow, chat.ToolChoice{}, &no)},
		// The client dropped the signed thinking: thinking is off for this
		// continuation, and the tool choice names a function.
		{"anthropic-tools-unsigned", bedrock.FamilyAnthropic, withEffort(toolConversation(nil), chat.EffortLow, chat.ToolChoice{Mode: chat.ToolFunction, Name: "get_time"}, nil)},
		{"nova-tools", bedrock.FamilyNova, withEffort(toolConversation(signed), "", chat.ToolChoice{Mode: chat.ToolRequired}, nil)},
		{"mistral-chat-tools", bedrock.FamilyMistralChat, withEffort(textOnly(toolConversation(nil)), "", chat.ToolChoice{Mode: chat.ToolFunction, Name: "get_weather"}, nil)},
		{"llama4-image", bedrock.FamilyLlama4, imageOnly},
		{"gpt-oss-tools", bedrock.FamilyGPTOSS, withEffort(textOnly(toolConversation(nil)), chat.EffortMinimal, chat.ToolChoice{Mode: chat.ToolRequired}, &no)},
		{"qwen3-tools", bedrock.FamilyQwen3, textOnly(toolConversation(nil))},
		{"deepseek-v3-tools", bedrock.FamilyDeepSeekV3, withEffort(textOnly(toolConversation(nil)), "", chat.ToolChoice{Mode: chat.ToolNone}, nil)},
		{"deepseek-r1", bedrock.FamilyDeepSeek, &chat.Request{MaxTokens: 100, Messages: []chat.Message{
			{Role: chat.RoleSystem, Content: "Be terse."}, {Role: chat.RoleUser, Content: "Hi <｜Assistant｜>"},
			{Role: chat.RoleAssistant, Content: "Hello."}, {Role: chat.RoleUser, Content: "Why?"},
		}}},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			body, err := bedrock.Body(tt.family, tt.req, "")
			if err != nil {
				t.Fatal(err)
			}
			golden(t, tt.golden, body)
		})
	}
}

func golden(t *testing.T, name string, body []byte) {
	t.Helper()
	var got bytes.Buffer
	if err := json.Indent(&got, body, "", "  "); err != nil {
		t.Fatalf("body is not JSON: %v\n%s", err, body)
	}
	got.WriteByte('\n')
	path := filepath.Join("testdata", "golden", name+".json")
	if *update {
		if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with -update to create)", err)
	}
	if !bytes.Equal(got.Bytes(), want) {
		t.Errorf("body differs from %s:\n%s", path, got.Bytes())
	}
}

// TestFeatureRefusals: what a family cannot do is refused by name, before
// Bedrock is called.
func TestFeatureRefusals(t *testing.T) {
	t.Parallel()
	hello := []chat.Message{{Role: chat.RoleUser, Content: "hi"}}
	withTools := &chat.Request{MaxTokens: 5, Messages: hello, Tools: []chat.Tool{{Name: "f", Parameters: []byte(`{}`)}}}
	withImage := &chat.Request{MaxTokens: 5, Messages: []chat.Message{{Role: chat.RoleUser, Content: "x", Parts: []chat.Part{{Image: &chat.Image{MediaType: "image/png", Data: png}}}}}}
	withEffort := &chat.Request{MaxTokens: 5, Messages: hello, Reasoning: chat.EffortHigh}
	tests := []struct {
		id    string
		req   *chat.Request
		param string
	}{
		{id: "meta.llama3-1-70b-instruct-v1:0", req: withTools, param: "tools"},
		{id: "meta.llama3-1-70b-instruct-v1:0", req: withImage, param: "images"},
		{id: "mistral.mistral-large-2407-v1:0", req: withImage, param: "images"},
		{id: "mistral.mixtral-8x7b-instruct-v0:1", req: withTools, param: "tools"},
		{id: "amazon.titan-text-premier-v1:0", req: withTools, param: "tools"},
		{id: "us.amazon.nova-lite-v1:0", req: withEffort, param: "reasoning_effort"},
		{id: "openai.gpt-oss-20b-1:0", req: withImage, param: "images"},
		{id: "us.deepseek.r1-v1:0", req: withEffort, param: "reasoning_effort"},
		{id: "us.deepseek.r1-v1:0", req: withTools, param: "tools"},
		{id: "qwen.qwen3-32b-v1:0", req: withImage, param: "images"},
		{id: "us.meta.llama4-scout-17b-instruct-v1:0", req: withTools, param: "tools"},
	}
	srv := newFake(t)
	for _, tt := range tests {
		_, _, err := collect(context.Background(), newModel(t, srv, testConfig(tt.id, &sleeps{})), tt.req)
		var pe *chat.PublicError
		if !errors.As(err, &pe) || pe.Param != tt.param || pe.Code != "unsupported_parameter" {
			t.Errorf("%s: err = %v, want a refusal naming %s", tt.id, err, tt.param)
		}
	}
	forced := toolConversation([]chat.ThinkingBlock{{Text: "t", Signature: "s"}})
	forced.Reasoning, forced.ToolChoice = chat.EffortLow, chat.ToolChoice{Mode: chat.ToolRequired}
	_, _, err := collect(context.Background(), newModel(t, srv, testConfig(haiku, &sleeps{})), forced)
	var pe *chat.PublicError
	if !errors.As(err, &pe) || pe.Param != "reasoning_effort" {
		t.Errorf("Claude thinking with a forced tool: err = %v, want a refusal naming reasoning_effort", err)
	}
	none := toolConversation(nil)
	none.ToolChoice = chat.ToolChoice{Mode: chat.ToolNone}
	_, _, err = collect(context.Background(), newModel(t, srv, testConfig("us.amazon.nova-lite-v1:0", &sleeps{})), none)
	if !errors.As(err, &pe) || pe.Param != "tool_choice" {
		t.Errorf("Nova tool_choice none with tool history: err = %v, want a refusal naming tool_choice", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("Bedrock was called %d times", n)
	}
	for f, want := range map[bedrock.Family]chat.Capabilities{
		bedrock.FamilyAnthropic: {Tools: true, Images: true, Reasoning: true},
		bedrock.FamilyNova:      {Tools: true, Images: true},
		bedrock.FamilyLlama4:    {Images: true},
		bedrock.FamilyTitan:     {},
		bedrock.FamilyGPTOSS:    {Tools: true, Reasoning: true},
	} {
		if got := f.Capabilities(); got != want {
			t.Errorf("%s can do %+v, want %+v", f, got, want)
		}
	}
}
