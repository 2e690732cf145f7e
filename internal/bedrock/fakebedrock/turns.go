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
	mistralChatTurns = &turnRules{leadingSystem: true}
)

type turnMessage struct {
	Role    string          `json:"role"`
	Content json.RawMessage `json:"content"`
}

// text returns the message's text: a string, or the text of its blocks
// ({"type":"text","text":…} or Nova's {"text":…}).
func (m turnMessage) text(blocksOnly bool) (string, bool) {
	var s string
	if json.Unmarshal(m.Content, &s) == nil {
		return s, !blocksOnly
	}
	var blocks []struct {
		Text *string `json:"text"`
	}
	if json.Unmarshal(m.Content, &blocks) != nil || len(blocks) == 0 {
		return "", false
	}
	var b strings.Builder
	for _, bl := range blocks {
		if bl.Text == nil {
			return "", false
		}
		b.WriteString(*bl.Text)
	}
	return b.String(), true
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
	for i, m := range msgs {
		at := "messages." + strconv.Itoa(i) + ": "
		if m.Role != want {
			if i == 0 {
				return at + "first message must use the \"user\" role"
			}
			return at + "roles must alternate between \"user\" and \"assistant\""
		}
		text, ok := m.text(r.blocksOnly)
		if !ok {
			return at + "content must be text"
		}
		final := i == len(msgs)-1 && m.Role == "assistant"
		switch {
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
