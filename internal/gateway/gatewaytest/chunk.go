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
	Role             *string         `json:"role"`
	Content          *string         `json:"content"`
	ReasoningContent *string         `json:"reasoning_content"`
	ToolCalls        []ToolCallDelta `json:"tool_calls"`
	ThinkingBlocks   []ThinkingBlock `json:"thinking_blocks"`
}

// ToolCallDelta is a piece of a tool call: the first piece of a call has
// its id, type and function name, later ones more of its arguments.
type ToolCallDelta struct {
	Index    int     `json:"index"`
	ID       *string `json:"id"`
	Type     *string `json:"type"`
	Function struct {
		Name      *string `json:"name"`
		Arguments string  `json:"arguments"`
	} `json:"function"`
}

// ThinkingBlock is a signed reasoning block the client returns as is.
type ThinkingBlock struct {
	Type      string `json:"type"`
	Thinking  string `json:"thinking"`
	Signature string `json:"signature"`
	Data      string `json:"data"`
}

// Usage is the token count of the last chunk when asked for.
type Usage struct {
	PromptTokens            int `json:"prompt_tokens"`
	CompletionTokens        int `json:"completion_tokens"`
	TotalTokens             int `json:"total_tokens"`
	CompletionTokensDetails *struct {
		ReasoningTokens int `json:"reasoning_tokens"`
	} `json:"completion_tokens_details"`
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

// Reasoning joins the reasoning_content of every chunk.
func Reasoning(chunks []Chunk) string {
	var b strings.Builder
	for _, c := range chunks {
		for _, ch := range c.Choices {
			if ch.Delta.ReasoningContent != nil {
				b.WriteString(*ch.Delta.ReasoningContent)
			}
		}
	}
	return b.String()
}

// ToolCall is a tool call assembled from its pieces.
type ToolCall struct {
	ID, Name, Arguments string
}

// ToolCalls assembles the tool calls of a stream by index, as a client
// does. It fails on a call whose id or name is missing, or sent twice.
func ToolCalls(chunks []Chunk) ([]ToolCall, error) {
	var calls []ToolCall
	for _, c := range chunks {
		for _, ch := range c.Choices {
			for _, t := range ch.Delta.ToolCalls {
				if t.Index < 0 || t.Index > len(calls) {
					return calls, fmt.Errorf("tool call index %d skips ahead of %d calls", t.Index, len(calls))
				}
				if t.Index == len(calls) {
					if t.ID == nil || *t.ID == "" || t.Function.Name == nil || *t.Function.Name == "" || t.Type == nil || *t.Type != "function" {
						return calls, fmt.Errorf("the first piece of tool call %d lacks its id, type or name", t.Index)
					}
					calls = append(calls, ToolCall{ID: *t.ID, Name: *t.Function.Name})
				} else if t.ID != nil || t.Function.Name != nil {
					return calls, fmt.Errorf("tool call %d names its id or function twice", t.Index)
				}
				calls[t.Index].Arguments += t.Function.Arguments
			}
		}
	}
	return calls, nil
}

// FinishReason is the finish_reason of the stream's last choice, or "".
func FinishReason(chunks []Chunk) string {
	for i := len(chunks) - 1; i >= 0; i-- {
		for _, ch := range chunks[i].Choices {
			if ch.FinishReason != nil {
				return *ch.FinishReason
			}
		}
	}
	return ""
}

// PNG is a one-pixel PNG image, base64 encoded, for requests with images.
const PNG = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
