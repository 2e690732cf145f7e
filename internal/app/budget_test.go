package app_test

import (
	"io"
	"strconv"
	"testing"
	"testing/synctest"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

// TestCutBedrockAnswersChargeThePrompt: through the assembled gateway and
// the fake Bedrock (Claude, whose message_start reports the prompt's
// tokens), an answer that ends after two words (the stream stalls into
// the idle timeout, fails in-band, or its connection is cut) costs the
// caller's budget the prompt Bedrock reported, not two words. In a synctest
// bubble: the idle timeout runs on the fake clock.
func TestCutBedrockAnswersChargeThePrompt(t *testing.T) {
	t.Parallel()
	const budget, prompt = 10_000_000, 60_000
	for _, tt := range []struct {
		name string
		s    fakebedrock.Scenario
	}{
		{"idle timeout", fakebedrock.StallAfter(5, 2)},
		{"upstream error", fakebedrock.InStream("internalServerException", 2)},
		{"connection cut", fakebedrock.CutAfter(5, 2)},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				s := tt.s
				s.PromptTokens = prompt
				h, _, _ := onPipe(t, map[string]string{
					"RATE_LIMIT_TOKENS_PER_DAY": strconv.Itoa(budget), "BEDROCK_IDLE_TIMEOUT": "20s",
				}, s)
				resp := chatRequest(h, `{"stream":true,"max_tokens":100,"messages":[{"role":"user","content":"hi"}]}`)
				_, _ = io.Copy(io.Discard, resp.Body)
				resp = chatRequest(h, `{"model":"eliza","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}`)
				left, err := strconv.Atoi(resp.Header.Get("X-Ratelimit-Remaining-Tokens"))
				if err != nil {
					t.Fatalf("probe: status %d, remaining %q", resp.StatusCode, resp.Header.Get("X-Ratelimit-Remaining-Tokens"))
				}
				if spent := budget - 1 - left; spent < prompt+2 {
					t.Fatalf("the cut answer cost %d tokens; Bedrock reported a %d-token prompt and two words came", spent, prompt)
				}
			})
		})
	}
}
