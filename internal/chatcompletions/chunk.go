package chatcompletions

import (
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
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
	b = strconv.AppendInt(b, int64(u.Prompt()), 10)
	b = append(b, `,"completion_tokens":`...)
	b = strconv.AppendInt(b, int64(u.CompletionTokens), 10)
	b = append(b, `,"total_tokens":`...)
	b = strconv.AppendInt(b, int64(u.Total()), 10)
	if u.CacheReadTokens > 0 || u.CacheWriteTokens > 0 {
		// OpenAI's prompt_tokens include the cached ones, named apart.
		b = append(b, `,"prompt_tokens_details":{"cached_tokens":`...)
		b = strconv.AppendInt(b, int64(u.CacheReadTokens), 10)
		b = append(b, '}')
	}
	if u.ReasoningTokens > 0 {
		b = append(b, `,"completion_tokens_details":{"reasoning_tokens":`...)
		b = strconv.AppendInt(b, int64(u.ReasoningTokens), 10)
		b = append(b, '}')
	}
	return append(b, '}')
}

// errorFrame encodes the in-band error that ends a stream without [DONE].
func errorFrame(b []byte, e *gateway.Error) []byte {
	b = append(b[:0], `{"error":{"message":`...)
	b = jsonstr.AppendString(b, e.Message)
	b = append(b, `,"type":`...)
	b = jsonstr.AppendString(b, e.Type)
	b = append(b, `,"param":null,"code":`...)
	b = jsonstr.AppendString(b, e.Code)
	return append(b, `}}`...)
}

// frame encodes one delta of the answer: text on the allocation-free path,
// reasoning, thinking blocks and tool calls on the general one.
func (c *chunker) frame(d chat.Delta) []byte {
	if d.Reasoning == "" && d.Thinking == nil && d.ToolCall == nil {
		return c.delta(d.Text)
	}
	b := append(c.buf[:0], c.prefix...)
	b = append(b, `"choices":[{"index":0,"delta":{`...)
	sep := false
	field := func(name string) {
		if sep {
			b = append(b, ',')
		}
		sep = true
		b = append(b, name...)
	}
	if c.first {
		field(`"role":"assistant"`)
		c.first = false
	}
	if d.Reasoning != "" {
		field(`"reasoning_content":`)
		b = jsonstr.AppendString(b, d.Reasoning)
	}
	if d.Text != "" {
		field(`"content":`)
		b = jsonstr.AppendString(b, d.Text)
	}
	if d.Thinking != nil {
		field(`"thinking_blocks":[`)
		b = gateway.AppendThinking(b, d.Thinking)
		b = append(b, ']')
	}
	if t := d.ToolCall; t != nil {
		field(`"tool_calls":[{"index":`)
		b = strconv.AppendInt(b, int64(t.Index), 10)
		if t.ID != "" {
			b = append(b, `,"id":`...)
			b = jsonstr.AppendString(b, t.ID)
			b = append(b, `,"type":"function"`...)
		}
		b = append(b, `,"function":{`...)
		if t.ID != "" || t.Name != "" {
			b = append(b, `"name":`...)
			b = jsonstr.AppendString(b, t.Name)
			b = append(b, ',')
		}
		b = append(b, `"arguments":`...)
		b = jsonstr.AppendString(b, t.Arguments)
		b = append(b, `}}]`...)
	}
	b = append(b, `},"logprobs":null,"finish_reason":null}]}`...)
	c.buf = b
	return b
}
