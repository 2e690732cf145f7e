package app_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

// The feature matrix: every family with a feature answers it with the
// right OpenAI chunks, through the whole gateway and the fake Bedrock;
// every family without it is refused by name. docs/models.md shows the
// same table.
var featureModels = []string{
	haiku, "us.amazon.nova-lite-v1:0", "meta.llama3-1-70b-instruct-v1:0", "us.meta.llama4-scout-17b-instruct-v1:0",
	"mistral.mixtral-8x7b-instruct-v0:1", "mistral.mistral-large-2407-v1:0", "amazon.titan-text-premier-v1:0",
	"openai.gpt-oss-20b-1:0", "us.deepseek.r1-v1:0", "deepseek.v3-v1:0", "qwen.qwen3-32b-v1:0",
}

var featureSupport = map[string]map[string]bool{
	"tools":            {haiku: true, "us.amazon.nova-lite-v1:0": true, "mistral.mistral-large-2407-v1:0": true, "openai.gpt-oss-20b-1:0": true, "deepseek.v3-v1:0": true, "qwen.qwen3-32b-v1:0": true},
	"images":           {haiku: true, "us.amazon.nova-lite-v1:0": true, "us.meta.llama4-scout-17b-instruct-v1:0": true},
	"reasoning_effort": {haiku: true, "openai.gpt-oss-20b-1:0": true},
}

func featureGateway(t *testing.T) string {
	t.Helper()
	fake := fakebedrock.New(fakebedrock.WithScenario(fakebedrock.Tokens(2)))
	t.Cleanup(fake.Close)
	h, err := build(t, map[string]string{"BEDROCK_MODEL_ID": haiku, "BEDROCK_MODELS": strings.Join(featureModels, ",")}, false, fakeAWS(fake.URL))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL
}

func postJSON(t *testing.T, url, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(url+"/v1/chat/completions", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { resp.Body.Close() })
	return resp
}

const weatherTools = `"tools":[{"type":"function","function":{"name":"get_weather","parameters":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]}}}]`

func TestFeatureMatrix(t *testing.T) {
	t.Parallel()
	url := featureGateway(t)
	requests := map[string]string{
		"tools":            `"messages":[{"role":"user","content":"Weather in Paris? Use get_weather."}],` + weatherTools,
		"images":           `"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,` + gatewaytest.PNG + `"}}]}]`,
		"reasoning_effort": `"messages":[{"role":"user","content":"Hi"}],"reasoning_effort":"low"`,
	}
	for feature, fields := range requests {
		for _, model := range featureModels {
			t.Run(feature+"/"+model, func(t *testing.T) {
				t.Parallel()
				resp := postJSON(t, url, `{"model":"`+model+`","stream":true,"stream_options":{"include_usage":true},`+fields+`}`)
				if !featureSupport[feature][model] {
					var e struct{ Error gatewaytest.Error }
					_ = json.NewDecoder(resp.Body).Decode(&e)
					param := feature
					if feature == "images" {
						param = "messages"
					}
					if resp.StatusCode != 400 || e.Error.Code != "unsupported_parameter" || e.Error.Param == nil || *e.Error.Param != param {
						t.Fatalf("%d %+v, want 400 unsupported_parameter naming %s", resp.StatusCode, e.Error, param)
					}
					return
				}
				chunks, done, err := gatewaytest.ReadStream(resp.Body)
				if err != nil || !done {
					t.Fatalf("stream: %v, done %v: %+v", err, done, chunks)
				}
				switch feature {
				case "tools":
					calls, err := gatewaytest.ToolCalls(chunks)
					if err != nil || len(calls) != 1 || calls[0].Name != "get_weather" || calls[0].Arguments != `{"city":"example"}` ||
						gatewaytest.FinishReason(chunks) != "tool_calls" || gatewaytest.Text(chunks) != "" {
						t.Errorf("tool calls %+v (%v), finish %q, text %q", calls, err, gatewaytest.FinishReason(chunks), gatewaytest.Text(chunks))
					}
				case "images":
					if got := gatewaytest.Text(chunks); !strings.HasPrefix(got, "I see 1 image(s): png 70 bytes.") {
						t.Errorf("text = %q", got)
					}
				case "reasoning_effort":
					if r, text := gatewaytest.Reasoning(chunks), gatewaytest.Text(chunks); r != "The user wrote to me. I will answer briefly." || text != "tok1 tok2 " {
						t.Errorf("reasoning %q, text %q", r, text)
					}
				}
			})
		}
	}
}

// TestToolConversationNotStreamed: the two steps of a tool conversation,
// not streamed, as a client that sends back the message it got.
func TestToolConversationNotStreamed(t *testing.T) {
	t.Parallel()
	url := featureGateway(t)
	for _, model := range []string{haiku, "us.amazon.nova-lite-v1:0", "openai.gpt-oss-20b-1:0", "mistral.mistral-large-2407-v1:0"} {
		t.Run(model, func(t *testing.T) {
			t.Parallel()
			user := `{"role":"user","content":"Weather in Paris? Use get_weather."}`
			resp := postJSON(t, url, `{"model":"`+model+`","reasoning_effort":`+effort(model)+`,"messages":[`+user+`],`+weatherTools+`}`)
			var first struct {
				Choices []struct {
					Message      json.RawMessage `json:"message"`
					FinishReason string          `json:"finish_reason"`
				} `json:"choices"`
			}
			body, _ := io.ReadAll(resp.Body)
			if err := json.Unmarshal(body, &first); err != nil || resp.StatusCode != 200 || first.Choices[0].FinishReason != "tool_calls" {
				t.Fatalf("first step: %d %s", resp.StatusCode, body)
			}
			var msg struct {
				ToolCalls []struct{ ID string } `json:"tool_calls"`
			}
			_ = json.Unmarshal(first.Choices[0].Message, &msg)
			result := `{"role":"tool","tool_call_id":"` + msg.ToolCalls[0].ID + `","content":"sunny"}`
			resp = postJSON(t, url, `{"model":"`+model+`","reasoning_effort":`+effort(model)+`,"messages":[`+user+`,`+string(first.Choices[0].Message)+`,`+result+`],`+weatherTools+`}`)
			var second struct {
				Choices []struct {
					Message struct{ Content string } `json:"message"`
				} `json:"choices"`
			}
			body, _ = io.ReadAll(resp.Body)
			if err := json.Unmarshal(body, &second); err != nil || resp.StatusCode != 200 || !strings.HasPrefix(second.Choices[0].Message.Content, "Tool result: sunny.") {
				t.Fatalf("second step: %d %s", resp.StatusCode, body)
			}
		})
	}
}

// effort asks for reasoning where the model has it: Claude's signed
// thinking must then come back with the tool call for the second step.
func effort(model string) string {
	if featureSupport["reasoning_effort"][model] {
		return `"low"`
	}
	return "null"
}
