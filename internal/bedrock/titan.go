package bedrock

import (
	"encoding/json"
	"regexp"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Amazon Titan Text, which Bedrock is retiring: kept while Bedrock still
// serves it. Text only.

var titan = familySpec{
	body: func(req *chat.Request, p prompt, maxTokens int) (any, error) {
		return titanBody(req, p, maxTokens), nil
	},
	decode: decodeTitan,
}

type titanRequest struct {
	InputText            string `json:"inputText"`
	TextGenerationConfig struct {
		MaxTokenCount int      `json:"maxTokenCount"`
		Temperature   *float64 `json:"temperature,omitempty"`
		TopP          *float64 `json:"topP,omitempty"`
		StopSequences []string `json:"stopSequences,omitempty"`
	} `json:"textGenerationConfig"`
}

// titanStop matches the only stop sequences Titan Text is known to accept;
// others are dropped rather than failing the request.
var titanStop = regexp.MustCompile(`^(\|+|User:)$`)

func titanBody(req *chat.Request, p prompt, maxTokens int) titanRequest {
	var b strings.Builder
	if p.system != "" {
		b.WriteString(p.system + "\n\n")
	}
	for _, t := range p.turns {
		if t.Role == chat.RoleAssistant {
			b.WriteString("Bot: " + t.Content + "\n")
		} else {
			b.WriteString("User: " + t.Content + "\n")
		}
	}
	b.WriteString("Bot:")
	var r titanRequest
	r.InputText = b.String()
	r.TextGenerationConfig.MaxTokenCount = maxTokens
	r.TextGenerationConfig.Temperature = req.Temperature
	r.TextGenerationConfig.TopP = req.TopP
	for _, s := range req.Stop {
		if titanStop.MatchString(s) {
			r.TextGenerationConfig.StopSequences = append(r.TextGenerationConfig.StopSequences, s)
		}
	}
	return r
}

type titanChunk struct {
	OutputText       string             `json:"outputText"`
	OutputTokens     int                `json:"totalOutputTextTokenCount"`
	CompletionReason string             `json:"completionReason"`
	InputTokens      int                `json:"inputTextTokenCount"`
	Metrics          *invocationMetrics `json:"amazon-bedrock-invocationMetrics"`
}

func decodeTitan(payload []byte, st *streamState, out emitter) error {
	var c titanChunk
	if err := json.Unmarshal(payload, &c); err != nil {
		return badChunk(err)
	}
	st.addMetrics(c.Metrics)
	st.stop(c.CompletionReason)
	if c.InputTokens > 0 {
		st.usage.PromptTokens = c.InputTokens
	}
	if c.OutputTokens > 0 {
		st.usage.CompletionTokens = c.OutputTokens
	}
	return st.text(c.OutputText, out)
}
