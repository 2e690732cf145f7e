package bedrock_test

import (
	"errors"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
)

func TestFamilyOf(t *testing.T) {
	t.Parallel()
	tests := []struct {
		id   string
		want bedrock.Family // empty: unsupported
	}{
		{id: "anthropic.claude-3-5-haiku-20241022-v1:0", want: bedrock.FamilyAnthropic},
		{id: "anthropic.claude-v2:1", want: bedrock.FamilyAnthropic},
		{id: "us.anthropic.claude-3-7-sonnet-20250219-v1:0", want: bedrock.FamilyAnthropic},
		{id: "eu.anthropic.claude-sonnet-4-20250514-v1:0", want: bedrock.FamilyAnthropic},
		{id: "apac.anthropic.claude-3-haiku-20240307-v1:0", want: bedrock.FamilyAnthropic},
		{id: "us-gov.anthropic.claude-3-5-sonnet-20240620-v1:0", want: bedrock.FamilyAnthropic},
		{id: "jp.anthropic.claude-sonnet-4-5-20250929-v1:0", want: bedrock.FamilyAnthropic},
		{id: "au.anthropic.claude-haiku-4-5-20251001-v1:0", want: bedrock.FamilyAnthropic},
		{id: "global.anthropic.claude-sonnet-4-5-20250929-v1:0", want: bedrock.FamilyAnthropic},
		{id: "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0", want: bedrock.FamilyAnthropic},
		{id: "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-3-5-haiku-20241022-v1:0", want: bedrock.FamilyAnthropic},
		{id: "arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/meta.llama3-8b-instruct-v1:0", want: bedrock.FamilyLlama3},
		{id: "amazon.nova-micro-v1:0", want: bedrock.FamilyNova},
		{id: "us.amazon.nova-premier-v1:0", want: bedrock.FamilyNova},
		{id: "amazon.titan-text-express-v1", want: bedrock.FamilyTitan},
		{id: "amazon.titan-text-premier-v1:0", want: bedrock.FamilyTitan},
		{id: "amazon.titan-tg1-large", want: bedrock.FamilyTitan},
		{id: "meta.llama3-70b-instruct-v1:0", want: bedrock.FamilyLlama3},
		{id: "us.meta.llama3-3-70b-instruct-v1:0", want: bedrock.FamilyLlama3},
		{id: "us.meta.llama4-maverick-17b-instruct-v1:0", want: bedrock.FamilyLlama4},
		{id: "mistral.mistral-7b-instruct-v0:2", want: bedrock.FamilyMistral},
		{id: "mistral.mixtral-8x7b-instruct-v0:1", want: bedrock.FamilyMistral},
		{id: "mistral.mistral-large-2402-v1:0", want: bedrock.FamilyMistral},
		{id: "mistral.mistral-large-2407-v1:0", want: bedrock.FamilyMistralChat},
		{id: "  amazon.nova-lite-v1:0 ", want: bedrock.FamilyNova},
		{id: "openai.gpt-oss-120b-1:0", want: bedrock.FamilyGPTOSS},
		{id: "us.openai.gpt-oss-20b-1:0", want: bedrock.FamilyGPTOSS},
		{id: "us.deepseek.r1-v1:0", want: bedrock.FamilyDeepSeek},
		{id: "deepseek.v3-v1:0", want: bedrock.FamilyDeepSeekV3},
		{id: "qwen.qwen3-32b-v1:0", want: bedrock.FamilyQwen3},
		{id: "qwen.qwen3-235b-a22b-2507-v1:0", want: bedrock.FamilyQwen3},
		// Unsupported: no way to tell the body format, or not a text model.
		{id: ""},
		{id: "claude-3-5-haiku"},
		{id: "openai.gpt-5"},
		{id: "qwen.qwen3-vl-235b-a22b"},
		{id: "cohere.command-r-v1:0"},
		{id: "meta.llama2-13b-chat-v1"},
		{id: "amazon.titan-embed-text-v2:0"},
		{id: "amazon.nova-canvas-v1:0"},
		{id: "amazon.nova-sonic-v1:0"},
		{id: "us.unknown.model-v1"},
		{id: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6"},
		{id: "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc123"},
		{id: "arn:aws:bedrock:us-east-1:123456789012:imported-model/abc123"},
		{id: "arn:aws:s3:::bucket/anthropic.claude-v2"},
		{id: "arn:aws:bedrock:us-east-1::foundation-model/"},
	}
	for _, tt := range tests {
		got, err := bedrock.FamilyOf(tt.id)
		if got != tt.want {
			t.Errorf("FamilyOf(%q) = %q, %v; want %q", tt.id, got, err, tt.want)
		}
		if (err != nil) != (tt.want == "") || (err != nil && !errors.Is(err, bedrock.ErrUnsupportedModel)) {
			t.Errorf("FamilyOf(%q) error = %v", tt.id, err)
		}
	}
}
