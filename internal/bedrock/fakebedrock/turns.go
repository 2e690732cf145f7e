package fakebedrock

import (
	"encoding/json"
	"strconv"
	"strings"
)

// turnRules are the conversation rules a family's model enforces on its
// messages, beyond the body's required keys.
type turnRules struct {
	// leadingSystem allows one system message before the first turn.
	leadingSystem bool
	// blankFinalAssistant allows a final assistant message (a prefill)
	// without text; it still must not end in white space.
	blankFinalAssistant bool
	// blocksOnly requires content to be an array of blocks, not a string.
	blocksOnly bool
	// toolRole allows tool messages after an assistant message with
	// tool_calls (the chat-completions shape); they stand for the user's
	// side of the turn, and the user may add to it.
	toolRole bool
}

// Anthropic: "messages: roles must alternate", "first message must use the
// user role", "text content blocks must contain non-whitespace text",
// "final assistant content cannot end with trailing whitespace". Nova: the
// first turn must be user, turns alternate, text blocks are not empty.
// Mistral chat: after an optional system message, user and assistant
// alternate, starting with user.
var (
	anthropicTurns   = &turnRules{blankFinalAssistant: true}
	novaTurns        = &turnRules{blocksOnly: true}
	mistralChatTurns = &turnRules{leadingSystem: true, toolRole: true}
	openAITurns      = &turnRules{leadingSystem: true, toolRole: true}
)

type turnMessage struct {
	Role      string            `json:"role"`
	Content   json.RawMessage   `json:"content"`
	ToolCalls []json.RawMessage `json:"tool_calls"`
}

// text returns the message's text: a string, or the text of its blocks
// ({"type":"text","text":…} or Nova's {"text":…}), and whether it holds
// anything besides text (images, tool calls and results, thinking).
func (m turnMessage) text(blocksOnly bool) (text string, other, ok bool) {
	var s string
	if json.Unmarshal(m.Content, &s) == nil {
		return s, len(m.ToolCalls) > 0, !blocksOnly
	}
	if string(m.Content) == "null" && len(m.ToolCalls) > 0 {
		return "", true, !blocksOnly
	}
	var blocks []map[string]json.RawMessage
	if json.Unmarshal(m.Content, &blocks) != nil || len(blocks) == 0 {
		return "", false, false
	}
	var b strings.Builder
	for _, bl := range blocks {
		raw, isText := bl["text"]
		if typ, ok := bl["type"]; ok && string(typ) != `"text"` {
			isText = false
		}
		if !isText {
			other = true
			continue
		}
		var t string
		if json.Unmarshal(raw, &t) != nil {
			return "", false, false
		}
		b.WriteString(t)
	}
	return b.String(), other, true
}

// check returns Bedrock's complaint about body's messages, or "".
func (r *turnRules) check(body []byte) string {
	var req struct {
		Messages []turnMessage `json:"messages"`
	}
	if err := json.Unmarshal(body, &req); err != nil {
		return "Malformed input request: messages is not an array of messages."
	}
	msgs := req.Messages
	if r.leadingSystem && len(msgs) > 0 && msgs[0].Role == "system" {
		msgs = msgs[1:]
	}
	if len(msgs) == 0 {
		return "messages: at least one message is required"
	}
	want := "user"
	prev := ""
	for i, m := range msgs {
		at := "messages." + strconv.Itoa(i) + ": "
		if r.toolRole && (m.Role == "tool" || m.Role == "user" && prev == "tool") {
			switch {
			case m.Role == "tool" && prev != "assistant" && prev != "tool":
				return at + "a tool message must follow an assistant message with tool_calls"
			case prev == "assistant":
				want = "assistant"
			}
			prev = m.Role
			continue
		}
		prev = m.Role
		if m.Role != want {
			if i == 0 {
				return at + "first message must use the \"user\" role"
			}
			return at + "roles must alternate between \"user\" and \"assistant\""
		}
		text, other, ok := m.text(r.blocksOnly)
		if !ok {
			return at + "content must be text"
		}
		final := i == len(msgs)-1 && m.Role == "assistant"
		switch {
		case other:
			// Images, tool calls or results: text is not required.
		case final && r.blankFinalAssistant:
			if strings.TrimRightFunc(text, isSpace) != text {
				return at + "final assistant content cannot end with trailing whitespace"
			}
		case strings.TrimFunc(text, isSpace) == "":
			return at + "text content blocks must contain non-whitespace text"
		}
		if want == "user" {
			want = "assistant"
		} else {
			want = "user"
		}
	}
	return ""
}

func isSpace(r rune) bool { return r == ' ' || r == '\t' || r == '\n' || r == '\r' }

// checkMistralPrompt checks that a Mistral text prompt starts with an
// instruction, as Mistral's template requires of the first turn.
func checkMistralPrompt(body []byte) string {
	var req struct {
		Prompt string `json:"prompt"`
	}
	if json.Unmarshal(body, &req) != nil || !strings.HasPrefix(req.Prompt, "<s>[INST] ") {
		return "Malformed input request: prompt must start with <s>[INST]."
	}
	return ""
}

// checkDeepSeekPrompt checks that a DeepSeek R1 prompt starts as R1's
// template does.
func checkDeepSeekPrompt(body []byte) string {
	var req struct {
		Prompt string `json:"prompt"`
	}
	if json.Unmarshal(body, &req) != nil || !strings.HasPrefix(req.Prompt, "<｜begin▁of▁sentence｜>") {
		return "Malformed input request: prompt must start with <｜begin▁of▁sentence｜>."
	}
	return ""
}
