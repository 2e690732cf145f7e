package bedrock

import (
	"bytes"
	"encoding/json"
	"fmt"
	"regexp"
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

// llamaBody has no stop field: Bedrock's Meta models take none, so stop
// sequences are not sent.
type llamaBody struct {
	Prompt      string   `json:"prompt"`
	MaxGenLen   int      `json:"max_gen_len"`
	Temperature *float64 `json:"temperature,omitempty"`
	TopP        *float64 `json:"top_p,omitempty"`
}

// llamaTemplate is a Llama chat template's special tokens.
type llamaTemplate struct{ headerStart, headerEnd, eot string }

var (
	llama3Template = llamaTemplate{"<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"}
	llama4Template = llamaTemplate{"<|header_start|>", "<|header_end|>", "<|eot|>"}
)

func llama3Prompt(p prompt) string { return llamaPrompt(llama3Template, p) }
func llama4Prompt(p prompt) string { return llamaPrompt(llama4Template, p) }

func llamaPrompt(tpl llamaTemplate, p prompt) string {
	var b strings.Builder
	b.WriteString("<|begin_of_text|>")
	turn := func(role chat.Role, text string) {
		b.WriteString(tpl.headerStart + string(role) + tpl.headerEnd + "\n\n" + llamaMarkers.escape(text) + tpl.eot)
	}
	if p.system != "" {
		turn(chat.RoleSystem, p.system)
	}
	for _, t := range p.turns {
		turn(t.Role, t.Content)
	}
	b.WriteString(tpl.headerStart + "assistant" + tpl.headerEnd + "\n\n")
	return b.String()
}

type mistralBody struct {
	Prompt      string   `json:"prompt"`
	MaxTokens   int      `json:"max_tokens"`
	Temperature *float64 `json:"temperature,omitempty"`
	TopP        *float64 `json:"top_p,omitempty"`
	Stop        []string `json:"stop,omitempty"`
}

// mistralPrompt has no system role: the system text leads the first
// instruction, as Mistral's own template does.
func mistralPrompt(p prompt) string {
	var b strings.Builder
	b.WriteString("<s>")
	system := p.system
	for _, t := range p.turns {
		if t.Role == chat.RoleAssistant {
			b.WriteString(" " + mistralMarkers.escape(t.Content) + "</s>")
			continue
		}
		text := t.Content
		if system != "" {
			text, system = system+"\n\n"+text, ""
		}
		b.WriteString("[INST] " + mistralMarkers.escape(text) + " [/INST]")
	}
	return b.String()
}

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
