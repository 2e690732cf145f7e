package bedrock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// defaultMaxTokens applies when a request carries none; Anthropic requires
// the field and every family has some default.
const defaultMaxTokens = 1024

// prompt is a request reduced to what every family needs: one system text
// and alternating user/assistant turns that start with a user turn.
type prompt struct {
	system string
	turns  []chat.Message
}

// openingTurn stands in for the user's side when a conversation starts
// with the assistant (a greeting shown before the user spoke): the
// messages formats require the first turn to be the user's.
const openingTurn = "Hello."

// splitPrompt joins the configured system prompt with the client's system
// messages (when allowed) and shapes the rest into turns every family
// accepts: messages without text are dropped (Anthropic and Nova reject
// empty text), consecutive turns of the same role are merged (the messages
// formats require alternation; an answer that failed leaves two user
// messages in a row), a leading assistant turn gets openingTurn before it,
// and a final assistant turn (a prefill) loses its trailing white space,
// which Anthropic rejects.
func splitPrompt(req *chat.Request, systemPrompt string, allowClientSystem bool) (prompt, error) {
	var sys []string
	if systemPrompt != "" {
		sys = append(sys, systemPrompt)
	}
	p := prompt{turns: make([]chat.Message, 0, len(req.Messages)+1)}
	users := 0
	for _, m := range req.Messages {
		switch m.Role {
		case chat.RoleSystem:
			if allowClientSystem && strings.TrimSpace(m.Content) != "" {
				sys = append(sys, m.Content)
			}
		case chat.RoleUser, chat.RoleAssistant:
			if strings.TrimSpace(m.Content) == "" {
				continue
			}
			if m.Role == chat.RoleUser {
				users++
			}
			if n := len(p.turns); n > 0 && p.turns[n-1].Role == m.Role {
				p.turns[n-1].Content += "\n\n" + m.Content
				continue
			}
			if len(p.turns) == 0 && m.Role == chat.RoleAssistant {
				p.turns = append(p.turns, chat.Message{Role: chat.RoleUser, Content: openingTurn})
			}
			p.turns = append(p.turns, m)
		}
	}
	if users == 0 {
		return prompt{}, &chat.PublicError{Kind: chat.ErrInvalidRequest, Message: "messages must include at least one user message with text"}
	}
	if last := &p.turns[len(p.turns)-1]; last.Role == chat.RoleAssistant {
		last.Content = strings.TrimRightFunc(last.Content, unicode.IsSpace)
	}
	p.system = strings.Join(sys, "\n\n")
	return p, nil
}

const maxTemperature = 1.0

func ptr[T any](v T) *T { return &v }

// buildBody returns the InvokeModel body of family f for req.
func buildBody(f Family, modelID string, req *chat.Request, p prompt) ([]byte, error) {
	if req.Temperature != nil && *req.Temperature > maxTemperature {
		// OpenAI's temperature runs to 2, every Bedrock family's to 1: the
		// hottest setting a client asks for is the hottest the model has.
		r := *req
		r.Temperature = ptr(maxTemperature)
		req = &r
	}
	maxTokens := req.MaxTokens
	if maxTokens <= 0 {
		maxTokens = defaultMaxTokens
	}
	var body any
	switch f {
	case FamilyAnthropic:
		body = anthropicBody(req, p, maxTokens)
	case FamilyNova:
		body = novaBody(req, p, maxTokens)
	case FamilyLlama3:
		body = llamaBody{Prompt: llama3Prompt(p), MaxGenLen: maxTokens, Temperature: req.Temperature, TopP: req.TopP}
	case FamilyLlama4:
		body = llamaBody{Prompt: llama4Prompt(p), MaxGenLen: maxTokens, Temperature: req.Temperature, TopP: req.TopP}
	case FamilyMistral:
		body = mistralBody{Prompt: mistralPrompt(p), MaxTokens: maxTokens, Temperature: req.Temperature, TopP: req.TopP, Stop: req.Stop}
	case FamilyMistralChat:
		body = mistralChatBody(req, p, maxTokens)
	case FamilyTitan:
		body = titanBody(req, p, maxTokens)
	default:
		return nil, fmt.Errorf("%w: %q", ErrUnsupportedModel, modelID)
	}
	// Prompt templates are full of < and >: keep them readable in the body.
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return nil, fmt.Errorf("encode request body: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

type textMessage struct {
	Role    chat.Role `json:"role"`
	Content string    `json:"content"`
}

func textMessages(turns []chat.Message, system string) []textMessage {
	out := make([]textMessage, 0, len(turns)+1)
	if system != "" {
		out = append(out, textMessage{Role: chat.RoleSystem, Content: system})
	}
	for _, t := range turns {
		out = append(out, textMessage{Role: t.Role, Content: t.Content})
	}
	return out
}
