package gateway_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

func TestBadRequests(t *testing.T) {
	t.Parallel()
	s := newServer(t, func(c *gateway.Config) { c.MaxBodyBytes = 4096 })
	many := `{"messages":[` + strings.Repeat(`{"role":"user","content":"x"},`, 200) + `{"role":"user","content":"x"}]}`
	tests := []struct {
		name, method, path, ctype, body string
		status                          int
		typ, code, param                string
	}{
		{name: "malformed JSON", body: `{"messages":`, status: 400, typ: "invalid_request_error", code: "invalid_json"},
		{name: "not an object", body: `[1,2]`, status: 400, typ: "invalid_request_error", code: "invalid_type"},
		{name: "two objects", body: `{"messages":[{"role":"user","content":"a"}]} {}`, status: 400, code: "invalid_json"},
		{name: "wrong type", body: `{"messages":"hi"}`, status: 400, code: "invalid_type", param: "messages"},
		{name: "stream not bool", body: `{"stream":"yes","messages":[{"role":"user","content":"a"}]}`, status: 400, code: "invalid_type", param: "stream"},
		{name: "no messages", body: `{"model":"echo"}`, status: 400, code: "invalid_value", param: "messages"},
		{name: "empty messages", body: `{"messages":[]}`, status: 400, code: "invalid_value", param: "messages"},
		{name: "no user message", body: `{"messages":[{"role":"system","content":"a"}]}`, status: 400, code: "invalid_value", param: "messages"},
		{name: "bad role", body: `{"messages":[{"role":"wizard","content":"a"}]}`, status: 400, code: "invalid_value", param: "messages[0].role"},
		{name: "tool message without a call", body: `{"messages":[{"role":"tool","content":"a"}]}`, status: 400, code: "invalid_value", param: "messages[0].tool_call_id"},
		{name: "function role", body: `{"messages":[{"role":"function","content":"a"}]}`, status: 400, code: "unsupported_parameter", param: "messages[0].role"},
		{name: "null content", body: `{"messages":[{"role":"user","content":null}]}`, status: 400, code: "invalid_value", param: "messages[0].content"},
		{name: "number content", body: `{"messages":[{"role":"user","content":5}]}`, status: 400, code: "invalid_type", param: "messages[0].content"},
		{name: "image not a data URL", body: `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}`, status: 400, code: "invalid_value", param: "messages[0].content[0].image_url.url"},
		{name: "remote image", body: `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"https://example.com/a.png"}}]}]}`, status: 400, code: "unsupported_parameter", param: "messages[0].content[0].image_url.url"},
		{name: "image for a text model", body: `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,` + pngBase64 + `"}}]}]}`, status: 400, code: "unsupported_parameter", param: "messages"},
		{name: "audio part", body: `{"messages":[{"role":"user","content":[{"type":"input_audio","input_audio":{}}]}]}`, status: 400, code: "unsupported_parameter", param: "messages[0].content[0].type"},
		{name: "invalid UTF-8", body: "{\"messages\":[{\"role\":\"user\",\"content\":\"\xff\"}]}", status: 400, code: "invalid_encoding"},
		{name: "too many messages", body: many, status: 413, code: "body_too_large"},
		{name: "unknown model", body: `{"model":"gpt-9","messages":[{"role":"user","content":"a"}]}`, status: 400, code: "model_not_found", param: "model"},
		{name: "n=2", body: `{"n":2,"messages":[{"role":"user","content":"a"}]}`, status: 400, code: "unsupported_parameter", param: "n"},
		{name: "tools for a text model", body: `{"tools":[{"type":"function","function":{"name":"f"}}],"messages":[{"role":"user","content":"a"}]}`, status: 400, code: "unsupported_parameter", param: "tools"},
		{name: "tool without function", body: `{"tools":[{"type":"function"}],"messages":[{"role":"user","content":"a"}]}`, status: 400, code: "invalid_value", param: "tools[0].function"},
		{name: "reasoning for a text model", body: `{"reasoning_effort":"low","messages":[{"role":"user","content":"a"}]}`, status: 400, code: "unsupported_parameter", param: "reasoning_effort"},
		{name: "legacy functions", body: `{"functions":[{"name":"f"}],"messages":[{"role":"user","content":"a"}]}`, status: 400, code: "unsupported_parameter", param: "functions"},
		{name: "json schema", body: `{"response_format":{"type":"json_schema"},"messages":[{"role":"user","content":"a"}]}`, status: 400, code: "unsupported_parameter", param: "response_format"},
		{name: "penalty", body: `{"presence_penalty":1,"messages":[{"role":"user","content":"a"}]}`, status: 400, code: "unsupported_parameter", param: "presence_penalty"},
		{name: "temperature", body: `{"temperature":3,"messages":[{"role":"user","content":"a"}]}`, status: 400, code: "invalid_value", param: "temperature"},
		{name: "top_p", body: `{"top_p":-1,"messages":[{"role":"user","content":"a"}]}`, status: 400, code: "invalid_value", param: "top_p"},
		{name: "max_tokens 0", body: `{"max_tokens":0,"messages":[{"role":"user","content":"a"}]}`, status: 400, code: "invalid_value", param: "max_tokens"},
		{name: "max_completion_tokens neg", body: `{"max_completion_tokens":-1,"messages":[{"role":"user","content":"a"}]}`, status: 400, code: "invalid_value", param: "max_completion_tokens"},
		{name: "five stops", body: `{"stop":["a","b","c","d","e"],"messages":[{"role":"user","content":"a"}]}`, status: 400, code: "invalid_value", param: "stop"},
		{name: "stop number", body: `{"stop":5,"messages":[{"role":"user","content":"a"}]}`, status: 400, code: "invalid_type", param: "stop"},
		{name: "stream_options without stream", body: `{"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"a"}]}`, status: 400, code: "invalid_value", param: "stream_options"},
		{name: "form content type", ctype: "application/x-www-form-urlencoded", body: `a=b`, status: 415, code: "unsupported_media_type"},
		{name: "no content type", ctype: "-", body: `{}`, status: 415, code: "unsupported_media_type"},
		{name: "body too large", body: `{"messages":[{"role":"user","content":"` + strings.Repeat("x", 5000) + `"}]}`, status: 413, typ: "invalid_request_error", code: "body_too_large"},
		{name: "unknown path", method: "GET", path: "/v1/nope", status: 404, typ: "not_found_error", code: "not_found"},
		{name: "GET completions", method: "GET", path: "/v1/chat/completions", status: 405, code: "method_not_allowed"},
		{name: "DELETE models", method: "DELETE", path: "/v1/models", status: 405, code: "method_not_allowed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			method, path, ctype := "POST", "/v1/chat/completions", "application/json"
			if tt.method != "" {
				method = tt.method
			}
			if tt.path != "" {
				path = tt.path
			}
			if tt.ctype != "" {
				ctype = tt.ctype
			}
			req, _ := http.NewRequest(method, s.URL+path, strings.NewReader(tt.body))
			if ctype != "-" {
				req.Header.Set("Content-Type", ctype)
			}
			resp, err := s.Client().Do(req)
			if err != nil {
				t.Fatal(err)
			}
			defer resp.Body.Close()
			if resp.StatusCode != tt.status {
				t.Errorf("status = %d, want %d", resp.StatusCode, tt.status)
			}
			if resp.Header.Get("X-Content-Type-Options") != "nosniff" {
				t.Errorf("error response without X-Content-Type-Options: nosniff")
			}
			if resp.StatusCode == 405 && resp.Header.Get("Allow") == "" {
				t.Errorf("405 without Allow header")
			}
			e := decodeError(t, resp)
			if tt.typ != "" && e.Type != tt.typ {
				t.Errorf("type = %q, want %q", e.Type, tt.typ)
			}
			if e.Code != tt.code {
				t.Errorf("code = %q, want %q (message %q)", e.Code, tt.code, e.Message)
			}
			if got := deref(e.Param); got != tt.param {
				t.Errorf("param = %q, want %q", got, tt.param)
			}
			if e.Message == "" {
				t.Errorf("empty message")
			}
		})
	}
}

func TestTooManyMessages(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	body := func(n int) string {
		return `{"messages":[` + strings.TrimSuffix(strings.Repeat(`{"role":"user","content":"x"},`, n), ",") + `]}`
	}
	if resp := s.post(t, body(200)); resp.StatusCode != 200 {
		t.Errorf("200 messages: status %d, want 200", resp.StatusCode)
	}
	resp := s.post(t, body(201))
	if resp.StatusCode != 400 {
		t.Fatalf("201 messages: status %d, want 400", resp.StatusCode)
	}
	if e := decodeError(t, resp); e.Code != "too_many_messages" {
		t.Errorf("code = %q", e.Code)
	}
}

func TestMaxTokensIsCapped(t *testing.T) {
	t.Parallel()
	got := make(chan int, 2)
	s := newServer(t, func(c *gateway.Config) {
		c.Limits.MaxTokens = 50
		c.Models[0].Model = capture(got)
	})
	for _, tc := range []struct {
		body string
		want int
	}{
		{`{"max_tokens":5000,"messages":[{"role":"user","content":"a"}]}`, 50},
		{`{"max_tokens":5000,"max_completion_tokens":7,"messages":[{"role":"user","content":"a"}]}`, 7},
	} {
		if resp := s.post(t, tc.body); resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
		if n := <-got; n != tc.want {
			t.Errorf("%s: model saw max tokens %d, want %d", tc.body, n, tc.want)
		}
	}
}

func deref(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func TestModelsAndHealth(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	resp, err := s.Client().Get(s.URL + "/v1/models")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var list struct {
		Object string `json:"object"`
		Data   []struct {
			ID      string `json:"id"`
			Object  string `json:"object"`
			OwnedBy string `json:"owned_by"`
		} `json:"data"`
	}
	if err := jsonDecode(resp, &list); err != nil {
		t.Fatal(err)
	}
	if list.Object != "list" || len(list.Data) != 2 || list.Data[0].ID != "echo" || list.Data[1].ID != "eliza" ||
		list.Data[0].Object != "model" || list.Data[1].OwnedBy != "chatbot" {
		t.Errorf("models = %+v", list)
	}
	h, err := s.Client().Get(s.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	h.Body.Close()
	if h.StatusCode != 200 {
		t.Errorf("healthz status %d", h.StatusCode)
	}
}

func TestConfigErrors(t *testing.T) {
	t.Parallel()
	m := words("x")
	for _, tc := range []struct {
		name string
		cfg  gateway.Config
	}{
		{"no models", gateway.Config{}},
		{"empty id", gateway.Config{Models: []gateway.ModelEntry{{Model: m}}}},
		{"duplicate", gateway.Config{Models: []gateway.ModelEntry{{ID: "a", Model: m}, {ID: "a", Model: m}}}},
		{"unknown default", gateway.Config{Models: []gateway.ModelEntry{{ID: "a", Model: m}}, DefaultModel: "b"}},
		{"unknown fallback", gateway.Config{Models: []gateway.ModelEntry{{ID: "a", Model: m}}, FallbackModel: "b"}},
	} {
		if _, err := gateway.New(tc.cfg); err == nil {
			t.Errorf("%s: New accepted an invalid config", tc.name)
		}
	}
}

func TestRequestLogLine(t *testing.T) {
	t.Parallel()
	s := newServer(t, nil)
	resp := s.post(t, hello)
	readStream(t, resp.Body)
	s.logs.waitFor(t, func() bool { return len(s.logs.lines(t, "request")) == 1 })
	l := s.logs.lines(t, "request")[0]
	for k, want := range map[string]any{
		"method": "POST", "path": "/v1/chat/completions", "status": float64(200), "model": "echo",
		"output_tokens": float64(3), "outcome": "complete", "request_id": resp.Header.Get("X-Request-Id"),
	} {
		if l[k] != want {
			t.Errorf("log %s = %v, want %v", k, l[k], want)
		}
	}
	for _, k := range []string{"ttfb_ms", "ttft_ms", "duration_ms"} {
		if _, ok := l[k].(float64); !ok {
			t.Errorf("log line lacks %s: %v", k, l)
		}
	}
	if fmt.Sprint(l["request_id"]) == "" {
		t.Errorf("no request id")
	}
}
