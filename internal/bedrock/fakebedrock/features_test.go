package fakebedrock_test

import (
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

func postTo(tb testing.TB, srv *fakebedrock.Server, model, body string) *http.Response {
	tb.Helper()
	req, err := http.NewRequest(http.MethodPost, srv.URL+"/model/"+model+"/invoke-with-response-stream", strings.NewReader(body))
	if err != nil {
		tb.Fatal(err)
	}
	req.Header.Set("Authorization", goodAuth)
	req.Header.Set("X-Amz-Date", "20250101T000000Z")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { resp.Body.Close() })
	return resp
}

const (
	claude = "anthropic.claude-3-5-haiku-20241022-v1%3A0"
	png    = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
	tools  = `"tools":[{"name":"f","input_schema":{"type":"object"}}]`
)

// TestRejectsWhatBedrockRejects: bodies with tools, images or thinking
// that Bedrock refuses with a ValidationException, the fake refuses too.
func TestRejectsWhatBedrockRejects(t *testing.T) {
	t.Parallel()
	srv := fakebedrock.New()
	t.Cleanup(srv.Close)
	claudeBody := func(extra, messages string) string {
		return `{"anthropic_version":"bedrock-2023-05-31","max_tokens":3000` + extra + `,"messages":[` + messages + `]}`
	}
	call := `{"role":"assistant","content":[{"type":"tool_use","id":"t1","name":"f","input":{}}]}`
	result := func(id string) string {
		return `{"role":"user","content":[{"type":"tool_result","tool_use_id":"` + id + `","content":"ok"}]}`
	}
	user := `{"role":"user","content":"Hi"}`
	tests := []struct {
		name, model, body, want string
	}{
		{"result without its tool use", claude, claudeBody(","+tools, user+","+call+","+result("t2")), "unexpected `tool_use_id`"},
		{"tool use without its result", claude, claudeBody(","+tools, user+","+call+","+user), "without `tool_result`"},
		{"tool blocks without tools", claude, claudeBody("", user+","+call+","+result("t1")), "must define tools"},
		{"thinking with a forced tool", claude, claudeBody(`,"thinking":{"type":"enabled","budget_tokens":1024},"tool_choice":{"type":"any"},`+tools, user), "forces tool use"},
		{"thinking budget at max_tokens", claude, claudeBody(`,"thinking":{"type":"enabled","budget_tokens":3000}`, user), "budget_tokens"},
		{"thinking with temperature", claude, claudeBody(`,"temperature":0.5,"thinking":{"type":"enabled","budget_tokens":1024}`, user), "temperature"},
		{"tool loop without its thinking", claude, claudeBody(`,"thinking":{"type":"enabled","budget_tokens":1024},`+tools, user+","+call+","+result("t1")), "must start with a thinking block"},
		{"changed thinking", claude, claudeBody(`,"thinking":{"type":"enabled","budget_tokens":1024},`+tools,
			user+`,{"role":"assistant","content":[{"type":"thinking","thinking":"x","signature":"forged"},{"type":"tool_use","id":"t1","name":"f","input":{}}]},`+result("t1")), "signature"},
		{"image data not PNG", claude, claudeBody("", `{"role":"user","content":[{"type":"image","source":{"type":"base64","media_type":"image/png","data":"aGVsbG8="}}]}`), "does not match"},
		{"image for Llama 3", "meta.llama3-1-70b-instruct-v1%3A0", `{"prompt":"<|begin_of_text|>x","max_gen_len":5,"images":["` + png + `"]}`, "image input"},
		{"Llama 4 images without tokens", "meta.llama4-scout-17b-instruct-v1%3A0", `{"prompt":"<|begin_of_text|>x","max_gen_len":5,"images":["` + png + `"]}`, "image tokens"},
		{"image for gpt-oss", "openai.gpt-oss-20b-1%3A0", `{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,` + png + `"}}]}]}`, "text content only"},
		{"tool message without its call", "openai.gpt-oss-20b-1%3A0", `{"messages":[{"role":"user","content":"Hi"},{"role":"tool","tool_call_id":"c1","content":"ok"}]}`, "tool message must follow"},
		{"Nova result without its use", "amazon.nova-lite-v1%3A0", `{"messages":[{"role":"user","content":[{"text":"Hi"}]},{"role":"assistant","content":[{"toolUse":{"toolUseId":"a","name":"f","input":{}}}]},{"role":"user","content":[{"toolResult":{"toolUseId":"b","content":[{"text":"x"}]}}]}],"toolConfig":{"tools":[{"toolSpec":{"name":"f","inputSchema":{"json":{}}}}]}}`, "tool_use_id"},
		{"DeepSeek R1 without its template", "us.deepseek.r1-v1%3A0", `{"prompt":"Hi","max_tokens":5}`, "begin▁of▁sentence"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp := postTo(t, srv, tt.model, tt.body)
			msg, _ := io.ReadAll(resp.Body)
			if resp.StatusCode != 400 || resp.Header.Get("X-Amzn-ErrorType") != "ValidationException" || !strings.Contains(string(msg), tt.want) {
				t.Errorf("%d %s %s, want 400 ValidationException containing %q", resp.StatusCode, resp.Header.Get("X-Amzn-ErrorType"), msg, tt.want)
			}
		})
	}
}
