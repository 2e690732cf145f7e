package gateway_test

import (
	"encoding/base64"
	"encoding/json"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

const weatherTool = `{"type":"function","name":"get_weather","description":"The weather in a city","parameters":{"type":"object","properties":{"city":{"type":"string"}}}}`

// thinkingAnswer reasons, signs its reasoning, says a word and calls a tool.
func thinkingAnswer() chat.Model {
	return script(chat.Result{FinishReason: chat.FinishToolCalls, Usage: chat.Usage{PromptTokens: 9, CompletionTokens: 12, ReasoningTokens: 5}},
		chat.Delta{Reasoning: "Let me"},
		chat.Delta{Reasoning: " think"},
		chat.Delta{Thinking: &chat.ThinkingBlock{Signature: "sig"}},
		chat.Delta{Text: "Checking."},
		chat.Delta{ToolCall: &chat.ToolCallDelta{Index: 0, ID: "call_1", Name: "get_weather"}},
		chat.Delta{ToolCall: &chat.ToolCallDelta{Index: 0, Arguments: `{"city":`}},
		chat.Delta{ToolCall: &chat.ToolCallDelta{Index: 0, Arguments: `"Paris"}`}},
	)
}

// checkThinkingOutput checks the output of thinkingAnswer: a reasoning
// item carrying the signed block, the message, the function call.
func checkThinkingOutput(t *testing.T, out []gatewaytest.OutputItem) {
	t.Helper()
	if len(out) != 3 || out[0].Type != "reasoning" || out[1].Type != "message" || out[2].Type != "function_call" {
		t.Fatalf("output = %+v, want reasoning, message, function_call", out)
	}
	if len(out[0].Summary) != 1 || out[0].Summary[0].Text != "Let me think" || out[0].EncryptedContent == nil {
		t.Errorf("reasoning item = %+v", out[0])
	} else if b, err := base64.StdEncoding.DecodeString(*out[0].EncryptedContent); err != nil ||
		string(b) != `[{"type":"thinking","thinking":"Let me think","signature":"sig"}]` {
		t.Errorf("encrypted_content = %s (%v), want the signed block", b, err)
	}
	if out[1].Content[0].Text != "Checking." {
		t.Errorf("message = %+v", out[1])
	}
	if c := out[2]; c.CallID != "call_1" || c.Name != "get_weather" || *c.Arguments != `{"city":"Paris"}` || c.Status != "completed" {
		t.Errorf("function call = %+v", c)
	}
}

func TestResponsesStreamReasoningTextAndCall(t *testing.T) {
	t.Parallel()
	s := toolServer(t, thinkingAnswer())
	st := readResponses(t, s.postResponses(t, `{"model":"smart","stream":true,"input":"weather?","tools":[`+weatherTool+`],"reasoning":{"effort":"low"}}`))
	want := "created in_progress " +
		"output_item.added reasoning_summary_part.added reasoning_summary_text.delta reasoning_summary_text.delta " +
		"reasoning_summary_text.done reasoning_summary_part.done output_item.done " +
		"output_item.added content_part.added output_text.delta output_text.done content_part.done output_item.done " +
		"output_item.added function_call_arguments.delta function_call_arguments.delta function_call_arguments.done output_item.done completed"
	if got := eventTypes(st); got != want {
		t.Errorf("events:\n got %s\nwant %s", got, want)
	}
	if st.Reasoning != "Let me think" || st.Text != "Checking." {
		t.Errorf("reasoning %q, text %q", st.Reasoning, st.Text)
	}
	checkThinkingOutput(t, st.Final.Output)
	if d := st.Final.Usage.OutputTokensDetails; d == nil || *d.ReasoningTokens != 5 {
		t.Errorf("usage %+v, want 5 reasoning tokens", st.Final.Usage)
	}
	if st.Final.Status != "completed" {
		t.Errorf("status %q: a tool call completes the response", st.Final.Status)
	}
}

func TestResponsesToolRoundTrip(t *testing.T) {
	t.Parallel()
	// Without streaming, the same output.
	s := toolServer(t, thinkingAnswer())
	resp := s.postResponses(t, `{"model":"smart","input":"weather?","tools":[`+weatherTool+`],"reasoning":{"effort":"low"}}`)
	var first struct {
		gatewaytest.Response
		Raw []json.RawMessage `json:"output"`
	}
	if err := jsonDecode(resp, &first); err != nil {
		t.Fatal(err)
	}
	var r gatewaytest.Response
	if b, _ := json.Marshal(first.Raw); json.Unmarshal([]byte(`{"output":`+string(b)+`}`), &r) != nil {
		t.Fatal("output does not decode")
	}
	checkThinkingOutput(t, r.Output)

	// The output goes back as input, with the call's output: the model gets
	// its signed reasoning, its text and call, and the result.
	got := make(chan *chat.Request, 1)
	s2 := toolServer(t, recording(got))
	input := []json.RawMessage{json.RawMessage(`{"role":"user","content":"weather?"}`)}
	input = append(input, first.Raw...)
	input = append(input, json.RawMessage(`{"type":"function_call_output","call_id":"call_1","output":"18C"}`))
	body, _ := json.Marshal(map[string]any{"model": "smart", "input": input, "tools": json.RawMessage(`[` + weatherTool + `]`),
		"tool_choice": json.RawMessage(`{"type":"function","name":"get_weather"}`), "parallel_tool_calls": false, "reasoning": map[string]string{"effort": "high"}})
	if resp := s2.postResponses(t, string(body)); resp.StatusCode != 200 {
		t.Fatalf("round trip: status %d: %+v", resp.StatusCode, decodeError(t, resp))
	}
	req := <-got
	if len(req.Messages) != 3 {
		t.Fatalf("messages = %+v, want user, assistant, tool", req.Messages)
	}
	a := req.Messages[1]
	if a.Role != chat.RoleAssistant || a.Content != "Checking." || len(a.ToolCalls) != 1 || len(a.Thinking) != 1 ||
		a.ToolCalls[0] != (chat.ToolCall{ID: "call_1", Name: "get_weather", Arguments: `{"city":"Paris"}`}) ||
		a.Thinking[0] != (chat.ThinkingBlock{Text: "Let me think", Signature: "sig"}) {
		t.Errorf("assistant message = %+v", a)
	}
	if m := req.Messages[2]; m.Role != chat.RoleTool || m.ToolCallID != "call_1" || m.Content != "18C" {
		t.Errorf("tool message = %+v", m)
	}
	if len(req.Tools) != 1 || req.Tools[0].Name != "get_weather" || !strings.Contains(string(req.Tools[0].Parameters), `"city"`) ||
		req.ToolChoice != (chat.ToolChoice{Mode: chat.ToolFunction, Name: "get_weather"}) ||
		req.ParallelToolCalls == nil || *req.ParallelToolCalls || req.Reasoning != chat.EffortHigh {
		t.Errorf("request = tools %+v, choice %+v, parallel %v, reasoning %q", req.Tools, req.ToolChoice, req.ParallelToolCalls, req.Reasoning)
	}
}

func TestResponsesImageAndToolRules(t *testing.T) {
	t.Parallel()
	got := make(chan *chat.Request, 1)
	s := toolServer(t, recording(got))
	resp := s.postResponses(t, `{"model":"smart","input":[{"role":"user","content":[{"type":"input_text","text":"What is this?"},`+
		`{"type":"input_image","image_url":"data:image/png;base64,`+pngBase64+`","detail":"low"}]}]}`)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %+v", resp.StatusCode, decodeError(t, resp))
	}
	m := (<-got).Messages[0]
	if len(m.Parts) != 2 || m.Parts[1].Image == nil || m.Parts[1].Image.MediaType != "image/png" || m.Content != "What is this?" {
		t.Errorf("user message = %+v", m)
	}
	// The rules of chat completions, named in Responses terms.
	for _, tt := range []struct{ body, param string }{
		{`{"model":"smart","input":"x","tools":[{"type":"function","name":"bad name"}]}`, "tools[0].name"},
		{`{"model":"smart","input":"x","tools":[` + weatherTool + `,` + weatherTool + `]}`, "tools[1].name"},
		{`{"model":"smart","input":"x","tools":[` + weatherTool + `],"tool_choice":{"type":"function","name":"other"}}`, "tool_choice.name"},
		{`{"model":"smart","input":"x","tools":[` + weatherTool + `],"tool_choice":{"type":"allowed_tools","tools":[]}}`, "tool_choice"},
		{`{"model":"smart","input":[{"role":"user","content":[{"type":"input_image","image_url":"data:image/png;base64,AA=="}]}]}`, "input[0].content[0].image_url"},
		{`{"model":"smart","input":[{"role":"user","content":"x"},{"type":"function_call","call_id":"a","name":"f","arguments":"{}"},{"type":"function_call","call_id":"a","name":"g","arguments":"{}"},{"type":"function_call_output","call_id":"a","output":"x"}]}`, "input[2].call_id"},
		{`{"model":"smart","input":[{"role":"assistant","content":[{"type":"input_image","image_url":"data:image/png;base64,` + pngBase64 + `"}]},{"role":"user","content":"x"}]}`, "input[0].content[0].type"},
	} {
		resp := s.postResponses(t, tt.body)
		e := decodeError(t, resp)
		if resp.StatusCode != 400 || deref(e.Param) != tt.param || strings.Contains(e.Message, "messages[") {
			t.Errorf("%s: status %d, error %+v (param %q), want param %q", tt.body, resp.StatusCode, e, deref(e.Param), tt.param)
		}
	}
}

func TestResponsesLengthStopWithCall(t *testing.T) {
	t.Parallel()
	s := toolServer(t, script(chat.Result{FinishReason: chat.FinishLength},
		chat.Delta{ToolCall: &chat.ToolCallDelta{Index: 0, ID: "call_1", Name: "get_weather"}},
		chat.Delta{ToolCall: &chat.ToolCallDelta{Index: 0, Arguments: `{"ci`}}))
	st := readResponses(t, s.postResponses(t, `{"model":"smart","stream":true,"input":"x","tools":[`+weatherTool+`]}`))
	if st.Terminal != gatewaytest.Incomplete || len(st.Final.Output) != 1 || st.Final.Output[0].Status != "incomplete" {
		t.Errorf("terminal %s, output %+v", st.Terminal, st.Final.Output)
	}
}
