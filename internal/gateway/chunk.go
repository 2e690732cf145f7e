package gateway

import (
	"strconv"
	"unicode/utf8"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// chunker encodes chat.completion.chunk objects by appending to one reused
// buffer: the relay path runs once per token, so it allocates nothing per
// frame once the buffer has grown.
type chunker struct {
	prefix []byte // `{"id":…,"object":…,"created":…,"model":"…",`
	buf    []byte
	first  bool // the next delta is the first and carries the role
}

func newChunker(id string, created int64, model string) *chunker {
	c := &chunker{buf: make([]byte, 0, 512)}
	c.reset(id, created, model)
	return c
}

// reset starts over for another model: after a fallback, every chunk names
// the model that actually answers.
func (c *chunker) reset(id string, created int64, model string) {
	b := append(c.prefix[:0], `{"id":`...)
	b = appendString(b, id)
	b = append(b, `,"object":"chat.completion.chunk","created":`...)
	b = strconv.AppendInt(b, created, 10)
	b = append(b, `,"model":`...)
	b = appendString(b, model)
	c.prefix = append(b, ',')
	c.first = true
}

// delta encodes a content delta; the first one also carries the role.
func (c *chunker) delta(text string) []byte {
	b := append(c.buf[:0], c.prefix...)
	b = append(b, `"choices":[{"index":0,"delta":{`...)
	if c.first {
		b = append(b, `"role":"assistant",`...)
		c.first = false
	}
	b = append(b, `"content":`...)
	b = appendString(b, text)
	b = append(b, `},"logprobs":null,"finish_reason":null}]}`...)
	c.buf = b
	return b
}

// finish encodes the last choice chunk, carrying the finish reason.
func (c *chunker) finish(reason chat.FinishReason) []byte {
	b := append(c.buf[:0], c.prefix...)
	b = append(b, `"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":`...)
	b = appendString(b, string(reason))
	b = append(b, `}]}`...)
	c.buf = b
	return b
}

// usage encodes the extra chunk stream_options.include_usage asks for: no
// choices, only the token counts.
func (c *chunker) usage(u chat.Usage) []byte {
	b := append(c.buf[:0], c.prefix...)
	b = append(b, `"choices":[],"usage":`...)
	b = appendUsage(b, u)
	b = append(b, '}')
	c.buf = b
	return b
}

func appendUsage(b []byte, u chat.Usage) []byte {
	b = append(b, `{"prompt_tokens":`...)
	b = strconv.AppendInt(b, int64(u.PromptTokens), 10)
	b = append(b, `,"completion_tokens":`...)
	b = strconv.AppendInt(b, int64(u.CompletionTokens), 10)
	b = append(b, `,"total_tokens":`...)
	b = strconv.AppendInt(b, int64(u.Total()), 10)
	return append(b, '}')
}

// errorFrame encodes the in-band error that ends a stream without [DONE].
func errorFrame(b []byte, e *apiError) []byte {
	b = append(b[:0], `{"error":{"message":`...)
	b = appendString(b, e.Message)
	b = append(b, `,"type":`...)
	b = appendString(b, e.Type)
	b = append(b, `,"param":null,"code":`...)
	b = appendString(b, e.Code)
	return append(b, `}}`...)
}

const hex = "0123456789abcdef"

// appendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as
// encoding/json does, so a frame is always valid JSON.
func appendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch c {
			case '"', '\\':
				b = append(b, '\\', c)
			case '\n':
				b = append(b, '\\', 'n')
			case '\r':
				b = append(b, '\\', 'r')
			case '\t':
				b = append(b, '\\', 't')
			default:
				b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
			i++
			start = i
			continue
		}
		if r == '\u2028' || r == '\u2029' {
			// Valid JSON, but not valid JavaScript source; escape as encoding/json does.
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xf])
			i += size
			start = i
			continue
		}
		i += size
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
