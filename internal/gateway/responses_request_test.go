package gateway_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

func TestResponsesRefusals(t *testing.T) {
	t.Parallel()
	many := strings.Repeat(`{"role":"user","content":"x"},`, 200) + `{"role":"user","content":"x"}`
	var meta []string
	for i := range 17 {
		meta = append(meta, fmt.Sprintf(`"k%d":"v"`, i))
	}
	tests := []struct {
		name, body, param, code string
		says                    string // the message names the refused thing
	}{
		{name: "previous_response_id", body: `{"input":"hi","previous_response_id":"resp_1"}`, param: "previous_response_id", code: "unsupported_parameter", says: "previous_response_id"},
		{name: "conversation", body: `{"input":"hi","conversation":"conv_1"}`, param: "conversation", code: "unsupported_parameter", says: "conversation"},
		{name: "conversation object", body: `{"input":"hi","conversation":{"id":"conv_1"}}`, param: "conversation", code: "unsupported_parameter"},
		{name: "prompt", body: `{"input":"hi","prompt":{"id":"pmpt_1"}}`, param: "prompt", code: "unsupported_parameter", says: "prompt"},
		{name: "store true", body: `{"input":"hi","store":true}`, param: "store", code: "unsupported_parameter", says: "store"},
		{name: "background", body: `{"input":"hi","background":true}`, param: "background", code: "unsupported_parameter", says: "background"},
		{name: "include", body: `{"input":"hi","include":["message.output_text.logprobs"]}`, param: "include[0]", code: "unsupported_parameter", says: "message.output_text.logprobs"},
		{name: "web search", body: `{"input":"hi","tools":[{"type":"web_search"}]}`, param: "tools[0].type", code: "unsupported_parameter", says: `"web_search"`},
		{name: "file search", body: `{"input":"hi","tools":[{"type":"file_search","vector_store_ids":["v"]}]}`, param: "tools[0].type", code: "unsupported_parameter", says: `"file_search"`},
		{name: "code interpreter", body: `{"input":"hi","tools":[{"type":"code_interpreter"}]}`, param: "tools[0].type", code: "unsupported_parameter", says: `"code_interpreter"`},
		{name: "computer use", body: `{"input":"hi","tools":[{"type":"computer_use_preview"}]}`, param: "tools[0].type", code: "unsupported_parameter", says: `"computer_use_preview"`},
		{name: "function tool for a model without tools", body: `{"input":"hi","tools":[{"type":"function","name":"f","parameters":{}}]}`, param: "tools", code: "unsupported_parameter", says: `"echo"`},
		{name: "custom tool", body: `{"input":"hi","tools":[{"type":"custom","name":"f"}]}`, param: "tools[0].type", code: "unsupported_parameter", says: `"custom"`},
		{name: "tools not an array", body: `{"input":"hi","tools":{}}`, param: "tools", code: "invalid_type"},
		{name: "tool_choice required", body: `{"input":"hi","tool_choice":"required"}`, param: "tool_choice", code: "invalid_value"},
		{name: "max_tool_calls", body: `{"input":"hi","max_tool_calls":2}`, param: "max_tool_calls", code: "unsupported_parameter"},
		{name: "reasoning effort for a model without it", body: `{"input":"hi","reasoning":{"effort":"low"}}`, param: "reasoning.effort", code: "unsupported_parameter", says: "reasoning.effort"},
		{name: "reasoning effort unknown", body: `{"input":"hi","reasoning":{"effort":"max"}}`, param: "reasoning.effort", code: "invalid_value", says: "reasoning.effort"},
		{name: "reasoning summary unknown", body: `{"input":"hi","reasoning":{"summary":"verbose"}}`, param: "reasoning.summary", code: "invalid_value", says: "reasoning.summary"},
		{name: "json schema", body: `{"input":"hi","text":{"format":{"type":"json_schema","name":"x","schema":{}}}}`, param: "text.format", code: "unsupported_parameter", says: "text.format"},
		{name: "verbosity", body: `{"input":"hi","text":{"verbosity":"low"}}`, param: "text.verbosity", code: "unsupported_parameter"},
		{name: "truncation auto", body: `{"input":"hi","truncation":"auto"}`, param: "truncation", code: "unsupported_parameter"},
		{name: "service tier", body: `{"input":"hi","service_tier":"flex"}`, param: "service_tier", code: "unsupported_parameter"},
		{name: "top_logprobs", body: `{"input":"hi","top_logprobs":3}`, param: "top_logprobs", code: "unsupported_parameter"},
		{name: "item_reference", body: `{"input":[{"role":"user","content":"hi"},{"type":"item_reference","id":"msg_1"}]}`, param: "input[1].type", code: "unsupported_parameter", says: "item_reference"},
		{name: "function_call without output", body: `{"input":[{"role":"user","content":"hi"},{"type":"function_call","call_id":"c","name":"f","arguments":"{}"}]}`, param: "input", code: "invalid_value", says: "function_call_output"},
		{name: "function_call bad name", body: `{"input":[{"role":"user","content":"hi"},{"type":"function_call","call_id":"c","name":"a b","arguments":"{}"},{"type":"function_call_output","call_id":"c","output":"x"}]}`, param: "input[1].name", code: "invalid_value"},
		{name: "function_call bad arguments", body: `{"input":[{"role":"user","content":"hi"},{"type":"function_call","call_id":"c","name":"f","arguments":"[1]"},{"type":"function_call_output","call_id":"c","output":"x"}]}`, param: "input[1].arguments", code: "invalid_value"},
		{name: "function_call_output unknown call", body: `{"input":[{"role":"user","content":"hi"},{"type":"function_call_output","call_id":"c","output":"x"}]}`, param: "input[1].call_id", code: "invalid_value", says: "function_call_output"},
		{name: "reasoning item not ours", body: `{"input":[{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAAA"},{"role":"user","content":"hi"}]}`, param: "input[0].encrypted_content", code: "invalid_value"},
		{name: "reasoning item last", body: `{"input":[{"role":"user","content":"hi"},{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"W10="}]}`, param: "input[1]", code: "invalid_value"},
		{name: "remote image", body: `{"input":[{"role":"user","content":[{"type":"input_text","text":"what"},{"type":"input_image","image_url":"https://example.com/a.png"}]}]}`, param: "input[0].content[1].image_url", code: "unsupported_parameter"},
		{name: "image file id", body: `{"input":[{"role":"user","content":[{"type":"input_image","file_id":"file_1"}]}]}`, param: "input[0].content[0].file_id", code: "unsupported_parameter"},
		{name: "image for a model without images", body: `{"input":[{"role":"user","content":[{"type":"input_image","image_url":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="}]}]}`, param: "input", code: "unsupported_parameter", says: `"echo"`},
		{name: "file part", body: `{"input":[{"role":"user","content":[{"type":"input_file","file_id":"f"}]}]}`, param: "input[0].content[0].type", code: "unsupported_parameter", says: `"input_file"`},
		{name: "output_text from the user", body: `{"input":[{"role":"user","content":[{"type":"output_text","text":"x"}]}]}`, param: "input[0].content[0].type", code: "unsupported_parameter"},
		{name: "no input", body: `{"model":"echo"}`, param: "input", code: "invalid_value"},
		{name: "empty input", body: `{"input":[]}`, param: "input", code: "invalid_value"},
		{name: "input a number", body: `{"input":3}`, param: "input", code: "invalid_type"},
		{name: "no user message", body: `{"input":[{"role":"assistant","content":"hi"}]}`, param: "input", code: "invalid_value"},
		{name: "bad role", body: `{"input":[{"role":"tool","content":"hi"}]}`, param: "input[0].role", code: "invalid_value"},
		{name: "empty parts", body: `{"input":[{"role":"user","content":[]}]}`, param: "input[0].content", code: "invalid_value"},
		{name: "too many items", body: `{"input":[` + many + `]}`, param: "input", code: "too_many_messages"},
		{name: "too many metadata keys", body: `{"input":"hi","metadata":{` + strings.Join(meta, ",") + `}}`, param: "metadata", code: "invalid_value"},
		{name: "metadata value too long", body: `{"input":"hi","metadata":{"k":"` + strings.Repeat("v", 513) + `"}}`, param: "metadata.k", code: "invalid_value"},
		{name: "metadata not strings", body: `{"input":"hi","metadata":{"k":1}}`, param: "metadata", code: "invalid_type"},
		{name: "max_output_tokens zero", body: `{"input":"hi","max_output_tokens":0}`, param: "max_output_tokens", code: "invalid_value"},
		{name: "temperature", body: `{"input":"hi","temperature":3}`, param: "temperature", code: "invalid_value"},
		{name: "top_p", body: `{"input":"hi","top_p":1.5}`, param: "top_p", code: "invalid_value"},
		{name: "unknown model", body: `{"model":"gpt-9","input":"hi"}`, param: "model", code: "model_not_found"},
		{name: "not JSON", body: `{"input":`, param: "", code: "invalid_json"},
		{name: "two objects", body: `{"input":"hi"}{}`, param: "", code: "invalid_json"},
	}
	s := newServer(t, nil)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := s.postResponses(t, tt.body)
			if resp.StatusCode != 400 {
				t.Fatalf("status = %d, want 400", resp.StatusCode)
			}
			e := decodeError(t, resp)
			param := ""
			if e.Param != nil {
				param = *e.Param
			}
			if param != tt.param || e.Code != tt.code || e.Type != "invalid_request_error" {
				t.Errorf("error = %+v (param %q), want param %q code %q", e, param, tt.param, tt.code)
			}
			if !strings.Contains(e.Message, tt.says) {
				t.Errorf("message %q does not name %s", e.Message, tt.says)
			}
		})
	}
}

// TestResponsesAccepted: neutral values of the refused options, as SDKs
// send them, are accepted.
func TestResponsesAccepted(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	for _, body := range []string{
		`{"input":"hi","store":false,"background":false,"include":[],"tools":[],"tool_choice":"auto","parallel_tool_calls":false}`,
		`{"input":"hi","reasoning":{},"text":{"format":{"type":"text"},"verbosity":"medium"},"truncation":"disabled","service_tier":"auto"}`,
		`{"input":"hi","previous_response_id":null,"conversation":null,"reasoning":{"effort":null,"summary":"auto"},"top_logprobs":0,"prompt_cache_key":"k"}`,
		`{"input":[{"type":"reasoning","id":"rs_1","summary":[{"type":"summary_text","text":"x"}]},{"role":"user","content":"hi"}],"include":["reasoning.encrypted_content"]}`,
		`{"input":"hi","stream":true,"stream_options":{"include_obfuscation":false}}`,
		`{"input":[{"type":"message","role":"user","content":[{"type":"input_text","text":"hi"}]}]}`,
	} {
		resp := s.postResponses(t, body)
		if resp.StatusCode != 200 {
			t.Errorf("%s: status %d: %+v", body, resp.StatusCode, decodeError(t, resp))
		}
	}
}

func TestResponsesInputBecomesConversation(t *testing.T) {
	t.Parallel()
	got := make(chan chat.Request, 1)
	s := newServer(t, func(c *gateway.Config) {
		c.Limits.MaxTokens = 100
		c.Models[0].Model = fakeModel(func(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
			got <- *req
			return chat.Result{}, emit(chat.Delta{Text: "ok"})
		})
	})
	resp := s.postResponses(t, `{"model":"echo","instructions":"Be brief.","max_output_tokens":5000,"temperature":0.2,"top_p":0.9,"user":"u1","input":[
		{"role":"developer","content":"Speak French."},
		{"role":"user","content":[{"type":"input_text","text":"Hello"},{"type":"input_text","text":"there"}]},
		{"type":"message","role":"assistant","content":[{"type":"output_text","text":"Bonjour","annotations":[]}],"id":"msg_1","status":"completed"},
		{"role":"user","content":"Again"}]}`)
	if resp.StatusCode != 200 {
		t.Fatalf("status %d: %+v", resp.StatusCode, decodeError(t, resp))
	}
	req := <-got
	want := []chat.Message{
		{Role: chat.RoleSystem, Content: "Be brief."},
		{Role: chat.RoleSystem, Content: "Speak French."},
		{Role: chat.RoleUser, Content: "Hello\nthere"},
		{Role: chat.RoleAssistant, Content: "Bonjour"},
		{Role: chat.RoleUser, Content: "Again"},
	}
	if fmt.Sprint(req.Messages) != fmt.Sprint(want) {
		t.Errorf("messages = %v, want %v", req.Messages, want)
	}
	if req.MaxTokens != 100 || *req.Temperature != 0.2 || *req.TopP != 0.9 || req.User != "u1" || req.Model != "echo" {
		t.Errorf("request = %+v; want max tokens capped at 100", req)
	}

	// A string input is one user message; without max_output_tokens the cap applies.
	s.postResponses(t, `{"input":"just this"}`)
	req = <-got
	if len(req.Messages) != 1 || fmt.Sprint(req.Messages[0]) != fmt.Sprint(chat.Message{Role: chat.RoleUser, Content: "just this"}) || req.MaxTokens != 100 {
		t.Errorf("string input: %+v", req)
	}
}

func TestResponsesMethodAndAuth(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) {
		c.Auth = authFunc(func(_ *http.Request, body []byte) (*gateway.Caller, error) {
			return nil, &auth.Error{Kind: auth.ErrBadPayloadHash, Code: "payload_hash_mismatch"}
		})
	})
	resp := s.postResponses(t, `{"input":"hi"}`)
	if e := decodeError(t, resp); resp.StatusCode != 400 || e.Code != "payload_hash_mismatch" {
		t.Errorf("status %d, error %+v", resp.StatusCode, e)
	}
	get, err := s.Client().Get(s.URL + "/v1/responses")
	if err != nil {
		t.Fatal(err)
	}
	get.Body.Close()
	if get.StatusCode != 405 || get.Header.Get("Allow") != "POST" {
		t.Errorf("GET: status %d, Allow %q", get.StatusCode, get.Header.Get("Allow"))
	}
}

func TestResponsesCORS(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) { c.AllowedOrigins = []string{"https://chat.example.com"} })
	for _, tt := range []struct {
		origin string
		status int
		allow  string
	}{{"https://chat.example.com", http.StatusNoContent, "https://chat.example.com"}, {"https://evil.example", http.StatusForbidden, ""}} {
		req, _ := http.NewRequest(http.MethodOptions, s.URL+"/v1/responses", nil)
		req.Header.Set("Origin", tt.origin)
		req.Header.Set("Access-Control-Request-Method", "POST")
		req.Header.Set("Access-Control-Request-Headers", "content-type, authorization, x-stainless-os")
		resp, err := s.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status || resp.Header.Get("Access-Control-Allow-Origin") != tt.allow {
			t.Errorf("preflight from %s: status %d, allow %q", tt.origin, resp.StatusCode, resp.Header.Get("Access-Control-Allow-Origin"))
		}
	}
	req, _ := http.NewRequest(http.MethodPost, s.URL+"/v1/responses", strings.NewReader(responsesHello))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Origin", "https://chat.example.com")
	resp, err := s.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.Header.Get("Access-Control-Allow-Origin") != "https://chat.example.com" {
		t.Errorf("POST from an allowed origin: Allow-Origin %q", resp.Header.Get("Access-Control-Allow-Origin"))
	}
	if st := readResponses(t, resp); st.Terminal != "response.completed" {
		t.Errorf("terminal %s", st.Terminal)
	}
}
