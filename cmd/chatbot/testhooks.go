//go:build chatbot_testhooks

package main

import (
	"context"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// Models that misbehave on purpose, so tests of the built binary can prove
// it survives them. Only binaries built with -tags chatbot_testhooks have
// them; release builds never do.
func init() {
	testModels = append(testModels,
		gateway.ModelEntry{ID: "test-panic", OwnedBy: "test", Model: testModel(func(ctx context.Context, emit chat.Emit) error {
			if err := emit("about to fail"); err != nil {
				return err
			}
			panic("test-panic model")
		})},
		gateway.ModelEntry{ID: "test-slow", OwnedBy: "test", Model: testModel(func(ctx context.Context, emit chat.Emit) error {
			for {
				if err := emit("tick "); err != nil {
					return err
				}
				select {
				case <-ctx.Done():
					return ctx.Err()
				case <-time.After(20 * time.Millisecond):
				}
			}
		})},
	)
}

type testModel func(ctx context.Context, emit chat.Emit) error

func (m testModel) Stream(ctx context.Context, _ *chat.Request, emit chat.Emit) (chat.Result, error) {
	return chat.Result{}, m(ctx, emit)
}
