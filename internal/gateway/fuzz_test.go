package gateway

import (
	"encoding/json"
	"testing"
	"unicode/utf8"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// fuzzLimits are the limits both request decoders are fuzzed under.
var fuzzLimits = limits{maxMessages: 200, maxTokens: 1024, maxTools: 8, maxToolSchemaBytes: 1024, maxImages: 2, maxImageBytes: 1024}

// refusedClearly reports whether a decoder refused the body, and fails
// unless the refusal is a clear 400.
func refusedClearly(t *testing.T, err error) bool {
	t.Helper()
	if err == nil {
		return false
	}
	if e := toAPIError(err); e.Status != 400 || e.Message == "" || e.Code == "" {
		t.Fatalf("rejection %+v is not a clear 400", e)
	}
	return true
}

// checkAccepted fails unless an accepted request is within fuzzLimits (with
// at most maxMessages messages), of valid UTF-8, with a user message.
func checkAccepted(t *testing.T, r chat.Request, maxMessages int) {
	t.Helper()
	if len(r.Messages) == 0 || len(r.Messages) > maxMessages || r.MaxTokens < 1 || r.MaxTokens > fuzzLimits.maxTokens {
		t.Fatalf("accepted an out-of-limit request: %d messages, max tokens %d", len(r.Messages), r.MaxTokens)
	}
	users := 0
	for _, m := range r.Messages {
		if !utf8.ValidString(m.Content) {
			t.Fatalf("accepted invalid UTF-8 content")
		}
		if m.Role == chat.RoleUser {
			users++
		}
	}
	if users == 0 {
		t.Fatalf("accepted a conversation without a user message")
	}
}

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
	lim := fuzzLimits
	f.Fuzz(func(t *testing.T, body []byte) {
		p, err := decodeRequest(body, lim)
		if refusedClearly(t, err) {
			return
		}
		r := p.req
		checkAccepted(t, r, lim.maxMessages)
		if len(r.Tools) > lim.maxTools {
			t.Fatalf("accepted %d tools", len(r.Tools))
		}
		images := 0
		for _, m := range r.Messages {
			for _, p := range m.Parts {
				if p.Image != nil {
					images++
					if len(p.Image.Data) > lim.maxImageBytes || p.Image.MediaType == "" {
						t.Fatalf("accepted an image of %d bytes, type %q", len(p.Image.Data), p.Image.MediaType)
					}
				}
			}
		}
		if images > lim.maxImages {
			t.Fatalf("accepted %d images", images)
		}
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
		func() []byte { return errorFrame(nil, &apiError{Message: "m\n", Type: "t", Code: "c"}) },
	} {
		if b := frame(); !json.Valid(b) {
			t.Errorf("invalid JSON: %s", b)
		}
	}
}
