package bedrock_test

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// An answer that ends early still returns, with its error, the usage the
// model reported as far as it got: the prompt's tokens are billed from the
// moment the model starts, and the caller's token budget is charged from
// them on every exit.
func TestStreamUsageOnEveryExit(t *testing.T) {
	t.Parallel()
	const prompt = 4321
	llama := "meta.llama3-70b-instruct-v1:0"
	nova := "amazon.nova-lite-v1:0"
	tests := []struct {
		name     string
		model    string
		scenario []fakebedrock.Scenario
		// cancelAfter cancels the caller's context after that many deltas;
		// deadline gives it one.
		cancelAfter int
		deadline    time.Duration
		wantErr     error
		wantPrompt  int
		// wantCompletion is the model's own count so far; -1 leaves it
		// unchecked.
		wantCompletion int
	}{
		{name: "Claude, exception mid-answer", model: haiku,
			scenario: []fakebedrock.Scenario{{Tokens: 5, Exception: "modelTimeoutException", ExceptionAfter: 2, PromptTokens: prompt}},
			wantErr:  chat.ErrUpstream, wantPrompt: prompt, wantCompletion: 1},
		{name: "Claude, exception before the first text", model: haiku,
			scenario: []fakebedrock.Scenario{{Tokens: 5, Exception: "modelTimeoutException", PromptTokens: prompt}},
			wantErr:  chat.ErrUnavailable, wantPrompt: prompt, wantCompletion: 1},
		{name: "Claude, idle timeout", model: haiku,
			scenario: []fakebedrock.Scenario{{Tokens: 5, Stall: true, StallAfter: 2, PromptTokens: prompt}},
			wantErr:  bedrock.ErrIdleTimeout, wantPrompt: prompt, wantCompletion: 1},
		{name: "Claude, the client leaves", model: haiku,
			scenario:    []fakebedrock.Scenario{{Tokens: 50, Interval: time.Second, PromptTokens: prompt}},
			cancelAfter: 2, wantErr: context.Canceled, wantPrompt: prompt, wantCompletion: 1},
		{name: "Claude, the deadline passes", model: haiku,
			scenario: []fakebedrock.Scenario{{Tokens: 50, Interval: time.Second, PromptTokens: prompt}},
			deadline: 2500 * time.Millisecond, wantErr: context.DeadlineExceeded, wantPrompt: prompt, wantCompletion: 1},
		{name: "Claude, the deadline passes before the model says anything", model: haiku,
			scenario: []fakebedrock.Scenario{{Tokens: 50, Delay: time.Second, PromptTokens: prompt}},
			deadline: 500 * time.Millisecond, wantErr: context.DeadlineExceeded, wantPrompt: 0, wantCompletion: 0},
		{name: "Claude, a retried failure is billed too", model: haiku,
			scenario: []fakebedrock.Scenario{
				{Tokens: 5, Exception: "modelStreamErrorException", PromptTokens: prompt},
				{Tokens: 2, PromptTokens: prompt}},
			wantPrompt: 2 * prompt, wantCompletion: -1},
		{name: "Llama, cut mid-answer", model: llama,
			scenario: []fakebedrock.Scenario{{Tokens: 5, Cut: true, CutAfter: 3, PromptTokens: prompt}},
			wantErr:  bedrock.ErrStreamCut, wantPrompt: prompt, wantCompletion: 3},
		{name: "Llama, exception mid-answer", model: llama,
			scenario: []fakebedrock.Scenario{{Tokens: 5, Exception: "internalServerException", ExceptionAfter: 2, PromptTokens: prompt}},
			wantErr:  chat.ErrUpstream, wantPrompt: prompt, wantCompletion: 2},
		// Nova says its counts only in its last chunk: nothing yet.
		{name: "Nova, exception mid-answer", model: nova,
			scenario: []fakebedrock.Scenario{{Tokens: 5, Exception: "modelTimeoutException", ExceptionAfter: 2, PromptTokens: prompt}},
			wantErr:  chat.ErrUpstream, wantPrompt: 0, wantCompletion: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			synctest.Test(t, func(t *testing.T) {
				srv := newPipeFake(t)
				srv.Push(tt.scenario...)
				cfg := testConfig(tt.model, &sleeps{})
				cfg.IdleTimeout = 30 * time.Second
				ctx, cancel := context.WithCancel(context.Background())
				defer cancel()
				if tt.deadline > 0 {
					ctx, cancel = context.WithTimeout(ctx, tt.deadline)
					defer cancel()
				}
				n := 0
				res, err := newPipeModel(t, srv, cfg).Stream(ctx, hello(), func(chat.Delta) error {
					if n++; n == tt.cancelAfter {
						cancel()
					}
					return nil
				})
				switch {
				case tt.wantErr == nil && err != nil:
					t.Fatalf("Stream: %v, want the answer", err)
				case tt.wantErr != nil && !errors.Is(err, tt.wantErr):
					t.Fatalf("Stream: %v, want %v", err, tt.wantErr)
				}
				if res.Usage.PromptTokens != tt.wantPrompt {
					t.Errorf("usage %+v: %d prompt tokens, want %d", res.Usage, res.Usage.PromptTokens, tt.wantPrompt)
				}
				if tt.wantCompletion >= 0 && res.Usage.CompletionTokens != tt.wantCompletion {
					t.Errorf("usage %+v: %d completion tokens, want %d", res.Usage, res.Usage.CompletionTokens, tt.wantCompletion)
				}
			})
		})
	}
}
