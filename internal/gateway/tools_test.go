package gateway_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

const pngBase64 = gatewaytest.PNG

// capable is a model with tools, images and reasoning whose behaviour
// each test writes.
type capable struct {
	caps chat.Capabilities
	f    fakeModel
}

func (m capable) Stream(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
	return m.f(ctx, req, emit)
}

func (m capable) Capabilities() chat.Capabilities { return m.caps }

var allCaps = chat.Capabilities{Tools: true, Images: true, Reasoning: true}

// recording answers "ok" and hands each request it gets to got.
func recording(got chan<- *chat.Request) capable {
	return capable{caps: allCaps, f: func(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
		got <- req
		return chat.Result{}, emit(chat.Delta{Text: "ok"})
	}}
}

// script emits the given deltas and ends with res.
func script(res chat.Result, deltas ...chat.Delta) capable {
	return capable{caps: allCaps, f: func(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
		for _, d := range deltas {
			if err := emit(d); err != nil {
				return chat.Result{}, err
			}
		}
		return res, nil
	}}
}

func toolServer(t *testing.T, m chat.Model) *server {
	return newServer(t, func(c *gateway.Config) {
		c.Models = append([]gateway.ModelEntry{{ID: "smart", OwnedBy: "test", Model: m}}, c.Models...)
		c.Limits.MaxImages = 2
		c.Limits.MaxImageBytes = 1000
		c.Limits.MaxTools = 3
		c.Limits.MaxToolSchemaBytes = 200
	})
}

func TestToolRequestDecoding(t *testing.T) {
	t.Parallel()
	got := make(chan *chat.Request, 1)
	s := toolServer(t, recording(got))
	body := `{"model":"smart","messages":[
		{"role":"system","content":"be brief"},
		{"role":"user","content":[{"type":"text","text":"weather?"},{"type":"image_url","image_url":{"url":"data:image/jpeg;base64,` + pngBase64 + `","detail":"low"}}]},
		{"role":"assistant","content":null,"tool_calls":[{"id":"toolu_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},{"id":"toolu_2","type":"function","function":{"name":"get_time","arguments":""}}],
		 "reasoning_content":"I need the weather.","thinking_blocks":[{"type":"thinking","thinking":"I need the weather.","signature":"sig=="},{"type":"redacted_thinking","data":"opaque"}]},
		{"role":"tool","tool_call_id":"toolu_1","content":"18C, sunny"},
		{"role":"tool","tool_call_id":"toolu_2","content":[{"type":"text","text":"noon"}]}],
		"tools":[{"type":"function","function":{"name":"get_weather","description":"Weather by city","parameters":{"type":"object","properties":{"city":{"type":"string"}}},"strict":true}},
		         {"type":"function","function":{"name":"get_time"}}],
		"tool_choice":{"type":"function","function":{"name":"get_weather"}},"parallel_tool_calls":false,"reasoning_effort":"medium"}`
	resp := s.post(t, body)
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("status %d: %+v", resp.StatusCode, decodeError(t, resp))
	}
	r := <-got
	png, _ := base64.StdEncoding.DecodeString(pngBase64)
	if len(r.Tools) != 2 || r.Tools[0].Name != "get_weather" || r.Tools[0].Description != "Weather by city" ||
		string(r.Tools[0].Parameters) != `{"type":"object","properties":{"city":{"type":"string"}}}` ||
		string(r.Tools[1].Parameters) != `{"type":"object","properties":{}}` {
		t.Errorf("tools = %+v", r.Tools)
	}
	if r.ToolChoice != (chat.ToolChoice{Mode: chat.ToolFunction, Name: "get_weather"}) || r.ParallelToolCalls == nil || *r.ParallelToolCalls {
		t.Errorf("tool_choice = %+v, parallel = %v", r.ToolChoice, r.ParallelToolCalls)
	}
	if r.Reasoning != chat.EffortMedium {
		t.Errorf("reasoning = %q", r.Reasoning)
	}
	user := r.Messages[1]
	if user.Content != "weather?" || len(user.Parts) != 2 || user.Parts[1].Image == nil ||
		user.Parts[1].Image.MediaType != "image/png" || string(user.Parts[1].Image.Data) != string(png) {
		t.Errorf("user message = %+v (the media type must be the one the bytes show)", user)
	}
	a := r.Messages[2]
	wantCalls := []chat.ToolCall{{ID: "toolu_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}, {ID: "toolu_2", Name: "get_time", Arguments: "{}"}}
	if a.Role != chat.RoleAssistant || a.Content != "" || len(a.ToolCalls) != 2 || a.ToolCalls[0] != wantCalls[0] || a.ToolCalls[1] != wantCalls[1] {
		t.Errorf("assistant message = %+v", a)
	}
	if len(a.Thinking) != 2 || a.Thinking[0] != (chat.ThinkingBlock{Text: "I need the weather.", Signature: "sig=="}) || a.Thinking[1] != (chat.ThinkingBlock{Redacted: "opaque"}) {
		t.Errorf("thinking = %+v", a.Thinking)
	}
	if m := r.Messages[3]; m.Role != chat.RoleTool || m.ToolCallID != "toolu_1" || m.Content != "18C, sunny" {
		t.Errorf("tool message = %+v", m)
	}
	if m := r.Messages[4]; m.Role != chat.RoleTool || m.ToolCallID != "toolu_2" || m.Content != "noon" {
		t.Errorf("tool message = %+v", m)
	}
}

func TestToolRequestRefusals(t *testing.T) {
	t.Parallel()
	s := toolServer(t, recording(make(chan *chat.Request, 100)))
	user := `{"role":"user","content":"hi"}`
	call := `{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{}"}}]}`
	tool := `{"type":"function","function":{"name":"f"}}`
	img := func(url string) string {
		return `{"role":"user","content":[{"type":"image_url","image_url":{"url":"` + url + `"}}]}`
	}
	big := base64.StdEncoding.EncodeToString([]byte("\x89PNG\r\n\x1a\n" + strings.Repeat("x", 1000)))
	tests := []struct {
		name, fields, messages string
		code, param            string
	}{
		{name: "tools not an array", fields: `"tools":{}`, code: "invalid_type", param: "tools"},
		{name: "too many tools", fields: `"tools":[` + strings.Repeat(`{"type":"function","function":{"name":"a"}},`, 3) + tool + `]`, code: "invalid_value", param: "tools"},
		{name: "custom tool", fields: `"tools":[{"type":"custom","custom":{"name":"x"}}]`, code: "unsupported_parameter", param: "tools[0].type"},
		{name: "bad name", fields: `"tools":[{"type":"function","function":{"name":"a b"}}]`, code: "invalid_value", param: "tools[0].function.name"},
		{name: "duplicate name", fields: `"tools":[` + tool + `,` + tool + `]`, code: "invalid_value", param: "tools[1].function.name"},
		{name: "schema not an object", fields: `"tools":[{"type":"function","function":{"name":"f","parameters":[1]}}]`, code: "invalid_value", param: "tools[0].function.parameters"},
		{name: "schema too large", fields: `"tools":[{"type":"function","function":{"name":"f","parameters":{"description":"` + strings.Repeat("x", 200) + `"}}}]`, code: "invalid_value", param: "tools[0].function.parameters"},
		{name: "tool_choice without tools", fields: `"tool_choice":"auto"`, code: "invalid_value", param: "tool_choice"},
		{name: "tool_choice unknown mode", fields: `"tools":[` + tool + `],"tool_choice":"always"`, code: "invalid_value", param: "tool_choice"},
		{name: "tool_choice unknown function", fields: `"tools":[` + tool + `],"tool_choice":{"type":"function","function":{"name":"g"}}`, code: "invalid_value", param: "tool_choice.function.name"},
		{name: "parallel without tools", fields: `"parallel_tool_calls":true`, code: "invalid_value", param: "parallel_tool_calls"},
		{name: "reasoning effort unknown", fields: `"reasoning_effort":"extreme"`, code: "invalid_value", param: "reasoning_effort"},
		{name: "result without its call", messages: user + `,{"role":"tool","tool_call_id":"c1","content":"1"}`, code: "invalid_value", param: "messages[1].tool_call_id"},
		{name: "result for another call", messages: user + `,` + call + `,{"role":"tool","tool_call_id":"c2","content":"1"}`, code: "invalid_value", param: "messages[2].tool_call_id"},
		{name: "result twice", messages: user + `,` + call + `,{"role":"tool","tool_call_id":"c1","content":"1"},{"role":"tool","tool_call_id":"c1","content":"1"}`, code: "invalid_value", param: "messages[3].tool_call_id"},
		{name: "call without result", messages: user + `,` + call + `,` + user, code: "invalid_value", param: "messages[2]"},
		{name: "call without result at the end", messages: user + `,` + call, code: "invalid_value", param: "messages"},
		{name: "call arguments not JSON", messages: user + `,{"role":"assistant","tool_calls":[{"id":"c1","type":"function","function":{"name":"f","arguments":"{"}}]}`, code: "invalid_value", param: "messages[1].tool_calls[0].function.arguments"},
		{name: "call without id", messages: user + `,{"role":"assistant","tool_calls":[{"type":"function","function":{"name":"f"}}]}`, code: "invalid_value", param: "messages[1].tool_calls[0].id"},
		{name: "tool_calls on a user message", messages: `{"role":"user","content":"a","tool_calls":[]}`, code: "invalid_value", param: "messages[0].tool_calls"},
		{name: "legacy function_call", messages: user + `,{"role":"assistant","content":"a","function_call":{"name":"f"}}`, code: "unsupported_parameter", param: "messages[1].function_call"},
		{name: "thinking block unsigned", messages: user + `,{"role":"assistant","content":"a","thinking_blocks":[{"type":"thinking","thinking":"x"}]},` + user, code: "invalid_value", param: "messages[1].thinking_blocks[0]"},
		{name: "image in a system message", messages: `{"role":"system","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,` + pngBase64 + `"}}]},` + user, code: "invalid_value", param: "messages[0].content[0].type"},
		{name: "remote image", messages: img("http://example.com/cat.png"), code: "unsupported_parameter", param: "messages[0].content[0].image_url.url"},
		{name: "image not base64", messages: img("data:image/png,rawbytes"), code: "invalid_value", param: "messages[0].content[0].image_url.url"},
		{name: "image bad base64", messages: img("data:image/png;base64,!!!!"), code: "invalid_value", param: "messages[0].content[0].image_url.url"},
		{name: "image not an image", messages: img("data:image/png;base64," + base64.StdEncoding.EncodeToString([]byte("%PDF-1.4 hello"))), code: "invalid_image", param: "messages[0].content[0].image_url.url"},
		{name: "image too large", messages: img("data:image/png;base64," + big), code: "image_too_large", param: "messages[0].content[0].image_url.url"},
		{name: "too many images", messages: img("data:image/png;base64,"+pngBase64) + `,` + img("data:image/png;base64,"+pngBase64) + `,` + img("data:image/png;base64,"+pngBase64), code: "too_many_images", param: "messages[2].content[0].image_url.url"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			msgs := tt.messages
			if msgs == "" {
				msgs = user
			}
			body := `{"model":"smart","messages":[` + msgs + `]`
			if tt.fields != "" {
				body += "," + tt.fields
			}
			resp := s.post(t, body+"}")
			if resp.StatusCode != http.StatusBadRequest {
				t.Fatalf("status %d, want 400", resp.StatusCode)
			}
			e := decodeError(t, resp)
			if e.Code != tt.code || deref(e.Param) != tt.param {
				t.Errorf("code %q param %q (%s), want %q %q", e.Code, deref(e.Param), e.Message, tt.code, tt.param)
			}
		})
	}
}

// A model without a feature refuses it by name, and the fallback model
// never answers a request it could not honour.
func TestCapabilitiesRefusedByName(t *testing.T) {
	t.Parallel()
	failing := capable{caps: chat.Capabilities{Tools: true}, f: func(context.Context, *chat.Request, chat.Emit) (chat.Result, error) {
		return chat.Result{}, errors.New("throttled")
	}}
	s := newServer(t, func(c *gateway.Config) {
		c.Models = append([]gateway.ModelEntry{{ID: "tools-only", Model: failing}}, c.Models...)
	})
	for _, tt := range []struct{ body, param string }{
		{body: `{"model":"tools-only","reasoning_effort":"high","messages":[{"role":"user","content":"hi"}]}`, param: "reasoning_effort"},
		{body: `{"model":"tools-only","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,` + pngBase64 + `"}}]}]}`, param: "messages"},
		{body: `{"model":"eliza","tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"hi"}]}`, param: "tools"},
	} {
		resp := s.post(t, tt.body)
		e := decodeError(t, resp)
		if resp.StatusCode != 400 || e.Code != "unsupported_parameter" || deref(e.Param) != tt.param || !strings.Contains(e.Message, "not supported by model") {
			t.Errorf("%s: %d %+v, want 400 unsupported_parameter %s", tt.body, resp.StatusCode, e, tt.param)
		}
	}
	// With tools, a failure before the first token is the model's
	// failure: the text-only fallback does not answer instead.
	resp := s.post(t, `{"model":"tools-only","stream":true,"tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"hi"}]}`)
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode < 500 || strings.Contains(string(body), "eliza") || !strings.Contains(string(body), `"error"`) {
		t.Fatalf("status %d %s; want the model's failure, not the fallback's answer", resp.StatusCode, body)
	}
	// Without tools the same failure falls back as before.
	resp = s.post(t, `{"model":"tools-only","stream":true,"messages":[{"role":"user","content":"hi"}]}`)
	chunks, done, _ := readStream(t, resp.Body)
	if !done || len(chunks) == 0 || chunks[0].Model != "eliza" {
		t.Errorf("without tools: %+v; want ELIZA's answer", chunks)
	}
}

var toolAnswer = []chat.Delta{
	{Reasoning: "The user wants "},
	{Reasoning: "the weather."},
	{Thinking: &chat.ThinkingBlock{Signature: "c2lnbmVk"}},
	{Text: "Let me check."},
	{ToolCall: &chat.ToolCallDelta{Index: 0, ID: "toolu_01", Name: "get_weather"}},
	{ToolCall: &chat.ToolCallDelta{Index: 0, Arguments: `{"city":`}},
	{ToolCall: &chat.ToolCallDelta{Index: 0, Arguments: `"Paris"}`}},
	{ToolCall: &chat.ToolCallDelta{Index: 1, ID: "toolu_02", Name: "get_time", Arguments: "{}"}},
}

var toolResult = chat.Result{FinishReason: chat.FinishToolCalls, Usage: chat.Usage{PromptTokens: 20, CompletionTokens: 30, ReasoningTokens: 12}}

func TestStreamedToolCallsAndReasoning(t *testing.T) {
	t.Parallel()
	s := toolServer(t, script(toolResult, toolAnswer...))
	resp := s.post(t, `{"model":"smart","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"weather?"}],"tools":[{"type":"function","function":{"name":"get_weather"}}]}`)
	chunks, done, _ := readStream(t, resp.Body)
	if !done {
		t.Fatal("no [DONE]")
	}
	if r := chunks[0].Choices[0].Delta; r.Role == nil || *r.Role != "assistant" || r.ReasoningContent == nil || r.Content != nil {
		t.Errorf("first delta = %+v, want the role and reasoning, no content", r)
	}
	if got := gatewaytest.Reasoning(chunks); got != "The user wants the weather." {
		t.Errorf("reasoning = %q", got)
	}
	if got := text(chunks); got != "Let me check." {
		t.Errorf("content = %q: reasoning must never be mixed into content", got)
	}
	calls, err := gatewaytest.ToolCalls(chunks)
	if err != nil {
		t.Fatal(err)
	}
	want := []gatewaytest.ToolCall{{ID: "toolu_01", Name: "get_weather", Arguments: `{"city":"Paris"}`}, {ID: "toolu_02", Name: "get_time", Arguments: "{}"}}
	if len(calls) != 2 || calls[0] != want[0] || calls[1] != want[1] {
		t.Errorf("tool calls = %+v, want %+v", calls, want)
	}
	var blocks []gatewaytest.ThinkingBlock
	for _, c := range chunks {
		for _, ch := range c.Choices {
			blocks = append(blocks, ch.Delta.ThinkingBlocks...)
		}
	}
	if len(blocks) != 1 || blocks[0].Type != "thinking" || blocks[0].Signature != "c2lnbmVk" {
		t.Errorf("thinking blocks = %+v", blocks)
	}
	if got := gatewaytest.FinishReason(chunks); got != "tool_calls" {
		t.Errorf("finish_reason = %q, want tool_calls", got)
	}
	u := chunks[len(chunks)-1].Usage
	if u == nil || u.CompletionTokensDetails == nil || u.CompletionTokensDetails.ReasoningTokens != 12 || u.TotalTokens != 50 {
		t.Errorf("usage = %+v", u)
	}
}

func TestNonStreamedToolCallsAndReasoning(t *testing.T) {
	t.Parallel()
	s := toolServer(t, script(toolResult, toolAnswer...))
	resp := s.post(t, `{"model":"smart","messages":[{"role":"user","content":"weather?"}],"tools":[{"type":"function","function":{"name":"get_weather"}}]}`)
	var c struct {
		Choices []struct {
			Message      json.RawMessage `json:"message"`
			FinishReason string          `json:"finish_reason"`
		} `json:"choices"`
		Usage struct {
			CompletionTokensDetails struct {
				ReasoningTokens int `json:"reasoning_tokens"`
			} `json:"completion_tokens_details"`
		} `json:"usage"`
	}
	if err := jsonDecode(resp, &c); err != nil {
		t.Fatal(err)
	}
	want := `{"role":"assistant","content":"Let me check.","reasoning_content":"The user wants the weather.",` +
		`"tool_calls":[{"id":"toolu_01","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\"}"}},` +
		`{"id":"toolu_02","type":"function","function":{"name":"get_time","arguments":"{}"}}],` +
		`"thinking_blocks":[{"type":"thinking","thinking":"The user wants the weather.","signature":"c2lnbmVk"}]}`
	if len(c.Choices) != 1 || string(c.Choices[0].Message) != want || c.Choices[0].FinishReason != "tool_calls" {
		t.Errorf("choice = %s %s\nwant message %s", c.Choices[0].Message, c.Choices[0].FinishReason, want)
	}
	if c.Usage.CompletionTokensDetails.ReasoningTokens != 12 {
		t.Errorf("usage = %+v", c.Usage)
	}

	// Only tool calls: content is null, as OpenAI's is.
	s = toolServer(t, script(toolResult, chat.Delta{ToolCall: &chat.ToolCallDelta{ID: "c", Name: "f", Arguments: "{}"}}))
	resp = s.post(t, `{"model":"smart","messages":[{"role":"user","content":"go"}],"tools":[{"type":"function","function":{"name":"f"}}]}`)
	var only struct {
		Choices []struct {
			Message map[string]json.RawMessage `json:"message"`
		} `json:"choices"`
	}
	if err := jsonDecode(resp, &only); err != nil {
		t.Fatal(err)
	}
	m := only.Choices[0].Message
	if string(m["content"]) != "null" || m["reasoning_content"] != nil || m["thinking_blocks"] != nil {
		t.Errorf("tool-call-only message = %v", m)
	}
}
