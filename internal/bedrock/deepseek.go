package bedrock

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// DeepSeek R1: a text completion over R1's chat template. The prompt ends
// inside the model's reasoning (<think>), so the answer starts as reasoning
// until </think>. Text only; R1 always reasons, so it takes no effort.

var deepSeek = familySpec{
	body:   deepSeekBody,
	decode: decodeDeepSeek,
	split:  func() *tagSplitter { return &tagSplitter{open: "<think>", close: "</think>", inside: true} },
}

// R1's template tokens: the bars are U+FF5C, the word breaks U+2581.
const (
	deepSeekBegin     = "<｜begin▁of▁sentence｜>"
	deepSeekEnd       = "<｜end▁of▁sentence｜>"
	deepSeekUser      = "<｜User｜>"
	deepSeekAssistant = "<｜Assistant｜>"
)

// deepSeekMarkers: every special token of R1's tokenizer is spelled
// "<｜…｜>", so breaking each "<｜" breaks them all.
var deepSeekMarkers = templateMarkers{re: regexp.MustCompile(`<｜`), first: "<"}

type deepSeekRequest struct {
	Prompt      string   `json:"prompt"`
	MaxTokens   int      `json:"max_tokens"`
	Temperature *float64 `json:"temperature,omitempty"`
	TopP        *float64 `json:"top_p,omitempty"`
	Stop        []string `json:"stop,omitempty"`
}

func deepSeekBody(req *chat.Request, p prompt, maxTokens int) (any, error) {
	var b strings.Builder
	b.WriteString(deepSeekBegin)
	b.WriteString(deepSeekMarkers.escape(p.system))
	for _, t := range p.turns {
		if t.Role == chat.RoleAssistant {
			b.WriteString(deepSeekAssistant + deepSeekMarkers.escape(t.Content) + deepSeekEnd)
			continue
		}
		b.WriteString(deepSeekUser + deepSeekMarkers.escape(t.Content))
	}
	b.WriteString(deepSeekAssistant + "<think>\n")
	return deepSeekRequest{Prompt: b.String(), MaxTokens: maxTokens, Temperature: req.Temperature, TopP: req.TopP, Stop: req.Stop}, nil
}

type deepSeekChunk struct {
	Choices [1]struct {
		Text       string `json:"text"`
		StopReason string `json:"stop_reason"`
	} `json:"choices"`
	Metrics *invocationMetrics `json:"amazon-bedrock-invocationMetrics"`
}

func decodeDeepSeek(payload []byte, st *streamState, out emitter) error {
	var c deepSeekChunk
	if err := json.Unmarshal(payload, &c); err != nil {
		return badChunk(err)
	}
	st.addMetrics(c.Metrics)
	st.stop(c.Choices[0].StopReason)
	return st.text(c.Choices[0].Text, out)
}
