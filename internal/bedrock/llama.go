package bedrock

import (
	"encoding/json"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Meta Llama: a chat template in one prompt string. Llama 4 takes images
// too: each is an <|image|> token in the prompt and its bytes, in order,
// in images.

var (
	llama3 = familySpec{body: llamaBodyOf(llama3Template), decode: decodeLlama}
	llama4 = familySpec{caps: chat.Capabilities{Images: true}, body: llamaBodyOf(llama4Template), decode: decodeLlama}
)

// llamaBody has no stop field: Bedrock's Meta models take none, so stop
// sequences are not sent.
type llamaBody struct {
	Prompt      string   `json:"prompt"`
	MaxGenLen   int      `json:"max_gen_len"`
	Temperature *float64 `json:"temperature,omitempty"`
	TopP        *float64 `json:"top_p,omitempty"`
	Images      [][]byte `json:"images,omitempty"` // each encoded as base64 by encoding/json
}

func llamaBodyOf(tpl llamaTemplate) func(*chat.Request, prompt, int) (any, error) {
	return func(req *chat.Request, p prompt, maxTokens int) (any, error) {
		b := llamaBody{MaxGenLen: maxTokens, Temperature: req.Temperature, TopP: req.TopP}
		b.Prompt, b.Images = llamaPrompt(tpl, p)
		return b, nil
	}
}

// llamaTemplate is a Llama chat template's special tokens.
type llamaTemplate struct{ headerStart, headerEnd, eot string }

var (
	llama3Template = llamaTemplate{"<|start_header_id|>", "<|end_header_id|>", "<|eot_id|>"}
	llama4Template = llamaTemplate{"<|header_start|>", "<|header_end|>", "<|eot|>"}
)

// llamaImage stands for an image in a Llama prompt; the escaping of the
// text around it keeps the text from spelling it.
const llamaImage = "<|image|>"

func llamaPrompt(tpl llamaTemplate, p prompt) (string, [][]byte) {
	var b strings.Builder
	var images [][]byte
	b.WriteString("<|begin_of_text|>")
	turn := func(role chat.Role, text string) {
		b.WriteString(tpl.headerStart + string(role) + tpl.headerEnd + "\n\n" + llamaMarkers.escape(text) + tpl.eot)
	}
	if p.system != "" {
		turn(chat.RoleSystem, p.system)
	}
	for _, t := range p.turns {
		if t.Parts == nil {
			turn(t.Role, t.Content)
			continue
		}
		b.WriteString(tpl.headerStart + string(t.Role) + tpl.headerEnd + "\n\n")
		for _, part := range t.Parts {
			if part.Image != nil {
				b.WriteString(llamaImage)
				images = append(images, part.Image.Data)
				continue
			}
			b.WriteString(llamaMarkers.escape(part.Text))
		}
		b.WriteString(tpl.eot)
	}
	b.WriteString(tpl.headerStart + "assistant" + tpl.headerEnd + "\n\n")
	return b.String(), images
}

type llamaChunk struct {
	Generation       string             `json:"generation"`
	PromptTokens     int                `json:"prompt_token_count"`
	GenerationTokens int                `json:"generation_token_count"`
	StopReason       string             `json:"stop_reason"`
	Metrics          *invocationMetrics `json:"amazon-bedrock-invocationMetrics"`
}

func decodeLlama(payload []byte, st *streamState, out emitter) error {
	var c llamaChunk
	if err := json.Unmarshal(payload, &c); err != nil {
		return badChunk(err)
	}
	st.addMetrics(c.Metrics)
	st.stop(c.StopReason)
	if c.PromptTokens > 0 { // first chunk only
		st.usage.PromptTokens = c.PromptTokens
	}
	if c.GenerationTokens > 0 { // cumulative
		st.usage.CompletionTokens = c.GenerationTokens
	}
	return st.text(c.Generation, out)
}
