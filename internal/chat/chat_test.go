package chat_test

import (
	"errors"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

func TestFeatures(t *testing.T) {
	t.Parallel()
	img := &chat.Image{MediaType: "image/png", Data: []byte{1}}
	tests := []struct {
		name string
		req  chat.Request
		want chat.Capabilities
	}{
		{name: "text", req: chat.Request{Messages: []chat.Message{{Role: chat.RoleUser, Content: "hi"}}}},
		{name: "tools offered", req: chat.Request{Tools: []chat.Tool{{Name: "f"}}}, want: chat.Capabilities{Tools: true}},
		{name: "tool call in history", req: chat.Request{Messages: []chat.Message{
			{Role: chat.RoleAssistant, ToolCalls: []chat.ToolCall{{ID: "1", Name: "f"}}},
		}}, want: chat.Capabilities{Tools: true}},
		{name: "tool result", req: chat.Request{Messages: []chat.Message{{Role: chat.RoleTool, ToolCallID: "1"}}}, want: chat.Capabilities{Tools: true}},
		{name: "image", req: chat.Request{Messages: []chat.Message{
			{Role: chat.RoleUser, Parts: []chat.Part{{Text: "what is it?"}, {Image: img}}},
		}}, want: chat.Capabilities{Images: true}},
		{name: "reasoning", req: chat.Request{Reasoning: chat.EffortLow}, want: chat.Capabilities{Reasoning: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.req.Features(); got != tt.want {
				t.Errorf("Features() = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestMissing(t *testing.T) {
	t.Parallel()
	all := chat.Capabilities{Tools: true, Images: true, Reasoning: true}
	tests := []struct {
		have, want chat.Capabilities
		missing    string
	}{
		{have: all, want: all},
		{have: chat.Capabilities{}, want: chat.Capabilities{}},
		{have: chat.Capabilities{}, want: all, missing: "tools"},
		{have: chat.Capabilities{Tools: true}, want: all, missing: "images"},
		{have: chat.Capabilities{Tools: true, Images: true}, want: all, missing: "reasoning_effort"},
		{have: chat.Capabilities{Images: true}, want: chat.Capabilities{Images: true}},
	}
	for _, tt := range tests {
		if got := tt.have.Missing(tt.want); got != tt.missing {
			t.Errorf("%+v.Missing(%+v) = %q, want %q", tt.have, tt.want, got, tt.missing)
		}
	}
}

func TestUnsupported(t *testing.T) {
	t.Parallel()
	err := chat.Unsupported("eliza", "images")
	var pe *chat.PublicError
	if !errors.As(err, &pe) || !errors.Is(err, chat.ErrInvalidRequest) {
		t.Fatalf("Unsupported = %#v, want a PublicError of kind ErrInvalidRequest", err)
	}
	if pe.Param != "images" || pe.Code != "unsupported_parameter" || pe.Message != "images are not supported by model eliza" {
		t.Errorf("Unsupported = %+v", pe)
	}
}

func TestImageFormat(t *testing.T) {
	t.Parallel()
	for mt, want := range map[string]string{"image/png": "png", "image/jpeg": "jpeg", "image/webp": "webp", "": ""} {
		if got := (&chat.Image{MediaType: mt}).Format(); got != want {
			t.Errorf("Format(%q) = %q, want %q", mt, got, want)
		}
	}
}

func TestCapabilitiesOf(t *testing.T) {
	t.Parallel()
	if got := chat.CapabilitiesOf(chat.ModelFunc(nil)); got != (chat.Capabilities{}) {
		t.Errorf("a ModelFunc can do %+v, want text only", got)
	}
}

func TestJoinText(t *testing.T) {
	t.Parallel()
	img := &chat.Image{MediaType: "image/png", Data: []byte{1}}
	tests := []struct {
		name  string
		parts []chat.Part
		want  string
	}{
		{name: "none", parts: nil, want: ""},
		{name: "one", parts: []chat.Part{{Text: "a"}}, want: "a"},
		{name: "joined with newlines", parts: []chat.Part{{Text: "a"}, {Text: "b"}, {Text: "c"}}, want: "a\nb\nc"},
		{name: "images left out", parts: []chat.Part{{Image: img}, {Text: "a"}, {Image: img}, {Text: "b"}, {Image: img}}, want: "a\nb"},
		{name: "only images", parts: []chat.Part{{Image: img}}, want: ""},
		{name: "empty text kept", parts: []chat.Part{{Text: ""}, {Text: "b"}}, want: "\nb"},
	}
	for _, tc := range tests {
		if got := chat.JoinText(tc.parts); got != tc.want {
			t.Errorf("%s: JoinText = %q, want %q", tc.name, got, tc.want)
		}
	}
}
