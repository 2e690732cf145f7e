package bedrock

import (
	"encoding/json"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// mistralChatRequest sends no stop field: the Mistral Large 2 (2407) chat
// format documents none.
type mistralChatRequest struct {
	Messages    []textMessage `json:"messages"`
	MaxTokens   int           `json:"max_tokens"`
	Temperature *float64      `json:"temperature,omitempty"`
	TopP        *float64      `json:"top_p,omitempty"`
}

func mistralChatBody(req *chat.Request, p prompt, maxTokens int) mistralChatRequest {
	return mistralChatRequest{
		Messages:    textMessages(p.turns, p.system),
		MaxTokens:   maxTokens,
		Temperature: req.Temperature,
		TopP:        req.TopP,
	}
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
