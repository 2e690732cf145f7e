package main_test

import (
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

// postResponses streams POST /v1/responses and checks the events against
// the documented sequence with the spec-following SSE parser.
func postResponses(t *testing.T, url, body string) *gatewaytest.ResponseStream {
	t.Helper()
	resp := postOK(t, url+"/v1/responses", body)
	defer resp.Body.Close()
	s, err := gatewaytest.ReadResponseStream(resp.Body)
	if err != nil {
		t.Fatalf("the stream does not follow the documented sequence: %v", err)
	}
	return s
}

// TestLocalResponses runs the real binary against the fake Bedrock: the
// Responses stream of an answer, of a length stop, of a failure after the
// first token, and of ELIZA answering when the model fails before it.
func TestLocalResponses(t *testing.T) {
	t.Parallel()
	const model = "anthropic.claude-haiku-4-5-20251001-v1:0"
	words := []string{"Hello", " from", " Bedrock."}
	fake := fakebedrock.New(fakebedrock.WithScenario(fakebedrock.Scenario{Words: words}))
	defer fake.Close()
	url, _, _ := startLocal(t, bedrockEnv(fake.URL, model))
	body := `{"stream":true,"input":"I feel tired","instructions":"Be kind."}`

	s := postResponses(t, url, body)
	if s.Terminal != gatewaytest.Completed || s.Text != "Hello from Bedrock." || s.Final.Model != model {
		t.Errorf("answer: %s %q from %q", s.Terminal, s.Text, s.Final.Model)
	}
	if u := s.Final.Usage; u.InputTokens != 11 || u.OutputTokens == 0 {
		t.Errorf("usage %+v, want the fake's counts", u)
	}

	fake.Push(fakebedrock.Scenario{Words: words, Finish: "length"})
	s = postResponses(t, url, body)
	if s.Terminal != gatewaytest.Incomplete || s.Final.IncompleteDetails.Reason != "max_output_tokens" {
		t.Errorf("length stop: %s %+v", s.Terminal, s.Final.IncompleteDetails)
	}

	broken := fakebedrock.InStream("modelStreamErrorException", 2)
	fake.Push(broken)
	s = postResponses(t, url, body)
	if s.Terminal != gatewaytest.Failed || s.Text != "tok1 tok2 " || s.Final.Error.Code == "" {
		t.Errorf("mid-stream failure: %s %q %+v", s.Terminal, s.Text, s.Final.Error)
	}
	if strings.Contains(s.Final.Error.Message, "from the fake") {
		t.Errorf("the upstream message leaked: %q", s.Final.Error.Message)
	}

	fake.Push(fakebedrock.HTTPError(424, "ModelErrorException", "The model failed.")) // not retried
	s = postResponses(t, url, body)
	if s.Terminal != gatewaytest.Completed || s.Final.Model != "eliza" || s.Text == "" {
		t.Errorf("fallback: %s %q from %q", s.Terminal, s.Text, s.Final.Model)
	}
}
