package bedrock_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// An application inference profile is resolved at start to the model it
// routes to, which fixes its family and capabilities; a profile the control
// plane does not know stops NewModels, naming it.
func TestApplicationProfiles(t *testing.T) {
	t.Parallel()
	const (
		profile = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123"
		haiku35 = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/old"
	)
	srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(1)),
		fakebedrock.WithInferenceProfile(fakebedrock.InferenceProfile{ARN: profile, ModelARNs: []string{
			"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
			"arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
		}}),
		fakebedrock.WithInferenceProfile(fakebedrock.InferenceProfile{ARN: haiku35, ModelARNs: []string{
			"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-5-haiku-20241022-v1:0",
		}}))
	for _, api := range []bedrock.API{bedrock.APIInvoke, bedrock.APIConverse} {
		cfg := testConfig(profile, &sleeps{})
		cfg.API = api
		cfg.Models = []string{haiku35}
		models, err := bedrock.NewModels(context.Background(), cfg, awsOptions(t, srv.URL, nil)...)
		if err != nil {
			t.Fatal(err)
		}
		m := models[profile].(*bedrock.Model)
		if m.Base() != "anthropic.claude-sonnet-4-5-20250929-v1:0" || m.Family() != bedrock.FamilyAnthropic || m.API() != api ||
			m.Capabilities() != (chat.Capabilities{Tools: true, Images: true, Reasoning: true}) {
			t.Errorf("%s: profile resolved to %s (%s, %s, %+v)", api, m.Base(), m.Family(), m.API(), m.Capabilities())
		}
		if c := models[haiku35].(*bedrock.Model).Capabilities(); c.Images || c.Reasoning {
			t.Errorf("%s: a profile of Claude 3.5 Haiku can do %+v", api, c)
		}
		if _, err := ask(t, m, &chat.Request{MaxTokens: 20, Reasoning: chat.EffortLow, Messages: []chat.Message{{Role: chat.RoleUser, Content: "Hi"}}}); err != nil {
			t.Fatalf("%s: %v", api, err)
		}
		if reqs := srv.Requests(); reqs[len(reqs)-1].ModelID != profile {
			t.Errorf("%s: the runtime was called with %q, want the profile's ARN", api, reqs[len(reqs)-1].ModelID)
		}
	}

	cfg := testConfig("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/gone", &sleeps{})
	_, err := bedrock.NewModels(context.Background(), cfg, awsOptions(t, srv.URL, nil)...)
	if !errors.Is(err, bedrock.ErrProfile) || !strings.Contains(err.Error(), "application-inference-profile/gone") {
		t.Errorf("an unknown profile: err = %v, want ErrProfile naming it", err)
	}
}
