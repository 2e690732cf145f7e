package bedrock_test

import (
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// cachedRequest marks a cache point on the system message, the tool and
// the user's message.
func cachedRequest() *chat.Request {
	tool := weatherTool
	tool.Cache = true
	return &chat.Request{MaxTokens: 50, Tools: []chat.Tool{tool}, Messages: []chat.Message{
		{Role: chat.RoleSystem, Content: "Long rules.", Cache: true},
		{Role: chat.RoleUser, Content: "Hello there.", Cache: true},
	}}
}

// TestCachePointsReachTheModel: a cache point marked by the client reaches
// Claude as cache_control and Nova and Converse as cachePoint, only for
// models whose card lists caching; BEDROCK_PROMPT_CACHE=auto adds points
// after the system prompt and the tools.
func TestCachePointsReachTheModel(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		model string
		api   bedrock.API
		auto  bool
		plain bool // no cache marks in the request
		want  []string
		none  []string
	}{
		{name: "claude", model: haiku, want: []string{
			`"system":[{"type":"text","text":"Long rules.","cache_control":{"type":"ephemeral"}}]`,
			`"input_schema":{"type":"object","properties":{"city":{"type":"string"}},"required":["city"]},"cache_control":{"type":"ephemeral"}}`,
			`{"type":"text","text":"Hello there.","cache_control":{"type":"ephemeral"}}`}},
		{name: "nova", model: "us.amazon.nova-lite-v1:0", want: []string{
			`"system":[{"text":"Long rules."},{"cachePoint":{"type":"default"}}]`,
			`{"text":"Hello there."},{"cachePoint":{"type":"default"}}`}},
		{name: "converse", model: haiku, api: bedrock.APIConverse, want: []string{
			`"system":[{"text":"Long rules."},{"cachePoint":{"type":"default"}}]`,
			`{"text":"Hello there."},{"cachePoint":{"type":"default"}}`,
			`{"cachePoint":{"type":"default"}}]`}},
		{name: "a model without caching", model: "anthropic.claude-3-haiku-20240307-v1:0", none: []string{"cache_control", "cachePoint"}},
		{name: "a model without caching on converse", model: "meta.llama3-1-70b-instruct-v1:0", api: bedrock.APIConverse, none: []string{"cachePoint"}},
		{name: "auto", model: haiku, auto: true, plain: true, want: []string{
			`"system":[{"type":"text","text":"Long rules.","cache_control":{"type":"ephemeral"}}]`, `"cache_control":{"type":"ephemeral"}}]`}},
		{name: "off", model: haiku, plain: true, none: []string{"cache_control"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(1)))
			cfg := testConfig(tt.model, &sleeps{})
			cfg.API, cfg.PromptCacheAuto = tt.api, tt.auto
			req := cachedRequest()
			if tt.plain {
				req.Tools[0].Cache, req.Messages[0].Cache, req.Messages[1].Cache = false, false, false
			}
			if _, err := ask(t, newModel(t, srv, cfg), req); err != nil {
				t.Fatal(err)
			}
			body := string(srv.Requests()[0].Body)
			for _, w := range tt.want {
				if !strings.Contains(body, w) {
					t.Errorf("body lacks %s:\n%s", w, body)
				}
			}
			for _, n := range tt.none {
				if strings.Contains(body, n) {
					t.Errorf("body has %s:\n%s", n, body)
				}
			}
		})
	}
}

// TestCacheUsageOnConverse: the prompt written to the cache on the first
// call is read on the second, and both counts come back apart from the
// prompt tokens.
func TestCacheUsageOnConverse(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(1)))
	m := newModel(t, srv, converseConfig(haiku, &sleeps{}))
	first, err := ask(t, m, cachedRequest())
	if err != nil {
		t.Fatal(err)
	}
	second, err := ask(t, m, cachedRequest())
	if err != nil {
		t.Fatal(err)
	}
	if u := first.res.Usage; u.CacheWriteTokens == 0 || u.CacheReadTokens != 0 || u.PromptTokens != 11 {
		t.Errorf("first usage = %+v, want a cache write", u)
	}
	if u := second.res.Usage; u.CacheReadTokens == 0 || u.CacheWriteTokens != 0 || u.Total() != u.PromptTokens+u.CacheReadTokens+u.CompletionTokens {
		t.Errorf("second usage = %+v, want a cache read counted in the total", u)
	}
}

// At most four cache points go to the model: the system's and the tools'
// first, then the latest messages'.
func TestCachePointsAreBounded(t *testing.T) {
	t.Parallel()
	srv := newFake(t, fakebedrock.WithScenario(fakebedrock.Tokens(1)))
	req := cachedRequest()
	req.Messages = append(req.Messages,
		chat.Message{Role: chat.RoleAssistant, Content: "Hi.", Cache: true},
		chat.Message{Role: chat.RoleUser, Content: "One.", Cache: true},
		chat.Message{Role: chat.RoleAssistant, Content: "Two.", Cache: true},
		chat.Message{Role: chat.RoleUser, Content: "Three.", Cache: true})
	if _, err := ask(t, newModel(t, srv, testConfig(haiku, &sleeps{})), req); err != nil {
		t.Fatal(err)
	}
	body := string(srv.Requests()[0].Body)
	if n := strings.Count(body, "cache_control"); n != 4 {
		t.Errorf("%d cache points, want 4:\n%s", n, body)
	}
	if strings.Contains(body, `"Hello there.","cache_control"`) || !strings.Contains(body, `"Three.","cache_control"`) {
		t.Errorf("the latest messages' points should be kept:\n%s", body)
	}
}
