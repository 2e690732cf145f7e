package bedrock_test

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

var update = flag.Bool("update", false, "rewrite golden files in testdata/golden")

func ptr(f float64) *float64 { return &f }

// TestRequestBodyGolden sends one conversation to each family through the
// fake and compares the body Bedrock would receive with testdata/golden.
func TestRequestBodyGolden(t *testing.T) {
	t.Parallel()
	conversation := &chat.Request{
		MaxTokens:   256,
		Temperature: ptr(0.5),
		TopP:        ptr(0.9),
		Stop:        []string{"User:", "END"},
		Messages: []chat.Message{
			{Role: chat.RoleSystem, Content: "Answer in English."},
			{Role: chat.RoleUser, Content: "Hi"},
			{Role: chat.RoleAssistant, Content: "Hello! How can I help?"},
			{Role: chat.RoleUser, Content: "Tell me a joke."},
			{Role: chat.RoleUser, Content: "A short one."},
		},
	}
	// An assistant greeting first, a failed answer left empty, a final
	// assistant prefill: shaped into alternating turns.
	turns := &chat.Request{
		MaxTokens: 100,
		Messages: []chat.Message{
			{Role: chat.RoleAssistant, Content: "Hello. What is on your mind?"},
			{Role: chat.RoleUser, Content: "My exams."},
			{Role: chat.RoleAssistant, Content: ""},
			{Role: chat.RoleUser, Content: "Are you there?"},
			{Role: chat.RoleAssistant, Content: "Yes. "},
		},
	}
	topPOnly := &chat.Request{MaxTokens: 100, TopP: ptr(0.8), Messages: []chat.Message{{Role: chat.RoleUser, Content: "Hi"}}}
	tests := []struct {
		golden      string
		id          string
		req         *chat.Request
		allowClient bool
	}{
		{golden: "anthropic", id: haiku, req: conversation, allowClient: true},
		{golden: "anthropic-top-p", id: haiku, req: topPOnly, allowClient: true},
		{golden: "anthropic-no-client-system", id: haiku, req: conversation},
		{golden: "anthropic-turns", id: haiku, req: turns, allowClient: true},
		{golden: "nova-turns", id: "us.amazon.nova-lite-v1:0", req: turns, allowClient: true},
		{golden: "nova", id: "us.amazon.nova-lite-v1:0", req: conversation, allowClient: true},
		{golden: "llama3", id: "meta.llama3-1-70b-instruct-v1:0", req: conversation, allowClient: true},
		{golden: "llama4", id: "us.meta.llama4-scout-17b-instruct-v1:0", req: conversation, allowClient: true},
		{golden: "mistral", id: "mistral.mixtral-8x7b-instruct-v0:1", req: conversation, allowClient: true},
		{golden: "mistral-chat", id: "mistral.mistral-large-2407-v1:0", req: conversation, allowClient: true},
		{golden: "titan", id: "amazon.titan-text-premier-v1:0", req: conversation, allowClient: true},
	}
	for _, tt := range tests {
		t.Run(tt.golden, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(1)))
			cfg := testConfig(tt.id, &sleeps{})
			cfg.SystemPrompt = "You are a helpful assistant."
			cfg.AllowClientSystem = tt.allowClient
			if _, _, err := collect(context.Background(), newModel(t, srv, cfg), tt.req); err != nil {
				t.Fatalf("Stream: %v", err)
			}
			reqs := srv.Requests()
			if len(reqs) != 1 {
				t.Fatalf("%d requests, want 1", len(reqs))
			}
			var got bytes.Buffer
			if err := json.Indent(&got, reqs[0].Body, "", "  "); err != nil {
				t.Fatalf("body is not JSON: %v\n%s", err, reqs[0].Body)
			}
			got.WriteByte('\n')
			path := filepath.Join("testdata", "golden", tt.golden+".json")
			if *update {
				if err := os.WriteFile(path, got.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (run with -update to create)", err)
			}
			if !bytes.Equal(got.Bytes(), want) {
				t.Errorf("body differs from %s:\n%s", path, got.Bytes())
			}
		})
	}
}

func TestRequestNeedsAUserTurn(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	m := newModel(t, srv, testConfig(haiku, &sleeps{}))
	_, _, err := collect(context.Background(), m, &chat.Request{MaxTokens: 5, Messages: []chat.Message{{Role: chat.RoleSystem, Content: "only system"}}})
	var pe *chat.PublicError
	if !asPublic(err, &pe) || pe.Kind != chat.ErrInvalidRequest {
		t.Fatalf("err = %v, want invalid request", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d calls, want none", n)
	}
}

// TestRequestTurns sends conversations that OpenAI clients send but that
// Bedrock's messages formats refuse as they are: an assistant greeting
// first, two user messages in a row (the answer between them failed),
// empty messages, a final assistant message ending in a space. Each family
// must get a body the fake, which checks the turn rules, accepts.
func TestRequestTurns(t *testing.T) {
	t.Parallel()
	user := func(s string) chat.Message { return chat.Message{Role: chat.RoleUser, Content: s} }
	assistant := func(s string) chat.Message { return chat.Message{Role: chat.RoleAssistant, Content: s} }
	system := chat.Message{Role: chat.RoleSystem, Content: "Be brief."}
	conversations := []struct {
		name     string
		messages []chat.Message
	}{
		{name: "assistant first", messages: []chat.Message{system, assistant("How can I help?"), user("Hi")}},
		{name: "users in a row", messages: []chat.Message{user("Hi"), user("Are you there?")}},
		{name: "empty assistant between users", messages: []chat.Message{user("Hi"), assistant(""), user("Hello?")}},
		{name: "blank messages", messages: []chat.Message{user(" \n"), assistant("Hi."), user("Why?"), assistant("\t")}},
		{name: "assistant last with trailing space", messages: []chat.Message{user("Count to three."), assistant("One, two, ")}},
	}
	ids := []string{haiku, "us.amazon.nova-lite-v1:0", "mistral.mistral-large-2407-v1:0", "mistral.mixtral-8x7b-instruct-v0:1", "meta.llama3-1-70b-instruct-v1:0", "amazon.titan-text-premier-v1:0"}
	for _, id := range ids {
		for _, c := range conversations {
			t.Run(id+"/"+c.name, func(t *testing.T) {
				t.Parallel()
				srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(1)))
				m := newModel(t, srv, testConfig(id, &sleeps{}))
				if _, _, err := collect(context.Background(), m, &chat.Request{MaxTokens: 5, Messages: c.messages}); err != nil {
					var body []byte
					if reqs := srv.Requests(); len(reqs) > 0 {
						body = reqs[0].Body
					}
					t.Fatalf("Stream: %v\nbody: %s", err, body)
				}
			})
		}
	}
}

func TestRequestNeedsUserText(t *testing.T) {
	t.Parallel()
	srv := newFake(t)
	m := newModel(t, srv, testConfig(haiku, &sleeps{}))
	_, _, err := collect(context.Background(), m, &chat.Request{MaxTokens: 5, Messages: []chat.Message{
		{Role: chat.RoleAssistant, Content: "Hello."}, {Role: chat.RoleUser, Content: "  "},
	}})
	var pe *chat.PublicError
	if !asPublic(err, &pe) || pe.Kind != chat.ErrInvalidRequest {
		t.Fatalf("err = %v, want invalid request", err)
	}
	if n := len(srv.Requests()); n != 0 {
		t.Errorf("%d calls, want none", n)
	}
}

func TestRequestTemperatureClampedToBedrockRange(t *testing.T) {
	t.Parallel()
	temp := func(body []byte) float64 {
		t.Helper()
		var b map[string]any
		if err := json.Unmarshal(body, &b); err != nil {
			t.Fatal(err)
		}
		for _, holder := range []string{"", "inferenceConfig", "textGenerationConfig"} {
			m := b
			if holder != "" {
				m, _ = b[holder].(map[string]any)
			}
			if v, ok := m["temperature"].(float64); ok {
				return v
			}
		}
		t.Fatalf("no temperature in %s", body)
		return 0
	}
	for _, id := range []string{
		"anthropic.claude-3-5-haiku-20241022-v1:0", "amazon.nova-lite-v1:0", "meta.llama3-1-70b-instruct-v1:0",
		"mistral.mixtral-8x7b-instruct-v0:1", "mistral.mistral-large-2407-v1:0", "amazon.titan-text-express-v1",
	} {
		for _, tc := range []struct{ in, want float64 }{{1.7, 1}, {0.4, 0.4}} {
			srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(1)))
			in := tc.in
			req := &chat.Request{MaxTokens: 5, Temperature: &in, Messages: []chat.Message{{Role: chat.RoleUser, Content: "hi"}}}
			if _, _, err := collect(context.Background(), newModel(t, srv, testConfig(id, &sleeps{})), req); err != nil {
				t.Fatalf("%s: %v", id, err)
			}
			if got := temp(srv.Requests()[0].Body); got != tc.want {
				t.Errorf("%s: temperature %v sent as %v, want %v", id, tc.in, got, tc.want)
			}
			if in != tc.in {
				t.Errorf("%s: the request's own temperature was changed", id)
			}
		}
	}
}
