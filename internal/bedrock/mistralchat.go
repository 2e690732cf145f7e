package bedrock

import (
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Mistral Large 2 (2407): the chat format, with tools. Its tool_choice
// says "any" where OpenAI says "required", and names no function: a named
// function is offered alone, with "any".

var mistralChat = familySpec{
	caps:   chat.Capabilities{Tools: true},
	body:   mistralChatBody,
	decode: decodeChat,
}

// mistralChatRequest sends no stop field: the Mistral Large 2 (2407) chat
// format documents none.
type mistralChatRequest struct {
	Messages    []chatMessage `json:"messages"`
	MaxTokens   int           `json:"max_tokens"`
	Temperature *float64      `json:"temperature,omitempty"`
	TopP        *float64      `json:"top_p,omitempty"`
	Tools       []chatTool    `json:"tools,omitempty"`
	ToolChoice  string        `json:"tool_choice,omitempty"`
}

func mistralChatBody(req *chat.Request, p prompt, maxTokens int) (any, error) {
	b := mistralChatRequest{
		Messages:    chatMessages(p),
		MaxTokens:   maxTokens,
		Temperature: req.Temperature,
		TopP:        req.TopP,
		Tools:       chatTools(req.Tools),
	}
	switch req.ToolChoice.Mode {
	case chat.ToolNone:
		b.ToolChoice = "none"
	case chat.ToolRequired:
		b.ToolChoice = "any"
	case chat.ToolFunction:
		for _, t := range req.Tools {
			if t.Name == req.ToolChoice.Name {
				b.Tools = chatTools([]chat.Tool{t})
			}
		}
		b.ToolChoice = "any"
	}
	return b, nil
}
