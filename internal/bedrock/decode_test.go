package bedrock_test

import (
	"bytes"
	"embed"
	"errors"
	"testing"

	"github.com/aws/smithy-go"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

//go:embed testdata/chunks/*.jsonl
var chunkFiles embed.FS

// chunks returns the payloads of a fixture, one per line.
func chunks(tb testing.TB, name string) [][]byte {
	tb.Helper()
	b, err := chunkFiles.ReadFile("testdata/chunks/" + name + ".jsonl")
	if err != nil {
		tb.Fatal(err)
	}
	var out [][]byte
	for _, line := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(line)) > 0 {
			out = append(out, line)
		}
	}
	return out
}

func TestDecodeFixtures(t *testing.T) {
	t.Parallel()
	tests := []struct {
		fixture   string
		family    bedrock.Family
		wantText  string
		wantRes   chat.Result
		wantEnded bool
		wantCode  string // expected API error code, if any
	}{
		{
			fixture: "anthropic", family: bedrock.FamilyAnthropic,
			wantText: "Hello, \"world\"\n✓", wantEnded: true,
			wantRes: chat.Result{FinishReason: chat.FinishStop, Usage: chat.Usage{PromptTokens: 12, CompletionTokens: 15}},
		},
		{
			fixture: "anthropic-error", family: bedrock.FamilyAnthropic, wantCode: "ServiceUnavailableException",
			wantRes: chat.Result{FinishReason: chat.FinishStop, Usage: chat.Usage{PromptTokens: 3, CompletionTokens: 1}},
		},
		{
			fixture: "nova", family: bedrock.FamilyNova, wantText: "Hello, world", wantEnded: true,
			wantRes: chat.Result{FinishReason: chat.FinishLength, Usage: chat.Usage{PromptTokens: 5, CompletionTokens: 54}},
		},
		{
			fixture: "nova-metrics-only", family: bedrock.FamilyNova, wantText: "Hi", wantEnded: true,
			wantRes: chat.Result{FinishReason: chat.FinishStop, Usage: chat.Usage{PromptTokens: 4, CompletionTokens: 1}},
		},
		{
			fixture: "llama3", family: bedrock.FamilyLlama3, wantText: " Hello, world", wantEnded: true,
			wantRes: chat.Result{FinishReason: chat.FinishLength, Usage: chat.Usage{PromptTokens: 25, CompletionTokens: 9}},
		},
		{
			fixture: "mistral", family: bedrock.FamilyMistral, wantText: " Hello, world.", wantEnded: true,
			wantRes: chat.Result{FinishReason: chat.FinishStop, Usage: chat.Usage{PromptTokens: 9, CompletionTokens: 20}},
		},
		{
			fixture: "mistral-chat", family: bedrock.FamilyMistralChat, wantText: "Hello", wantEnded: true,
			wantRes: chat.Result{FinishReason: chat.FinishStop, Usage: chat.Usage{PromptTokens: 8, CompletionTokens: 2}},
		},
		{
			fixture: "titan", family: bedrock.FamilyTitan, wantText: "Once upon a time.", wantEnded: true,
			wantRes: chat.Result{FinishReason: chat.FinishStop, Usage: chat.Usage{PromptTokens: 15, CompletionTokens: 229}},
		},
		{
			fixture: "titan-finished", family: bedrock.FamilyTitan, wantText: "Hi", wantEnded: true,
			wantRes: chat.Result{FinishReason: chat.FinishContentFilter, Usage: chat.Usage{PromptTokens: 2, CompletionTokens: 1}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.fixture, func(t *testing.T) {
			t.Parallel()
			text, res, ended, err := bedrock.DecodeChunks(tt.family, chunks(t, tt.fixture))
			var apiErr smithy.APIError
			switch {
			case tt.wantCode == "" && err != nil:
				t.Fatalf("decode: %v", err)
			case tt.wantCode != "" && (!errors.As(err, &apiErr) || apiErr.ErrorCode() != tt.wantCode):
				t.Fatalf("decode error = %v, want %s", err, tt.wantCode)
			}
			if text != tt.wantText || res != tt.wantRes || ended != tt.wantEnded {
				t.Errorf("decode = %q, %+v, ended %v; want %q, %+v, %v", text, res, ended, tt.wantText, tt.wantRes, tt.wantEnded)
			}
		})
	}
}

func TestDecodeStopReasons(t *testing.T) {
	t.Parallel()
	tests := []struct {
		family  bedrock.Family
		payload string
		want    chat.FinishReason
	}{
		{bedrock.FamilyAnthropic, `{"type":"message_delta","delta":{"stop_reason":"stop_sequence"}}`, chat.FinishStop},
		{bedrock.FamilyAnthropic, `{"type":"message_delta","delta":{"stop_reason":"max_tokens"}}`, chat.FinishLength},
		{bedrock.FamilyAnthropic, `{"type":"message_delta","delta":{"stop_reason":"refusal"}}`, chat.FinishContentFilter},
		{bedrock.FamilyAnthropic, `{"type":"message_delta","delta":{"stop_reason":"model_context_window_exceeded"}}`, chat.FinishLength},
		{bedrock.FamilyNova, `{"messageStop":{"stopReason":"guardrail_intervened"}}`, chat.FinishContentFilter},
		{bedrock.FamilyNova, `{"messageStop":{"stopReason":"content_filtered"}}`, chat.FinishContentFilter},
		{bedrock.FamilyNova, `{"messageStop":{"stopReason":"end_turn"}}`, chat.FinishStop},
		{bedrock.FamilyLlama4, `{"generation":"","stop_reason":"stop"}`, chat.FinishStop},
		{bedrock.FamilyMistral, `{"outputs":[{"text":"","stop_reason":"length"}]}`, chat.FinishLength},
		{bedrock.FamilyMistralChat, `{"choices":[{"delta":{"content":""},"finish_reason":"length"}]}`, chat.FinishLength},
		{bedrock.FamilyTitan, `{"outputText":"","completionReason":"FINISHED"}`, chat.FinishStop},
		{bedrock.FamilyTitan, `{"outputText":"","completionReason":"LENGTH"}`, chat.FinishLength},
		{bedrock.FamilyTitan, `{"outputText":"","completionReason":"STOP_CRITERIA_MET"}`, chat.FinishStop},
	}
	for _, tt := range tests {
		_, res, err := bedrock.DecodeChunk(tt.family, []byte(tt.payload))
		if err != nil || res.FinishReason != tt.want {
			t.Errorf("%s %s: finish = %q, %v; want %q", tt.family, tt.payload, res.FinishReason, err, tt.want)
		}
	}
}

func TestDecodeMalformed(t *testing.T) {
	t.Parallel()
	for _, f := range []bedrock.Family{bedrock.FamilyAnthropic, bedrock.FamilyNova, bedrock.FamilyLlama3, bedrock.FamilyMistral, bedrock.FamilyMistralChat, bedrock.FamilyTitan} {
		for _, p := range []string{``, `{`, `[]`, `{"outputs":{}}`, `{"choices":"x"}`, `"text"`} {
			_, _, err := bedrock.DecodeChunk(f, []byte(p))
			if p == `{"outputs":{}}` && f != bedrock.FamilyMistral || p == `{"choices":"x"}` && f != bedrock.FamilyMistralChat {
				continue // unknown fields of other families are ignored
			}
			if !errors.Is(err, bedrock.ErrBadChunk) {
				t.Errorf("%s %q: err = %v, want ErrBadChunk", f, p, err)
			}
		}
	}
}

// fuzzDecode checks that a decoder never panics and keeps its result in
// OpenAI's vocabulary, whatever the chunk.
func fuzzDecode(f *testing.F, family bedrock.Family, fixtures ...string) {
	for _, name := range fixtures {
		for _, c := range chunks(f, name) {
			f.Add(c)
		}
	}
	f.Fuzz(func(t *testing.T, payload []byte) {
		_, res, err := bedrock.DecodeChunk(family, payload)
		switch res.FinishReason {
		case chat.FinishStop, chat.FinishLength, chat.FinishContentFilter, chat.FinishToolCalls:
		default:
			t.Errorf("finish reason %q", res.FinishReason)
		}
		var apiErr smithy.APIError
		if err != nil && !errors.Is(err, bedrock.ErrBadChunk) && !errors.As(err, &apiErr) {
			t.Errorf("unexpected error type %T: %v", err, err)
		}
	})
}

func FuzzDecodeAnthropic(f *testing.F) {
	fuzzDecode(f, bedrock.FamilyAnthropic, "anthropic", "anthropic-error", "anthropic-tools")
}
func FuzzDecodeNova(f *testing.F) {
	fuzzDecode(f, bedrock.FamilyNova, "nova", "nova-metrics-only", "nova-tools")
}
func FuzzDecodeLlama(f *testing.F) { fuzzDecode(f, bedrock.FamilyLlama3, "llama3") }
func FuzzDecodeMistral(f *testing.F) {
	fuzzDecode(f, bedrock.FamilyMistral, "mistral")
}
func FuzzDecodeMistralChat(f *testing.F) {
	fuzzDecode(f, bedrock.FamilyMistralChat, "mistral-chat", "mistral-chat-tools")
}
func FuzzDecodeOpenAI(f *testing.F) { fuzzDecode(f, bedrock.FamilyGPTOSS, "gpt-oss", "qwen3") }
func FuzzDecodeDeepSeek(f *testing.F) {
	fuzzDecode(f, bedrock.FamilyDeepSeek, "deepseek-r1")
}
func FuzzDecodeTitan(f *testing.F) { fuzzDecode(f, bedrock.FamilyTitan, "titan", "titan-finished") }

func BenchmarkDecode(b *testing.B) {
	for _, bc := range []struct {
		fixture string
		family  bedrock.Family
	}{
		{"anthropic", bedrock.FamilyAnthropic},
		{"nova", bedrock.FamilyNova},
		{"llama3", bedrock.FamilyLlama3},
		{"mistral", bedrock.FamilyMistral},
		{"mistral-chat", bedrock.FamilyMistralChat},
		{"titan", bedrock.FamilyTitan},
	} {
		b.Run(bc.fixture, func(b *testing.B) {
			payloads := chunks(b, bc.fixture)
			b.ReportAllocs()
			for b.Loop() {
				if _, _, _, err := bedrock.DecodeChunks(bc.family, payloads); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(payloads)), "ns/chunk")
		})
	}
}
