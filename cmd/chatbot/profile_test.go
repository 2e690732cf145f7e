package main_test

import (
	"io"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

const (
	profileARN = "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/team42"
	sonnetARN  = "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"
)

// An application inference profile works end to end: the real binary
// resolves it at start through the control plane named by
// AWS_ENDPOINT_URL_BEDROCK (the fake, speaking GetInferenceProfile's
// restJson1), calls the runtime with the profile's ARN, and offers what
// the model behind it takes (Claude Sonnet 4.5: images), on either API.
func TestApplicationInferenceProfile(t *testing.T) {
	t.Parallel()
	for _, api := range []string{"invoke", "converse"} {
		t.Run(api, func(t *testing.T) {
			t.Parallel()
			fake := fakebedrock.New(fakebedrock.WithScenario(fakebedrock.Tokens(2)),
				fakebedrock.WithInferenceProfile(fakebedrock.InferenceProfile{ARN: profileARN, ModelARNs: []string{sonnetARN}}))
			defer fake.Close()
			env := bedrockEnv(fake.URL, profileARN)
			env["AWS_ENDPOINT_URL_BEDROCK"] = fake.URL
			env["BEDROCK_API"] = api
			url, _, _ := startLocal(t, env)
			const png = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg=="
			resp := postOK(t, url+"/v1/chat/completions", `{"messages":[{"role":"user","content":[{"type":"text","text":"What is this?"},`+
				`{"type":"image_url","image_url":{"url":"data:image/png;base64,`+png+`"}}]}]}`)
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if !strings.Contains(string(body), "I see 1 image(s)") || !strings.Contains(string(body), `"model":"`+profileARN+`"`) {
				t.Errorf("answer = %s, want the fake's description of the image, from the profile", body)
			}
			reqs := fake.Requests()
			if len(reqs) != 1 || reqs[0].ModelID != profileARN {
				t.Errorf("runtime calls = %d, model %q; want one to the profile's ARN", len(reqs), modelOf(reqs))
			}
		})
	}
}

func modelOf(reqs []fakebedrock.Request) string {
	if len(reqs) == 0 {
		return ""
	}
	return reqs[0].ModelID
}

// A profile the control plane cannot resolve stops start-up with a
// message naming it.
func TestUnresolvableProfileStopsStartUp(t *testing.T) {
	t.Parallel()
	fake := fakebedrock.New()
	defer fake.Close()
	env := bedrockEnv(fake.URL, profileARN)
	env["AWS_ENDPOINT_URL_BEDROCK"] = fake.URL
	cmd, out := startBinary(t, env, "CHATBOT_ADDR="+freeAddr(t))
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Fatal("the gateway started with a profile it cannot resolve")
		}
	case <-time.After(30 * time.Second):
		t.Fatal("the gateway did not stop")
	}
	if s := out.String(); !strings.Contains(s, profileARN) || !strings.Contains(s, "ResourceNotFoundException") {
		t.Errorf("output = %s, want a message naming the profile and the control plane's answer", s)
	}
}
