package bedrock

import (
	"encoding/json"

	"github.com/aws/smithy-go"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

type anthropicRequest struct {
	AnthropicVersion string        `json:"anthropic_version"`
	MaxTokens        int           `json:"max_tokens"`
	System           string        `json:"system,omitempty"`
	Messages         []textMessage `json:"messages"`
	Temperature      *float64      `json:"temperature,omitempty"`
	TopP             *float64      `json:"top_p,omitempty"`
	StopSequences    []string      `json:"stop_sequences,omitempty"`
}

// anthropicBody sends only temperature when both temperature and top_p are
// given: Claude 4.5 and later reject the pair, and older models are not
// hurt by the simpler rule.
func anthropicBody(req *chat.Request, p prompt, maxTokens int) anthropicRequest {
	b := anthropicRequest{
		AnthropicVersion: "bedrock-2023-05-31",
		MaxTokens:        maxTokens,
		System:           p.system,
		Messages:         textMessages(p.turns, ""),
		Temperature:      req.Temperature,
		TopP:             req.TopP,
		StopSequences:    req.Stop,
	}
	if b.Temperature != nil {
		b.TopP = nil
	}
	return b
}

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
