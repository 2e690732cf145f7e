package chatcompletions

import (
	"encoding/json"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

func FuzzDecodeRequest(f *testing.F) {
	for _, s := range []string{
		`{"messages":[{"role":"user","content":"hi"}]}`,
		`{"model":"eliza","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"system","content":"x"},{"role":"user","content":[{"type":"text","text":"a"},{"type":"text","text":"b"}]}],"max_tokens":5,"temperature":0.5,"top_p":1,"stop":["x"],"seed":1}`,
		`{"messages":[{"role":"user","content":null}]}`,
		`{"messages":[],"n":2}`,
		`{"stop":"x","messages":[{"role":"assistant","content":"a"},{"role":"user","content":"b"}]}`,
		`[]`, `null`, `{"messages":"x"}`, "\xff",
		`{"tools":[{"type":"function","function":{"name":"f","parameters":{"type":"object"}}}],"tool_choice":"required","parallel_tool_calls":false,"reasoning_effort":"low","messages":[{"role":"user","content":"a"},{"role":"assistant","content":null,"tool_calls":[{"id":"1","type":"function","function":{"name":"f","arguments":"{}"}}],"thinking_blocks":[{"type":"thinking","thinking":"t","signature":"s"}]},{"role":"tool","tool_call_id":"1","content":"r"}]}`,
		`{"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="}}]}]}`,
	} {
		f.Add([]byte(s))
	}
	lim := gatewaytest.FuzzLimits
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeRequest(body, lim)
		if gatewaytest.Refused(t, err) {
			return
		}
		gatewaytest.CheckAccepted(t, &p.req, lim, lim.MaxMessages)
	})
}

func TestChunksAreValidJSON(t *testing.T) {
	t.Parallel()
	c := newChunker("chatcmpl-1", 42, `we"ird`)
	// The chunker reuses its buffer, so each frame is checked before the next.
	for _, frame := range []func() []byte{
		func() []byte { return c.delta("first") },
		func() []byte { return c.delta("second \"quoted\"\n") },
		func() []byte { return c.frame(chat.Delta{Reasoning: "why \"so\"", Text: "\u2028"}) },
		func() []byte { return c.frame(chat.Delta{Thinking: &chat.ThinkingBlock{Signature: "s\"ig"}}) },
		func() []byte { return c.frame(chat.Delta{Thinking: &chat.ThinkingBlock{Redacted: "r"}}) },
		func() []byte {
			return c.frame(chat.Delta{ToolCall: &chat.ToolCallDelta{Index: 1, ID: "c\"1", Name: "f", Arguments: `{"a":`}})
		},
		func() []byte { return c.frame(chat.Delta{ToolCall: &chat.ToolCallDelta{Index: 1, Arguments: `"\n"}`}}) },
		func() []byte { return c.finish(chat.FinishLength) },
		func() []byte { return c.usage(chat.Usage{PromptTokens: 1, CompletionTokens: 2, ReasoningTokens: 1}) },
		func() []byte { return errorFrame(nil, &gateway.Error{Message: "m\n", Type: "t", Code: "c"}) },
	} {
		if b := frame(); !json.Valid(b) {
			t.Errorf("invalid JSON: %s", b)
		}
	}
}
