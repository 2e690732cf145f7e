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
}

// result prefers the model's own token counts and falls back to Bedrock's
// invocation metrics for whichever count the model left out.
func (s *streamState) result() chat.Result {
	r := chat.Result{FinishReason: s.finish, Usage: s.usage}
	if r.FinishReason == "" {
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
// eventstream frame) into text and updates st.
type decoder func(payload []byte, st *streamState) (string, error)

func decoderFor(f Family) decoder {
	switch f {
	case FamilyAnthropic:
		return decodeAnthropic
	case FamilyNova:
		return decodeNova
	case FamilyLlama3, FamilyLlama4:
		return decodeLlama
	case FamilyMistral:
		return decodeMistral
	case FamilyMistralChat:
		return decodeMistralChat
	case FamilyTitan:
		return decodeTitan
	}
	return nil
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
// mean "the model chose to stop" (including tool use, which is never
// requested) are a plain stop.
func finishOf(raw string) chat.FinishReason {
	switch raw {
	case "max_tokens", "length", "LENGTH", "model_context_window_exceeded":
		return chat.FinishLength
	case "content_filtered", "guardrail_intervened", "CONTENT_FILTERED", "refusal":
		return chat.FinishContentFilter
	}
	return chat.FinishStop
}

func badChunk(err error) error { return fmt.Errorf("%w: %w", ErrBadChunk, err) }
