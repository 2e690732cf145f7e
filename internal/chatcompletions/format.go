package chatcompletions

import (
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// Path is the route of Chat Completions.
const Path = "/v1/chat/completions"

// Format is OpenAI's Chat Completions wire format; it implements
// gateway.Format.
type Format struct{}

// Path is the route it answers.
func (Format) Path() string { return Path }

// Param names the parameter that asks for a capability: images come in
// messages.
func (Format) Param(capability string) string {
	if capability == "images" {
		return "messages"
	}
	return capability
}

// Decode decodes and validates a Chat Completions body.
func (Format) Decode(body []byte, lim gateway.Limits) (gateway.Exchange, error) {
	p, err := decodeRequest(body, lim)
	if err != nil {
		return nil, err
	}
	return p, nil
}

var doneFrame = []byte("[DONE]")

func (p *parsed) Request() *chat.Request { return &p.req }
func (p *parsed) Streaming() bool        { return p.stream }

// Begin starts a stream of chat.completion.chunk frames.
func (p *parsed) Begin(m *gateway.Meta, out *gateway.Events) gateway.Stream {
	s := &stream{out: out, id: Format{}.ResponseID(m.ID), created: m.Created.Unix(), usage: p.includeUsage}
	s.ch = newChunker(s.id, s.created, m.Model)
	return s
}

// stream relays one answer as chunks, then [DONE]; a failure ends it with
// an error frame and no [DONE].
type stream struct {
	out     *gateway.Events
	ch      *chunker
	id      string
	created int64
	usage   bool // stream_options.include_usage
	ended   bool
}

func (s *stream) Delta(d chat.Delta) error { return s.out.Emit("", s.ch.frame(d)) }

// Switch names another model in the chunks that follow: the fallback
// model, or the one continuing the answer (the role, once sent, is not
// sent again).
func (s *stream) Switch(model string) {
	first := s.ch.first
	s.ch.reset(s.id, s.created, model)
	s.ch.first = first
}

func (s *stream) Finish(res chat.Result, u chat.Usage) error {
	s.ended = true
	var err error
	if s.ch.first {
		// An empty answer still names its role once.
		err = s.out.Emit("", s.ch.delta(""))
	}
	if err == nil {
		err = s.out.Emit("", s.ch.finish(res.FinishReason))
	}
	if err == nil && s.usage {
		err = s.out.Emit("", s.ch.usage(u))
	}
	if err == nil {
		err = s.out.Emit("", doneFrame)
	}
	return err
}

func (s *stream) Fail(e *gateway.Error) {
	if s.ended {
		return
	}
	s.ended = true
	_ = s.out.Emit("", errorFrame(s.ch.buf, e))
}

// Collect encodes a whole answer as a chat.completion object.
func (p *parsed) Collect(m *gateway.Meta, a *gateway.Collected, res chat.Result, u chat.Usage) any {
	type choice struct {
		Index        int        `json:"index"`
		Message      messageOut `json:"message"`
		Logprobs     *string    `json:"logprobs"`
		FinishReason string     `json:"finish_reason"`
	}
	return struct {
		ID      string   `json:"id"`
		Object  string   `json:"object"`
		Created int64    `json:"created"`
		Model   string   `json:"model"`
		Choices []choice `json:"choices"`
		Usage   usageOut `json:"usage"`
	}{
		ID: Format{}.ResponseID(m.ID), Object: "chat.completion", Created: m.Now().Unix(), Model: m.Model,
		Choices: []choice{{Message: message(a), FinishReason: string(res.FinishReason)}},
		Usage:   usageOf(u),
	}
}

// ResponseID is the id of the chat.completion answering request requestID:
// the id its chunks and object carry, and its kept stream is filed under.
func (Format) ResponseID(requestID string) string { return "chatcmpl-" + requestID }

// ResumeError is the error frame that ends a resumed stream whose end
// cannot be replayed: as a failure mid-stream, no [DONE] after it.
func (Format) ResumeError(e *gateway.Error, _ int64) (string, []byte) {
	return "", errorFrame(nil, e)
}
