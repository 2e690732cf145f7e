package bedrock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
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
	// systemCache asks for a prompt cache point after the system text
	// (see cache.go); a turn's and a tool's Cache ask for one after them.
	systemCache bool
}

// openingTurn stands in for the user's side when a conversation starts
// with the assistant (a greeting shown before the user spoke): the
// messages formats require the first turn to be the user's.
const openingTurn = "Hello."

// splitPrompt joins the configured system prompt with the client's system
// messages (when allowed) and shapes the rest into turns every family
// accepts: messages with nothing in them are dropped (Anthropic and Nova
// reject empty text), consecutive user or assistant turns are merged (the
// messages formats require alternation; an answer that failed leaves two
// user messages in a row), a leading assistant turn gets openingTurn
// before it, and a final assistant turn (a prefill) loses its trailing
// white space, which Anthropic rejects. Tool results stay turns of their
// own, right after the assistant turn that made the calls; each family
// places them (Anthropic and Nova in a user turn, with what the user says
// next).
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
				p.systemCache = p.systemCache || m.Cache
			}
		case chat.RoleTool:
			p.turns = append(p.turns, m)
		case chat.RoleUser, chat.RoleAssistant:
			if strings.TrimSpace(m.Content) == "" && len(m.ToolCalls) == 0 && !hasImage(m.Parts) {
				continue
			}
			if m.Role == chat.RoleUser {
				users++
			}
			if n := len(p.turns); n > 0 && p.turns[n-1].Role == m.Role {
				merge(&p.turns[n-1], m)
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
	if last := &p.turns[len(p.turns)-1]; last.Role == chat.RoleAssistant && len(last.ToolCalls) == 0 {
		last.Content = strings.TrimRightFunc(last.Content, unicode.IsSpace)
	}
	p.system = strings.Join(sys, "\n\n")
	return p, nil
}

// merge appends m to the turn t of the same role.
func merge(t *chat.Message, m chat.Message) {
	if t.Parts != nil || m.Parts != nil {
		a, b := partsOf(*t), partsOf(m)
		if n := len(a); n > 0 && a[n-1].Image == nil && len(b) > 0 && b[0].Image == nil {
			// Adjacent texts join into one: a part of white space alone
			// is refused.
			joined := a[n-1].Text + "\n\n" + b[0].Text
			a = append(a[:n-1:n-1], chat.Part{Text: joined})
			b = b[1:]
		}
		t.Parts = slices.Concat(a, b)
	}
	switch {
	case t.Content == "":
		t.Content = m.Content
	case m.Content != "":
		t.Content += "\n\n" + m.Content
	}
	t.ToolCalls = slices.Concat(t.ToolCalls, m.ToolCalls)
	t.Thinking = slices.Concat(t.Thinking, m.Thinking)
	t.Cache = t.Cache || m.Cache
}

// partsOf returns a message's content as parts: its parts, or its text.
func partsOf(m chat.Message) []chat.Part {
	if m.Parts != nil {
		return m.Parts
	}
	return []chat.Part{{Text: m.Content}}
}

func hasImage(parts []chat.Part) bool {
	for _, p := range parts {
		if p.Image != nil {
			return true
		}
	}
	return false
}

// lastToolTurn returns the latest assistant turn if it made tool calls:
// the tool loop the request continues.
func (p *prompt) lastToolTurn() *chat.Message {
	for i := len(p.turns) - 1; i >= 0; i-- {
		if t := &p.turns[i]; t.Role == chat.RoleAssistant {
			if len(t.ToolCalls) > 0 {
				return t
			}
			return nil
		}
	}
	return nil
}

const maxTemperature = 1.0

func ptr[T any](v T) *T { return &v }

// buildBody returns the InvokeModel body of family f for req.
func buildBody(f *familySpec, req *chat.Request, p prompt) ([]byte, error) {
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
	body, err := f.body(req, p, maxTokens)
	if err != nil {
		return nil, err
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
