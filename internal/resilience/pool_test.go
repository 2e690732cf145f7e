package resilience_test

import (
	"context"
	"os"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// sharedClient reports whether concurrent streams of one route share one
// Bedrock client, as they do in production.
//
// They do, except under the race detector: smithy-go v1.28.8 keeps scratch
// state in the event-stream codec that every stream of a client shares
// (internal/eventstream.Codec.payloadBuf, written by each
// DeserializeEventMessage without synchronisation; aws/smithy-go#714). The
// write stores the same nil slice each time, so frames are not corrupted,
// but -race reports it and fails the run. The SDK's reader goroutine may
// outlive Stream, so under -race each stream gets a client of its own;
// RESILIENCE_SHARED_CLIENT=1 shares one client anyway to reproduce the
// report.
func sharedClient() bool {
	return !raceEnabled || os.Getenv("RESILIENCE_SHARED_CLIENT") != ""
}

// freshClient is a chat.Model that builds a new Bedrock model, with its
// own client, for every stream.
type freshClient func() (chat.Model, error)

func (build freshClient) Stream(ctx context.Context, req *chat.Request, emit chat.Emit) (chat.Result, error) {
	m, err := build()
	if err != nil {
		return chat.Result{}, err
	}
	return m.Stream(ctx, req, emit)
}
