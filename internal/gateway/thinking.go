package gateway

import (
	"encoding/json"
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/jsonstr"
)

type thinkingBlockIn struct {
	Type      string `json:"type"`
	Thinking  string `json:"thinking"`
	Signature string `json:"signature"`
	Data      string `json:"data"`
}

// maxThinkingBlocks bounds the thinking blocks of one message.
const maxThinkingBlocks = 16

// DecodeThinking decodes the signed reasoning blocks a client returns with
// an assistant message, in the shape the gateway sent them:
// {"type":"thinking","thinking","signature"} or
// {"type":"redacted_thinking","data"}.
func DecodeThinking(raw json.RawMessage, param string) ([]chat.ThinkingBlock, error) {
	if !IsSet(raw) {
		return nil, nil
	}
	var in []thinkingBlockIn
	if err := json.Unmarshal(raw, &in); err != nil {
		return nil, Invalid(param, "invalid_type", param+" must be an array of thinking blocks")
	}
	if len(in) > maxThinkingBlocks {
		return nil, Invalid(param, "invalid_value", "at most "+strconv.Itoa(maxThinkingBlocks)+" thinking blocks are allowed in one message")
	}
	out := make([]chat.ThinkingBlock, 0, len(in))
	for j, b := range in {
		p := param + "[" + strconv.Itoa(j) + "]"
		switch {
		case b.Type == "thinking" && b.Signature != "":
			out = append(out, chat.ThinkingBlock{Text: b.Thinking, Signature: b.Signature})
		case b.Type == "redacted_thinking" && b.Data != "":
			out = append(out, chat.ThinkingBlock{Redacted: b.Data})
		default:
			return nil, Invalid(p, "invalid_value", "a thinking block is {\"type\":\"thinking\",\"thinking\",\"signature\"} or {\"type\":\"redacted_thinking\",\"data\"}, returned as the gateway sent it")
		}
	}
	return out, nil
}

// AppendThinking encodes a thinking block in the shape both formats send
// it and take it back: {"type":"thinking","thinking","signature"} or
// {"type":"redacted_thinking","data"}.
func AppendThinking(b []byte, t *chat.ThinkingBlock) []byte {
	if t.Redacted != "" {
		b = append(b, `{"type":"redacted_thinking","data":`...)
		b = jsonstr.AppendString(b, t.Redacted)
		return append(b, '}')
	}
	b = append(b, `{"type":"thinking","thinking":`...)
	b = jsonstr.AppendString(b, t.Text)
	b = append(b, `,"signature":`...)
	b = jsonstr.AppendString(b, t.Signature)
	return append(b, '}')
}

// AppendThinkingList encodes blocks as a JSON array.
func AppendThinkingList(b []byte, blocks []chat.ThinkingBlock) []byte {
	b = append(b, '[')
	for i := range blocks {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendThinking(b, &blocks[i])
	}
	return append(b, ']')
}
