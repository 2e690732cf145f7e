package gateway

import (
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/jsonstr"
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
	b = jsonstr.AppendString(b, id)
	b = append(b, `,"object":"chat.completion.chunk","created":`...)
	b = strconv.AppendInt(b, created, 10)
	b = append(b, `,"model":`...)
	b = jsonstr.AppendString(b, model)
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
	b = jsonstr.AppendString(b, text)
	b = append(b, `},"logprobs":null,"finish_reason":null}]}`...)
	c.buf = b
	return b
}

// finish encodes the last choice chunk, carrying the finish reason.
func (c *chunker) finish(reason chat.FinishReason) []byte {
	b := append(c.buf[:0], c.prefix...)
	b = append(b, `"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":`...)
	b = jsonstr.AppendString(b, string(reason))
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
	b = jsonstr.AppendString(b, e.Message)
	b = append(b, `,"type":`...)
	b = jsonstr.AppendString(b, e.Type)
	b = append(b, `,"param":null,"code":`...)
	b = jsonstr.AppendString(b, e.Code)
	return append(b, `}}`...)
}
