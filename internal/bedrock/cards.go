package bedrock

import (
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Card is what AWS's model card says a Bedrock foundation model can do
// beyond text. Capabilities belong to a model, not to its family: Claude
// 3.5 Haiku takes no images and does not think, where Claude Sonnet 4.5
// does both, yet both speak the Anthropic Messages format.
type Card struct {
	// ID is the foundation model id, without a geo prefix or an ARN.
	ID string
	// Name is the model's readable name.
	Name string
	// Caps is what the model takes beyond text: tools, images, a reasoning
	// effort.
	Caps chat.Capabilities
	// Cache: the model takes explicit prompt cache points (Claude's
	// cache_control, Nova's and Converse's cachePoint). A cache point sent
	// to a model without it is a ValidationException.
	Cache bool
	// EndOfLife is the date Bedrock retires the model in most Regions
	// (YYYY-MM-DD), or "" while none is announced.
	EndOfLife string
	// Source is the AWS page the row was read from.
	Source string
}

// cardBase is the address of AWS's model cards.
const cardBase = "https://docs.aws.amazon.com/bedrock/latest/userguide/model-card-"

var (
	tools      = chat.Capabilities{Tools: true}
	toolsImg   = chat.Capabilities{Tools: true, Images: true}
	toolsThink = chat.Capabilities{Tools: true, Reasoning: true}
	all        = chat.Capabilities{Tools: true, Images: true, Reasoning: true}
	textOnly   = chat.Capabilities{}
)

// cards are the models this gateway knows by id. docs/models.md's model
// table is checked against it. A model that is not here gets conservative
// capabilities (see CardOf).
var cards = []Card{
	{"anthropic.claude-3-haiku-20240307-v1:0", "Claude 3 Haiku", toolsImg, false, "2026-09-10", cardBase + "anthropic-claude-3-haiku.html"},
	{"anthropic.claude-3-5-haiku-20241022-v1:0", "Claude 3.5 Haiku", tools, true, "2026-06-19", cardBase + "anthropic-claude-3-5-haiku.html"},
	{"anthropic.claude-3-5-sonnet-20240620-v1:0", "Claude 3.5 Sonnet", toolsImg, false, "", cardBase + "anthropic-claude-3-5-sonnet.html"},
	{"anthropic.claude-3-5-sonnet-20241022-v2:0", "Claude 3.5 Sonnet v2", toolsImg, false, "", cardBase + "anthropic-claude-3-5-sonnet-v2.html"},
	{"anthropic.claude-3-7-sonnet-20250219-v1:0", "Claude 3.7 Sonnet", all, true, "", cardBase + "anthropic-claude-3-7-sonnet.html"},
	{"anthropic.claude-sonnet-4-20250514-v1:0", "Claude Sonnet 4", all, true, "", cardBase + "anthropic-claude-sonnet-4.html"},
	{"anthropic.claude-opus-4-20250514-v1:0", "Claude Opus 4", all, true, "", cardBase + "anthropic-claude-opus-4.html"},
	{"anthropic.claude-opus-4-1-20250805-v1:0", "Claude Opus 4.1", all, true, "", cardBase + "anthropic-claude-opus-4-1.html"},
	{"anthropic.claude-sonnet-4-5-20250929-v1:0", "Claude Sonnet 4.5", all, true, "", cardBase + "anthropic-claude-sonnet-4-5.html"},
	{"anthropic.claude-haiku-4-5-20251001-v1:0", "Claude Haiku 4.5", all, true, "", cardBase + "anthropic-claude-haiku-4-5.html"},
	{"anthropic.claude-opus-4-5-20251101-v1:0", "Claude Opus 4.5", all, true, "", cardBase + "anthropic-claude-opus-4-5.html"},
	{"amazon.nova-micro-v1:0", "Nova Micro", tools, true, "", cardBase + "amazon-nova-micro.html"},
	{"amazon.nova-lite-v1:0", "Nova Lite", toolsImg, true, "", cardBase + "amazon-nova-lite.html"},
	{"amazon.nova-pro-v1:0", "Nova Pro", toolsImg, true, "", cardBase + "amazon-nova-pro.html"},
	{"amazon.nova-premier-v1:0", "Nova Premier", toolsImg, true, "", cardBase + "amazon-nova-premier.html"},
	{"amazon.titan-text-express-v1", "Titan Text G1 - Express", textOnly, false, "", cardBase + "amazon-titan-text-express.html"},
	{"amazon.titan-text-lite-v1", "Titan Text G1 - Lite", textOnly, false, "", cardBase + "amazon-titan-text-lite.html"},
	{"amazon.titan-text-premier-v1:0", "Titan Text G1 - Premier", textOnly, false, "", cardBase + "amazon-titan-text-premier.html"},
	{"meta.llama3-8b-instruct-v1:0", "Llama 3 8B Instruct", textOnly, false, "", cardBase + "meta-llama3-8b-instruct.html"},
	{"meta.llama3-70b-instruct-v1:0", "Llama 3 70B Instruct", textOnly, false, "", cardBase + "meta-llama3-70b-instruct.html"},
	{"meta.llama3-1-8b-instruct-v1:0", "Llama 3.1 8B Instruct", tools, false, "", cardBase + "meta-llama3-1-8b-instruct.html"},
	{"meta.llama3-1-70b-instruct-v1:0", "Llama 3.1 70B Instruct", tools, false, "", cardBase + "meta-llama3-1-70b-instruct.html"},
	{"meta.llama3-1-405b-instruct-v1:0", "Llama 3.1 405B Instruct", tools, false, "", cardBase + "meta-llama3-1-405b-instruct.html"},
	{"meta.llama3-2-11b-instruct-v1:0", "Llama 3.2 11B Vision Instruct", toolsImg, false, "", cardBase + "meta-llama3-2-11b-instruct.html"},
	{"meta.llama3-2-90b-instruct-v1:0", "Llama 3.2 90B Vision Instruct", toolsImg, false, "", cardBase + "meta-llama3-2-90b-instruct.html"},
	{"meta.llama3-3-70b-instruct-v1:0", "Llama 3.3 70B Instruct", tools, false, "", cardBase + "meta-llama3-3-70b-instruct.html"},
	{"meta.llama4-scout-17b-instruct-v1:0", "Llama 4 Scout 17B Instruct", toolsImg, false, "", cardBase + "meta-llama4-scout-17b-instruct.html"},
	{"meta.llama4-maverick-17b-instruct-v1:0", "Llama 4 Maverick 17B Instruct", toolsImg, false, "", cardBase + "meta-llama4-maverick-17b-instruct.html"},
	{"mistral.mistral-7b-instruct-v0:2", "Mistral 7B Instruct", textOnly, false, "", cardBase + "mistral-7b-instruct.html"},
	{"mistral.mixtral-8x7b-instruct-v0:1", "Mixtral 8x7B Instruct", textOnly, false, "", cardBase + "mistral-mixtral-8x7b-instruct.html"},
	{"mistral.mistral-large-2402-v1:0", "Mistral Large (24.02)", tools, false, "", cardBase + "mistral-large-2402.html"},
	{"mistral.mistral-large-2407-v1:0", "Mistral Large 2 (24.07)", tools, false, "", cardBase + "mistral-large-2407.html"},
	{"mistral.mistral-small-2402-v1:0", "Mistral Small (24.02)", tools, false, "", cardBase + "mistral-small-2402.html"},
	{"openai.gpt-oss-20b-1:0", "gpt-oss-20b", toolsThink, false, "", cardBase + "openai-gpt-oss-20b.html"},
	{"openai.gpt-oss-120b-1:0", "gpt-oss-120b", toolsThink, false, "", cardBase + "openai-gpt-oss-120b.html"},
	{"deepseek.r1-v1:0", "DeepSeek-R1", textOnly, false, "", cardBase + "deepseek-r1.html"},
	{"deepseek.v3-v1:0", "DeepSeek-V3.1", tools, false, "", cardBase + "deepseek-v3-1.html"},
	{"qwen.qwen3-32b-v1:0", "Qwen3 32B", tools, false, "", cardBase + "qwen-qwen3-32b.html"},
	{"qwen.qwen3-235b-a22b-2507-v1:0", "Qwen3 235B A22B 2507", tools, false, "", cardBase + "qwen-qwen3-235b-a22b-2507.html"},
	{"qwen.qwen3-coder-30b-a3b-v1:0", "Qwen3 Coder 30B A3B", tools, false, "", cardBase + "qwen-qwen3-coder-30b-a3b.html"},
}

// cardIndex finds a card by foundation model id.
var cardIndex = func() map[string]*Card {
	m := make(map[string]*Card, len(cards))
	for i := range cards {
		m[cards[i].ID] = &cards[i]
	}
	return m
}()

// Cards returns the model table, in its order.
func Cards() []Card { return append([]Card(nil), cards...) }

// CardOf returns the card of a model id (a foundation model id, a system
// inference profile id such as us.… or global.…, or the ARN of either),
// or nil when the table does not know the model.
func CardOf(modelID string) *Card {
	return cardIndex[BaseModelID(modelID)]
}

// BaseModelID returns the foundation model id inside a model id: an ARN
// unwrapped, a geo prefix dropped. An id it cannot take apart is returned
// as it is.
func BaseModelID(modelID string) string {
	id := strings.TrimSpace(modelID)
	if strings.HasPrefix(id, "arn:") {
		inner, err := unwrapARN(id)
		if err != nil {
			return id
		}
		id = inner
	}
	if geo, rest, ok := strings.Cut(id, "."); ok && geoPrefixes[geo] {
		id = rest
	}
	return id
}

// capsOf is what a model of family f (nil: no InvokeModel family knows
// it) can do on the path it answers through: what its card lists and the
// path implements (Converse implements all three; an InvokeModel family
// what its body carries). A model without a card gets tools at most, and
// only where its family takes them, never images or reasoning: a request
// for those reaches only the models whose card says they take them.
func capsOf(modelID string, f *familySpec, converse bool) chat.Capabilities {
	path := all
	if !converse && f != nil {
		path = f.caps
	}
	c := CardOf(modelID)
	if c == nil {
		return chat.Capabilities{Tools: f != nil && f.caps.Tools}
	}
	return chat.Capabilities{
		Tools:     c.Caps.Tools && path.Tools,
		Images:    c.Caps.Images && path.Images,
		Reasoning: c.Caps.Reasoning && path.Reasoning,
	}
}
