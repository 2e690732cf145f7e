package bedrock

import (
	"encoding/json"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

type novaText struct {
	Text string `json:"text"`
}

type novaMessage struct {
	Role    chat.Role  `json:"role"`
	Content []novaText `json:"content"`
}

type novaRequest struct {
	SchemaVersion   string        `json:"schemaVersion"`
	System          []novaText    `json:"system,omitempty"`
	Messages        []novaMessage `json:"messages"`
	InferenceConfig struct {
		MaxTokens     int      `json:"maxTokens"`
		Temperature   *float64 `json:"temperature,omitempty"`
		TopP          *float64 `json:"topP,omitempty"`
		StopSequences []string `json:"stopSequences,omitempty"`
	} `json:"inferenceConfig"`
}

func novaBody(req *chat.Request, p prompt, maxTokens int) novaRequest {
	b := novaRequest{SchemaVersion: "messages-v1", Messages: make([]novaMessage, 0, len(p.turns))}
	if p.system != "" {
		b.System = []novaText{{Text: p.system}}
	}
	for _, t := range p.turns {
		b.Messages = append(b.Messages, novaMessage{Role: t.Role, Content: []novaText{{Text: t.Content}}})
	}
	b.InferenceConfig.MaxTokens = maxTokens
	b.InferenceConfig.Temperature = req.Temperature
	b.InferenceConfig.TopP = req.TopP
	b.InferenceConfig.StopSequences = req.Stop
	return b
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
