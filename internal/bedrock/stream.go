package bedrock

import (
	"fmt"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// streamState collects what the chunks of one answer say besides text.
// Decoders sit on the per-chunk path, so each decodes into a small struct
// of its own and updates this state in place.
type streamState struct {
	finish  chat.FinishReason
	usage   chat.Usage // the model's own counts
	metrics chat.Usage // amazon-bedrock-invocationMetrics
	// ended is set by a stop reason or the invocation metrics, which only
	// the last chunks carry. A stream that ends without it was cut.
	ended bool
	// intervened: a guardrail stopped the answer (content_filter).
	intervened bool

	// tools maps the family's own index of a tool call (a content block,
	// a choice's tool call) to the call's position in the answer.
	tools map[int]int
	// split, when set, takes the family's text apart into reasoning and
	// answer where the model marks its reasoning with tags.
	split *tagSplitter
}

// emitter receives the deltas a chunk holds.
type emitter func(chat.Delta) error

// toolCall returns the answer's position of the family's tool call key,
// and whether the call is new (its first piece).
func (s *streamState) toolCall(key int) (index int, first bool) {
	if i, ok := s.tools[key]; ok {
		return i, false
	}
	if s.tools == nil {
		s.tools = make(map[int]int, 2)
	}
	i := len(s.tools)
	s.tools[key] = i
	return i, true
}

// text passes answer text on, through the tag splitter when there is one.
func (s *streamState) text(t string, out emitter) error {
	if t == "" {
		return nil
	}
	if s.split != nil {
		return s.split.feed(t, out)
	}
	return out(chat.Delta{Text: t})
}

// flush passes on what the tag splitter still holds at the end of the
// stream.
func (s *streamState) flush(out emitter) error {
	if s.split == nil {
		return nil
	}
	return s.split.flush(out)
}

// result prefers the model's own token counts and falls back to Bedrock's
// invocation metrics for whichever count the model left out.
func (s *streamState) result() chat.Result {
	r := chat.Result{FinishReason: s.finish, Usage: s.usage}
	switch {
	case s.intervened:
		r.FinishReason = chat.FinishContentFilter
	case r.FinishReason == "":
		r.FinishReason = chat.FinishStop
	}
	if r.Usage.PromptTokens == 0 {
		r.Usage.PromptTokens = s.metrics.PromptTokens
	}
	if r.Usage.CompletionTokens == 0 {
		r.Usage.CompletionTokens = s.metrics.CompletionTokens
	}
	return r
}

// decoder turns one chunk payload (the model-native JSON inside the
// eventstream frame) into deltas, passed to out, and updates st.
type decoder func(payload []byte, st *streamState, out emitter) error

// decodeChunk decodes one chunk of family f's stream: the guardrail's
// verdict, which any family's chunk may carry, then the family's own shape.
func (f *familySpec) decodeChunk(payload []byte, st *streamState, out emitter) error {
	noteGuardrail(payload, st)
	return f.decode(payload, st, out)
}

// invocationMetrics is what Bedrock appends to the last chunk of every family.
type invocationMetrics struct {
	InputTokenCount  int `json:"inputTokenCount"`
	OutputTokenCount int `json:"outputTokenCount"`
}

func (s *streamState) addMetrics(m *invocationMetrics) {
	if m == nil {
		return
	}
	s.metrics = chat.Usage{PromptTokens: m.InputTokenCount, CompletionTokens: m.OutputTokenCount}
	s.ended = true
}

func (s *streamState) stop(raw string) {
	if raw == "" {
		return
	}
	s.finish = finishOf(raw)
	s.ended = true
}

// finishOf maps every family's stop vocabulary to OpenAI's. Reasons that
// mean "the model chose to stop" are a plain stop.
func finishOf(raw string) chat.FinishReason {
	switch raw {
	case "tool_use", "tool_calls":
		return chat.FinishToolCalls
	case "max_tokens", "length", "LENGTH", "model_context_window_exceeded":
		return chat.FinishLength
	case "content_filtered", "guardrail_intervened", "CONTENT_FILTERED", "refusal":
		return chat.FinishContentFilter
	}
	return chat.FinishStop
}

func badChunk(err error) error { return fmt.Errorf("%w: %w", ErrBadChunk, err) }
