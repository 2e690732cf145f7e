package gatewaytest

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/sse/ssetest"
)

// Chunk is a chat.completion.chunk, or an in-band error frame (Error set).
// Pointer fields tell absent from empty.
type Chunk struct {
	ID      *string  `json:"id"`
	Object  string   `json:"object"`
	Created int64    `json:"created"`
	Model   string   `json:"model"`
	Choices []Choice `json:"choices"`
	Usage   *Usage   `json:"usage"`
	Error   *Error   `json:"error"`
}

// Choice is one entry of a chunk's choices.
type Choice struct {
	Index        int     `json:"index"`
	Delta        Delta   `json:"delta"`
	FinishReason *string `json:"finish_reason"`
}

// Delta is what a chunk adds to the answer.
type Delta struct {
	Role    *string `json:"role"`
	Content *string `json:"content"`
}

// Usage is the token count of the last chunk when asked for.
type Usage struct {
	PromptTokens     int `json:"prompt_tokens"`
	CompletionTokens int `json:"completion_tokens"`
	TotalTokens      int `json:"total_tokens"`
}

// Error is OpenAI's error object.
type Error struct {
	Message string  `json:"message"`
	Type    string  `json:"type"`
	Param   *string `json:"param"`
	Code    string  `json:"code"`
}

// Decode decodes one frame's data.
func Decode(data string) (Chunk, error) {
	var c Chunk
	if err := json.Unmarshal([]byte(data), &c); err != nil {
		return c, fmt.Errorf("frame is not JSON: %q", data)
	}
	return c, nil
}

// ReadStream reads a whole SSE body: the chunks before [DONE], and whether
// [DONE] came, last. Anything after [DONE] is an error.
func ReadStream(body io.Reader) (chunks []Chunk, done bool, err error) {
	evs, err := ssetest.NewReader(body).All()
	if err != nil {
		return nil, false, fmt.Errorf("read stream: %w", err)
	}
	for i, ev := range evs {
		if ev.Data == "[DONE]" {
			if i != len(evs)-1 {
				return chunks, true, fmt.Errorf("[DONE] is event %d of %d, want last", i+1, len(evs))
			}
			return chunks, true, nil
		}
		c, err := Decode(ev.Data)
		if err != nil {
			return chunks, false, fmt.Errorf("event %d: %w", i, err)
		}
		chunks = append(chunks, c)
	}
	return chunks, false, nil
}

// Text joins the content of every chunk.
func Text(chunks []Chunk) string {
	var b strings.Builder
	for _, c := range chunks {
		for _, ch := range c.Choices {
			if ch.Delta.Content != nil {
				b.WriteString(*ch.Delta.Content)
			}
		}
	}
	return b.String()
}
