package bedrock_test

import (
	"os"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// TestFeatureTableInDocs keeps the feature table of docs/models.md and the
// families' capabilities in step.
func TestFeatureTableInDocs(t *testing.T) {
	t.Parallel()
	rows := map[string]bedrock.Family{
		"Anthropic Claude": bedrock.FamilyAnthropic, "Amazon Nova": bedrock.FamilyNova,
		"Meta Llama 3.x": bedrock.FamilyLlama3, "Meta Llama 4": bedrock.FamilyLlama4,
		"Mistral (text)": bedrock.FamilyMistral, "Mistral Large 2 (chat)": bedrock.FamilyMistralChat,
		"Amazon Titan Text (legacy)": bedrock.FamilyTitan, "OpenAI gpt-oss": bedrock.FamilyGPTOSS,
		"DeepSeek R1": bedrock.FamilyDeepSeek, "DeepSeek V3": bedrock.FamilyDeepSeekV3, "Qwen3": bedrock.FamilyQwen3,
	}
	doc, err := os.ReadFile("../../docs/models.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Tools, images and reasoning\n")
	if !ok {
		t.Fatal("docs/models.md has no ## Tools, images and reasoning section")
	}
	seen := map[bedrock.Family]bool{}
	for _, line := range strings.Split(section, "\n") {
		cells := strings.Split(strings.Trim(line, "| "), " | ")
		f, ok := rows[cells[0]]
		if !ok || len(cells) != 4 {
			continue
		}
		seen[f] = true
		got := chat.Capabilities{Tools: cells[1] == "✓", Images: cells[2] == "✓", Reasoning: cells[3] == "✓"}
		if want := f.Capabilities(); got != want {
			t.Errorf("docs/models.md says %s can do %+v; it can do %+v", cells[0], got, want)
		}
	}
	for name, f := range rows {
		if !seen[f] {
			t.Errorf("docs/models.md's feature table has no row %q", name)
		}
	}
}
