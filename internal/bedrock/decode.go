package bedrock

import (
	"encoding/json"
	"fmt"

	"github.com/aws/smithy-go"

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
// eventstream frame) into text and updates st.
type decoder func(payload []byte, st *streamState) (string, error)

// decoderFor returns family f's decoder, which also notes a guardrail's
// intervention, whatever the family.
func decoderFor(f Family) decoder {
	d := familyDecoder(f)
	if d == nil {
		return nil
	}
	return func(payload []byte, st *streamState) (string, error) {
		noteGuardrail(payload, st)
		return d(payload, st)
	}
}

func familyDecoder(f Family) decoder {
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

type anthropicUsage struct {
	Input      int `json:"input_tokens"`
	Output     int `json:"output_tokens"`
	CacheRead  int `json:"cache_read_input_tokens"`
	CacheWrite int `json:"cache_creation_input_tokens"`
}

type anthropicChunk struct {
	Type    string `json:"type"`
	Message struct {
		Usage anthropicUsage `json:"usage"`
	} `json:"message"`
	Delta struct {
		Type       string `json:"type"`
		Text       string `json:"text"`
		StopReason string `json:"stop_reason"`
	} `json:"delta"`
	Usage anthropicUsage `json:"usage"`
	Error struct {
		Type    string `json:"type"`
		Message string `json:"message"`
	} `json:"error"`
	Metrics *invocationMetrics `json:"amazon-bedrock-invocationMetrics"`
}

// anthropicErrors maps the error types of Anthropic "error" events to the
// Bedrock exception with the same meaning, so one policy table covers both.
var anthropicErrors = map[string]string{
	"overloaded_error":      "ServiceUnavailableException",
	"api_error":             "InternalServerException",
	"rate_limit_error":      "ThrottlingException",
	"invalid_request_error": "ValidationException",
	"permission_error":      "AccessDeniedException",
	"not_found_error":       "ResourceNotFoundException",
}

func decodeAnthropic(payload []byte, st *streamState) (string, error) {
	var c anthropicChunk
	if err := json.Unmarshal(payload, &c); err != nil {
		return "", badChunk(err)
	}
	st.addMetrics(c.Metrics)
	switch c.Type {
	case "message_start":
		u := c.Message.Usage
		st.usage.PromptTokens = u.Input + u.CacheRead + u.CacheWrite
		st.usage.CompletionTokens = u.Output
	case "content_block_delta":
		if c.Delta.Type == "text_delta" {
			return c.Delta.Text, nil
		}
	case "message_delta":
		st.stop(c.Delta.StopReason)
		if c.Usage.Output > 0 { // cumulative
			st.usage.CompletionTokens = c.Usage.Output
		}
		if in := c.Usage.Input + c.Usage.CacheRead + c.Usage.CacheWrite; in > 0 {
			st.usage.PromptTokens = in
		}
	case "error":
		code, ok := anthropicErrors[c.Error.Type]
		if !ok {
			code = "ModelStreamErrorException"
		}
		return "", &smithy.GenericAPIError{Code: code, Message: c.Error.Message, Fault: smithy.FaultServer}
	}
	return "", nil
}

type novaChunk struct {
	ContentBlockDelta struct {
		Delta struct {
			Text string `json:"text"`
		} `json:"delta"`
	} `json:"contentBlockDelta"`
	MessageStop struct {
		StopReason string `json:"stopReason"`
	} `json:"messageStop"`
	Metadata struct {
		Usage struct {
			Input      int `json:"inputTokens"`
			Output     int `json:"outputTokens"`
			CacheRead  int `json:"cacheReadInputTokens"`
			CacheWrite int `json:"cacheWriteInputTokens"`
		} `json:"usage"`
	} `json:"metadata"`
	Metrics *invocationMetrics `json:"amazon-bedrock-invocationMetrics"`
}

func decodeNova(payload []byte, st *streamState) (string, error) {
	var c novaChunk
	if err := json.Unmarshal(payload, &c); err != nil {
		return "", badChunk(err)
	}
	st.addMetrics(c.Metrics)
	st.stop(c.MessageStop.StopReason)
	u := c.Metadata.Usage
	if in := u.Input + u.CacheRead + u.CacheWrite; in > 0 {
		st.usage.PromptTokens = in
	}
	if u.Output > 0 {
		st.usage.CompletionTokens = u.Output
	}
	return c.ContentBlockDelta.Delta.Text, nil
}

type llamaChunk struct {
	Generation       string             `json:"generation"`
	PromptTokens     int                `json:"prompt_token_count"`
	GenerationTokens int                `json:"generation_token_count"`
	StopReason       string             `json:"stop_reason"`
	Metrics          *invocationMetrics `json:"amazon-bedrock-invocationMetrics"`
}

func decodeLlama(payload []byte, st *streamState) (string, error) {
	var c llamaChunk
	if err := json.Unmarshal(payload, &c); err != nil {
		return "", badChunk(err)
	}
	st.addMetrics(c.Metrics)
	st.stop(c.StopReason)
	if c.PromptTokens > 0 { // first chunk only
		st.usage.PromptTokens = c.PromptTokens
	}
	if c.GenerationTokens > 0 { // cumulative
		st.usage.CompletionTokens = c.GenerationTokens
	}
	return c.Generation, nil
}

type mistralChunk struct {
	// One output is requested; a fixed array keeps decoding allocation-free
	// and drops any further outputs.
	Outputs [1]struct {
		Text       string `json:"text"`
		StopReason string `json:"stop_reason"`
	} `json:"outputs"`
	Metrics *invocationMetrics `json:"amazon-bedrock-invocationMetrics"`
}

func decodeMistral(payload []byte, st *streamState) (string, error) {
	var c mistralChunk
	if err := json.Unmarshal(payload, &c); err != nil {
		return "", badChunk(err)
	}
	st.addMetrics(c.Metrics)
	st.stop(c.Outputs[0].StopReason)
	return c.Outputs[0].Text, nil
}

type mistralChatChunk struct {
	// The streamed shape is not documented by AWS: accept both "message"
	// and "delta", and both "stop_reason" and "finish_reason".
	Choices [1]struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
		Delta struct {
			Content string `json:"content"`
		} `json:"delta"`
		StopReason   string `json:"stop_reason"`
		FinishReason string `json:"finish_reason"`
	} `json:"choices"`
	Usage struct {
		Prompt     int `json:"prompt_tokens"`
		Completion int `json:"completion_tokens"`
	} `json:"usage"`
	Metrics *invocationMetrics `json:"amazon-bedrock-invocationMetrics"`
}

func decodeMistralChat(payload []byte, st *streamState) (string, error) {
	var c mistralChatChunk
	if err := json.Unmarshal(payload, &c); err != nil {
		return "", badChunk(err)
	}
	st.addMetrics(c.Metrics)
	ch := &c.Choices[0]
	st.stop(ch.StopReason)
	st.stop(ch.FinishReason)
	if c.Usage.Prompt > 0 {
		st.usage.PromptTokens = c.Usage.Prompt
	}
	if c.Usage.Completion > 0 {
		st.usage.CompletionTokens = c.Usage.Completion
	}
	if ch.Delta.Content != "" {
		return ch.Delta.Content, nil
	}
	return ch.Message.Content, nil
}

type titanChunk struct {
	OutputText       string             `json:"outputText"`
	OutputTokens     int                `json:"totalOutputTextTokenCount"`
	CompletionReason string             `json:"completionReason"`
	InputTokens      int                `json:"inputTextTokenCount"`
	Metrics          *invocationMetrics `json:"amazon-bedrock-invocationMetrics"`
}

func decodeTitan(payload []byte, st *streamState) (string, error) {
	var c titanChunk
	if err := json.Unmarshal(payload, &c); err != nil {
		return "", badChunk(err)
	}
	st.addMetrics(c.Metrics)
	st.stop(c.CompletionReason)
	if c.InputTokens > 0 {
		st.usage.PromptTokens = c.InputTokens
	}
	if c.OutputTokens > 0 {
		st.usage.CompletionTokens = c.OutputTokens
	}
	return c.OutputText, nil
}
