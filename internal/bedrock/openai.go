package bedrock

import (
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// The families whose InvokeModel body is an OpenAI Chat Completions request
// and whose chunks are chat.completion.chunk objects: OpenAI gpt-oss,
// DeepSeek V3 and Qwen3. gpt-oss on InvokeModel puts its reasoning in the
// text, inside <reasoning>…</reasoning>, before the answer; DeepSeek and
// Qwen3 mark theirs <think>…</think> where they do not send
// reasoning_content. Text only: none of them takes images here.

var (
	gptOSS = familySpec{
		caps:   chat.Capabilities{Tools: true, Reasoning: true},
		body:   openAIBody(true),
		decode: decodeChat,
		split:  func() *tagSplitter { return &tagSplitter{open: "<reasoning>", close: "</reasoning>"} },
	}
	deepSeekV3 = familySpec{
		caps:   chat.Capabilities{Tools: true},
		body:   openAIBody(false),
		decode: decodeChat,
		split:  thinkTags,
	}
	qwen3 = familySpec{
		caps:   chat.Capabilities{Tools: true},
		body:   openAIBody(false),
		decode: decodeChat,
		split:  thinkTags,
	}
)

func thinkTags() *tagSplitter { return &tagSplitter{open: "<think>", close: "</think>"} }

// openAIRequest leaves out model (the path names it) and stream (Bedrock
// fills it in to match the operation).
type openAIRequest struct {
	Messages            []chatMessage `json:"messages"`
	MaxTokens           int           `json:"max_tokens,omitempty"`
	MaxCompletionTokens int           `json:"max_completion_tokens,omitempty"`
	Temperature         *float64      `json:"temperature,omitempty"`
	TopP                *float64      `json:"top_p,omitempty"`
	Stop                []string      `json:"stop,omitempty"`
	Tools               []chatTool    `json:"tools,omitempty"`
	ToolChoice          any           `json:"tool_choice,omitempty"`
	ParallelToolCalls   *bool         `json:"parallel_tool_calls,omitempty"`
	ReasoningEffort     string        `json:"reasoning_effort,omitempty"`
}

// gptOSSEffort is gpt-oss's reasoning_effort for e, on either API: it
// takes low, medium or high, so minimal goes as low; "" stays "".
func gptOSSEffort(e chat.ReasoningEffort) string {
	if e == chat.EffortMinimal {
		return string(chat.EffortLow)
	}
	return string(e)
}

// openAIBody builds the body; gpt-oss names its limit max_completion_tokens
// and takes a reasoning effort (gptOSSEffort).
func openAIBody(gptOSS bool) func(*chat.Request, prompt, int) (any, error) {
	return func(req *chat.Request, p prompt, maxTokens int) (any, error) {
		b := openAIRequest{
			Messages:          chatMessages(p),
			Temperature:       req.Temperature,
			TopP:              req.TopP,
			Stop:              req.Stop,
			Tools:             chatTools(req.Tools),
			ParallelToolCalls: req.ParallelToolCalls,
		}
		if gptOSS {
			b.MaxCompletionTokens = maxTokens
			b.ReasoningEffort = gptOSSEffort(req.Reasoning)
		} else {
			b.MaxTokens = maxTokens
		}
		switch req.ToolChoice.Mode {
		case chat.ToolNone, chat.ToolRequired:
			b.ToolChoice = string(req.ToolChoice.Mode)
		case chat.ToolFunction:
			b.ToolChoice = map[string]any{"type": "function", "function": map[string]string{"name": req.ToolChoice.Name}}
		}
		return b, nil
	}
}
