package bedrock

import (
	"encoding/json"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// llamaBody has no stop field: Bedrock's Meta models take none, so stop
// sequences are not sent.
type llamaBody struct {
	Prompt      string   `json:"prompt"`
	MaxGenLen   int      `json:"max_gen_len"`
	Temperature *float64 `json:"temperature,omitempty"`
	TopP        *float64 `json:"top_p,omitempty"`
}

// llamaTemplate is a Llama chat template's special tokens.
type llamaTemplate struct{ headerStart, headerEnd, eot string }

var (
	llama3Template = llamaTemplate{"<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"}
	llama4Template = llamaTemplate{"<|header_start|>", "<|header_end|>", "<|eot|>"}
)

func llama3Prompt(p prompt) string { return llamaPrompt(llama3Template, p) }
func llama4Prompt(p prompt) string { return llamaPrompt(llama4Template, p) }

func llamaPrompt(tpl llamaTemplate, p prompt) string {
	var b strings.Builder
	b.WriteString("<|begin_of_text|>")
	turn := func(role chat.Role, text string) {
		b.WriteString(tpl.headerStart + string(role) + tpl.headerEnd + "\n\n" + llamaMarkers.escape(text) + tpl.eot)
	}
	if p.system != "" {
		turn(chat.RoleSystem, p.system)
	}
	for _, t := range p.turns {
		turn(t.Role, t.Content)
	}
	b.WriteString(tpl.headerStart + "assistant" + tpl.headerEnd + "\n\n")
	return b.String()
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
