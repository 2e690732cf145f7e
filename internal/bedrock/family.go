package bedrock

import (
	"fmt"
	"strings"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Family is a request and stream format shared by a group of Bedrock models.
type Family string

// The supported model families.
const (
	FamilyAnthropic   Family = "anthropic"    // Anthropic Claude, Messages API
	FamilyNova        Family = "nova"         // Amazon Nova, messages-v1
	FamilyLlama3      Family = "llama3"       // Meta Llama 3.x, Llama 3 chat template
	FamilyLlama4      Family = "llama4"       // Meta Llama 4, Llama 4 chat template
	FamilyMistral     Family = "mistral"      // Mistral text completion, [INST] prompt
	FamilyMistralChat Family = "mistral-chat" // Mistral Large 2 (2407), chat messages
	FamilyTitan       Family = "titan"        // Amazon Titan Text (legacy: Bedrock is retiring it)
	FamilyGPTOSS      Family = "gpt-oss"      // OpenAI gpt-oss, OpenAI chat completions
	FamilyDeepSeek    Family = "deepseek"     // DeepSeek R1, R1 prompt template
	FamilyDeepSeekV3  Family = "deepseek-v3"  // DeepSeek V3, OpenAI chat completions
	FamilyQwen3       Family = "qwen3"        // Qwen3, OpenAI chat completions
)

// familySpec is what a family is made of: what it can do beyond text, how
// its request body is built and how its chunks are read.
type familySpec struct {
	caps   chat.Capabilities
	body   func(req *chat.Request, p prompt, maxTokens int) (any, error)
	decode decoder
	// split, when set, makes the tag splitter of each answer: the family
	// marks its reasoning with tags in the text.
	split func() *tagSplitter
}

// families are the specs of the supported families.
var families = map[Family]*familySpec{
	FamilyAnthropic:   &anthropic,
	FamilyNova:        &nova,
	FamilyLlama3:      &llama3,
	FamilyLlama4:      &llama4,
	FamilyMistral:     &mistral,
	FamilyMistralChat: &mistralChat,
	FamilyTitan:       &titan,
	FamilyGPTOSS:      &gptOSS,
	FamilyDeepSeek:    &deepSeek,
	FamilyDeepSeekV3:  &deepSeekV3,
	FamilyQwen3:       &qwen3,
}

// Capabilities returns what the family's models can do beyond text.
func (f Family) Capabilities() chat.Capabilities {
	if s := families[f]; s != nil {
		return s.caps
	}
	return chat.Capabilities{}
}

// geoPrefixes are the first dot segments of cross-region inference profile
// ids. They say where a request may run, not which model answers it.
var geoPrefixes = map[string]bool{
	"us": true, "us-gov": true, "eu": true, "apac": true, "jp": true,
	"au": true, "ca": true, "global": true, "sa": true, "amer": true,
}

// FamilyOf returns the family of a model id. The id may be a foundation
// model id, a cross-region inference profile id (us., eu., apac., us-gov.,
// jp., au., global. ...), or the ARN of either. ARNs that do not name the
// model (application inference profiles, provisioned or imported models)
// are rejected, because the body format cannot be known from them.
func FamilyOf(modelID string) (Family, error) {
	id := strings.TrimSpace(modelID)
	if id == "" {
		return "", fmt.Errorf("%w: empty model id", ErrUnsupportedModel)
	}
	if strings.HasPrefix(id, "arn:") {
		inner, err := unwrapARN(id)
		if err != nil {
			return "", err
		}
		id = inner
	}
	if geo, rest, ok := strings.Cut(id, "."); ok && geoPrefixes[geo] {
		id = rest
	}
	provider, name, _ := strings.Cut(id, ".")
	switch provider {
	case "anthropic":
		if strings.HasPrefix(name, "claude") {
			return FamilyAnthropic, nil
		}
	case "amazon":
		switch {
		case strings.HasPrefix(name, "nova-") && !hasAny(name, "canvas", "reel", "sonic", "embed"):
			return FamilyNova, nil
		case strings.HasPrefix(name, "titan-text-"), strings.HasPrefix(name, "titan-tg1-"):
			return FamilyTitan, nil
		}
	case "meta":
		switch {
		case strings.HasPrefix(name, "llama3"):
			return FamilyLlama3, nil
		case strings.HasPrefix(name, "llama4"):
			return FamilyLlama4, nil
		}
	case "openai":
		if strings.HasPrefix(name, "gpt-oss-") {
			return FamilyGPTOSS, nil
		}
	case "deepseek":
		switch {
		case strings.HasPrefix(name, "r1"):
			return FamilyDeepSeek, nil
		case strings.HasPrefix(name, "v3"):
			return FamilyDeepSeekV3, nil
		}
	case "qwen":
		if strings.HasPrefix(name, "qwen3") && !strings.Contains(name, "-vl-") {
			return FamilyQwen3, nil
		}
	case "mistral":
		switch {
		case strings.HasPrefix(name, "mistral-large-2407"):
			return FamilyMistralChat, nil
		case strings.HasPrefix(name, "mistral-"), strings.HasPrefix(name, "mixtral-"):
			return FamilyMistral, nil
		}
	}
	return "", fmt.Errorf("%w: %q (supported: anthropic.claude*, amazon.nova-*, amazon.titan-text-*, meta.llama3*, meta.llama4*, mistral.mistral-*, mistral.mixtral-*, openai.gpt-oss-*, deepseek.r1*, deepseek.v3*, qwen.qwen3*, optionally with a geo prefix such as us. or global., or their ARNs)", ErrUnsupportedModel, modelID)
}

// unwrapARN returns the model or inference profile id inside a Bedrock ARN
// (arn:aws[-partition]:bedrock:<region>:<account>:<type>/<id>).
func unwrapARN(arn string) (string, error) {
	parts := strings.SplitN(arn, ":", 6)
	if len(parts) != 6 || !strings.HasPrefix(parts[1], "aws") || parts[2] != "bedrock" {
		return "", fmt.Errorf("%w: %q is not a Bedrock ARN", ErrUnsupportedModel, arn)
	}
	kind, id, ok := strings.Cut(parts[5], "/")
	if !ok || id == "" {
		return "", fmt.Errorf("%w: %q has no resource id", ErrUnsupportedModel, arn)
	}
	switch kind {
	case "foundation-model", "inference-profile":
		return id, nil
	}
	return "", fmt.Errorf("%w: %q is a %s ARN, which does not name the model; use the foundation model id or a system inference profile id (e.g. us.anthropic.claude-haiku-4-5-20251001-v1:0) instead", ErrUnsupportedModel, arn, kind)
}

func hasAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if strings.Contains(s, sub) {
			return true
		}
	}
	return false
}
