package bedrock_test

import (
	"context"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

var denyWord = fakebedrock.Guardrail{ID: "gr7abc", Version: "3", Word: "forbidden",
	Message: "Sorry, the model cannot answer this question."}

func guarded(id string, trace bool) bedrock.Config {
	cfg := testConfig(id, &sleeps{})
	cfg.GuardrailID, cfg.GuardrailVersion, cfg.GuardrailTrace = denyWord.ID, denyWord.Version, trace
	return cfg
}

func TestGuardrailNamedOnEveryCall(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakebedrock.WithGuardrail(denyWord))
	for _, tc := range []struct {
		cfg   bedrock.Config
		id    string
		trace string
	}{
		{guarded(haiku, true), denyWord.ID, "ENABLED"},
		{guarded(haiku, false), denyWord.ID, ""},
		{testConfig(haiku, &sleeps{}), "", ""},
	} {
		if _, _, err := collect(context.Background(), newModel(t, srv, tc.cfg), hello()); err != nil {
			t.Fatal(err)
		}
		reqs := srv.Requests()
		h := reqs[len(reqs)-1].Header
		if h.Get("X-Amzn-Bedrock-GuardrailIdentifier") != tc.id || h.Get("X-Amzn-Bedrock-Trace") != tc.trace {
			t.Errorf("guardrail headers = %q, %q, trace %q; want %q, trace %q",
				h.Get("X-Amzn-Bedrock-GuardrailIdentifier"), h.Get("X-Amzn-Bedrock-GuardrailVersion"),
				h.Get("X-Amzn-Bedrock-Trace"), tc.id, tc.trace)
		}
		if tc.id != "" && h.Get("X-Amzn-Bedrock-GuardrailVersion") != denyWord.Version {
			t.Errorf("guardrail version = %q", h.Get("X-Amzn-Bedrock-GuardrailVersion"))
		}
	}
}

// TestGuardrailIntervention: in every family, a blocked prompt is answered
// by the guardrail's message alone, and an answer the guardrail stops ends
// with its message; both finish with content_filter and no error (so no
// fallback model answers instead).
func TestGuardrailIntervention(t *testing.T) {
	t.Parallel()
	ids := []string{haiku, "us.amazon.nova-lite-v1:0", "meta.llama3-8b-instruct-v1:0",
		"mistral.mistral-7b-instruct-v0:2", "mistral.mistral-large-2407-v1:0", "amazon.titan-text-express-v1"}
	for _, id := range ids {
		t.Run(id, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, fakebedrock.WithGuardrail(denyWord),
				fakebedrock.WithScenario(fakebedrock.Scenario{Words: []string{"one ", "two ", "forbidden ", "four "}}))
			m := newModel(t, srv, guarded(id, true))

			blocked := &chat.Request{MaxTokens: 64, Messages: []chat.Message{{Role: chat.RoleUser, Content: "Say something Forbidden"}}}
			text, res, err := collect(context.Background(), m, blocked)
			if err != nil || text != denyWord.Message || res.FinishReason != chat.FinishContentFilter {
				t.Fatalf("blocked prompt: %q, %+v, %v; want the guardrail's message and content_filter", text, res, err)
			}
			text, res, err = collect(context.Background(), m, hello())
			if err != nil || text != "one two "+denyWord.Message || res.FinishReason != chat.FinishContentFilter {
				t.Fatalf("stopped answer: %q, %+v, %v; want the text before the word, the message and content_filter", text, res, err)
			}
		})
	}
}

func TestGuardrailActionNoneIsAnOrdinaryEnd(t *testing.T) {
	t.Parallel()
	text, res, ended, err := bedrock.DecodeChunks(bedrock.FamilyLlama3, [][]byte{
		[]byte(`{"generation":"Hi","prompt_token_count":3,"generation_token_count":1,"stop_reason":null}`),
		[]byte(`{"generation":"","generation_token_count":1,"stop_reason":"stop","amazon-bedrock-guardrailAction":"NONE"}`),
	})
	if err != nil || text != "Hi" || res.FinishReason != chat.FinishStop || !ended {
		t.Fatalf("DecodeChunks = %q, %+v, %v, %v", text, res, ended, err)
	}
	_, res, ended, err = bedrock.DecodeChunks(bedrock.FamilyLlama3, [][]byte{
		[]byte(`{"generation":"Blocked.","prompt_token_count":3,"generation_token_count":1,"stop_reason":null,"amazon-bedrock-guardrailAction":"INTERVENED"}`),
	})
	if err != nil || res.FinishReason != chat.FinishContentFilter || !ended {
		t.Fatalf("intervened without a stop chunk: %+v, %v, %v; want content_filter and ended", res, ended, err)
	}
}

func TestUnknownGuardrailIsNeverHidden(t *testing.T) {
	t.Parallel()
	srv := newFake(t) // has no guardrail
	_, _, err := collect(context.Background(), newModel(t, srv, guarded(haiku, false)), hello())
	if reason, ok := bedrock.FallbackReason(err); err == nil || ok {
		t.Fatalf("err = %v (fallback %q, %v); want a ValidationException, never hidden by a fallback", err, reason, ok)
	}
}
