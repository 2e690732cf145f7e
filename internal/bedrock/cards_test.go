package bedrock_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// modelTable is docs/models.md's model table as the cards say it.
func modelTable() string {
	mark := func(b bool) string {
		if b {
			return "✓"
		}
		return "–"
	}
	var b strings.Builder
	b.WriteString("| Model id | Model | Tools | Images | Reasoning | Prompt caching | End of life | Source |\n")
	b.WriteString("|---|---|---|---|---|---|---|---|\n")
	for _, c := range bedrock.Cards() {
		eol := c.EndOfLife
		if eol == "" {
			eol = "–"
		}
		b.WriteString("| `" + c.ID + "` | " + c.Name + " | " + mark(c.Caps.Tools) + " | " + mark(c.Caps.Images) + " | " +
			mark(c.Caps.Reasoning) + " | " + mark(c.Cache) + " | " + eol + " | [model card](" + c.Source + ") |\n")
	}
	return b.String()
}

// TestModelTableInDocs keeps docs/models.md's model table equal to the
// cards the code reads.
func TestModelTableInDocs(t *testing.T) {
	t.Parallel()
	doc, err := os.ReadFile("../../docs/models.md")
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(doc), "\n## Model table\n")
	if !ok {
		t.Fatal("docs/models.md has no ## Model table section")
	}
	start := strings.Index(section, "| Model id |")
	if start < 0 {
		t.Fatal("docs/models.md's model table has no header row")
	}
	table := section[start:]
	if end := strings.Index(table, "\n\n"); end >= 0 {
		table = table[:end+1]
	}
	if want := modelTable(); table != want {
		t.Errorf("docs/models.md's model table differs from the cards; it should read:\n%s", want)
	}
}

// TestCardsAreWellFormed: one row per id, each a foundation model id of a
// known provider, each citing an AWS page.
func TestCardsAreWellFormed(t *testing.T) {
	t.Parallel()
	seen := map[string]bool{}
	for _, c := range bedrock.Cards() {
		if seen[c.ID] {
			t.Errorf("%s: two rows", c.ID)
		}
		seen[c.ID] = true
		if bedrock.BaseModelID(c.ID) != c.ID {
			t.Errorf("%s: not a foundation model id", c.ID)
		}
		if !strings.HasPrefix(c.Source, "https://docs.aws.amazon.com/bedrock/") {
			t.Errorf("%s: source %q is not an AWS Bedrock page", c.ID, c.Source)
		}
		if bedrock.CardOf("us."+c.ID) == nil || bedrock.CardOf("arn:aws:bedrock:us-east-1::foundation-model/"+c.ID) == nil {
			t.Errorf("%s: not found through a geo prefix or its ARN", c.ID)
		}
	}
}

// TestCapabilitiesPerModel: what a model takes is its own, not its
// family's. Claude 3.5 Haiku (text-only on Bedrock, no extended thinking)
// refuses an image and a reasoning effort by name before Bedrock is
// called; Claude Sonnet 4.5 takes both. The same on either API.
func TestCapabilitiesPerModel(t *testing.T) {
	t.Parallel()
	image := []chat.Message{{Role: chat.RoleUser, Content: "What is this?", Parts: []chat.Part{
		{Text: "What is this?"}, {Image: &chat.Image{MediaType: "image/png", Data: png}},
	}}}
	tests := []struct {
		name  string
		model string
		req   chat.Request
		param string // refused by name; "" answers
	}{
		{name: "image to Claude 3.5 Haiku", model: "us.anthropic.claude-3-5-haiku-20241022-v1:0",
			req: chat.Request{MaxTokens: 50, Messages: image}, param: "images"},
		{name: "reasoning to Claude 3.5 Haiku", model: "us.anthropic.claude-3-5-haiku-20241022-v1:0",
			req: chat.Request{MaxTokens: 50, Reasoning: chat.EffortLow, Messages: []chat.Message{{Role: chat.RoleUser, Content: "hi"}}}, param: "reasoning_effort"},
		{name: "image to Claude Sonnet 4.5", model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
			req: chat.Request{MaxTokens: 50, Messages: image}},
		{name: "reasoning to Claude Sonnet 4.5", model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
			req: chat.Request{MaxTokens: 50, Reasoning: chat.EffortLow, Messages: []chat.Message{{Role: chat.RoleUser, Content: "hi"}}}},
		{name: "image to Nova Micro", model: "us.amazon.nova-micro-v1:0",
			req: chat.Request{MaxTokens: 50, Messages: image}, param: "images"},
		{name: "image to a model without a card", model: "anthropic.claude-future-v9:0",
			req: chat.Request{MaxTokens: 50, Messages: image}, param: "images"},
	}
	for _, api := range []bedrock.API{bedrock.APIInvoke, bedrock.APIConverse} {
		for _, tt := range tests {
			t.Run(string(api)+"/"+tt.name, func(t *testing.T) {
				t.Parallel()
				srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(2)))
				cfg := testConfig(tt.model, &sleeps{})
				cfg.API = api
				m := newModel(t, srv, cfg)
				_, _, err := collect(context.Background(), m, &tt.req)
				if tt.param == "" {
					if err != nil {
						t.Fatalf("err = %v, want an answer", err)
					}
					return
				}
				var pe *chat.PublicError
				if !errors.As(err, &pe) || pe.Param != tt.param || pe.Code != "unsupported_parameter" {
					t.Errorf("err = %v, want unsupported_parameter naming %s", err, tt.param)
				}
				if n := len(srv.Requests()); n != 0 {
					t.Errorf("Bedrock was called %d times", n)
				}
			})
		}
	}
}
