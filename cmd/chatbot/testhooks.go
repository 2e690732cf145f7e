//go:build chatbot_testhooks

package main

import (
	"context"
	"strconv"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// Models that misbehave on purpose, so tests of the built binary can prove
// it survives them. Only binaries built with -tags chatbot_testhooks have
// them; release builds never do.
func init() {
	testOptions = append(testOptions, app.WithModels(
		gateway.ModelEntry{ID: "test-panic", OwnedBy: "test", Model: chat.ModelFunc(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
			if err := emit(chat.Delta{Text: "about to fail"}); err != nil {
				return chat.Result{}, err
			}
			panic("test-panic model")
		})},
		gateway.ModelEntry{ID: "test-slow", OwnedBy: "test", Model: chat.ModelFunc(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
			for {
				if err := emit(chat.Delta{Text: "tick "}); err != nil {
					return chat.Result{}, err
				}
				select {
				case <-ctx.Done():
					return chat.Result{}, ctx.Err()
				case <-time.After(20 * time.Millisecond):
				}
			}
		})},
		// Forty numbered words, 20 ms apart: an answer whose every piece a
		// test can check, long enough to be cut and resumed.
		gateway.ModelEntry{ID: "test-counted", OwnedBy: "test", Model: chat.ModelFunc(func(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
			for i := range 40 {
				if err := emit(chat.Delta{Text: "n" + strconv.Itoa(i) + " "}); err != nil {
					return chat.Result{}, err
				}
				select {
				case <-ctx.Done():
					return chat.Result{}, ctx.Err()
				case <-time.After(20 * time.Millisecond):
				}
			}
			return chat.Result{FinishReason: chat.FinishStop}, nil
		})},
	))
}
