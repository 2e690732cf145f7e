package bedrock

import (
	"encoding/json"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Mistral text completion: an [INST] prompt. Text only.

var mistral = familySpec{
	body: func(req *chat.Request, p prompt, maxTokens int) (any, error) {
		return mistralBody{Prompt: mistralPrompt(p), MaxTokens: maxTokens, Temperature: req.Temperature, TopP: req.TopP, Stop: req.Stop}, nil
	},
	decode: decodeMistral,
}

type mistralBody struct {
	Prompt      string   `json:"prompt"`
	MaxTokens   int      `json:"max_tokens"`
	Temperature *float64 `json:"temperature,omitempty"`
	TopP        *float64 `json:"top_p,omitempty"`
	Stop        []string `json:"stop,omitempty"`
}

// mistralPrompt has no system role: the system text leads the first
// instruction, as Mistral's own template does.
func mistralPrompt(p prompt) string {
	var b strings.Builder
	b.WriteString("<s>")
	system := p.system
	for _, t := range p.turns {
		if t.Role == chat.RoleAssistant {
			b.WriteString(" " + mistralMarkers.escape(t.Content) + "</s>")
			continue
		}
		text := t.Content
		if system != "" {
			text, system = system+"\n\n"+text, ""
		}
		b.WriteString("[INST] " + mistralMarkers.escape(text) + " [/INST]")
	}
	return b.String()
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

func decodeMistral(payload []byte, st *streamState, out emitter) error {
	var c mistralChunk
	if err := json.Unmarshal(payload, &c); err != nil {
		return badChunk(err)
	}
	st.addMetrics(c.Metrics)
	st.stop(c.Outputs[0].StopReason)
	return st.text(c.Outputs[0].Text, out)
}
