package main

import (
	"context"
	"testing"
)

// TestGoroutinesPerStream holds an open stream to its goroutine budget in
// all, counted in the gateway's own process: net/http's two for the
// client's connection (the handler's and its background read) and the
// transport's two for the connection to Bedrock; the event stream is read
// in the handler's goroutine. The floor holds the same; the gateway adds
// one, the writer that keeps the stream for resuming (internal/streambuf),
// and no other. Counts of goroutines, unlike times, do not depend on the
// machine's load.
func TestGoroutinesPerStream(t *testing.T) {
	const streams = 20
	ctx := context.Background()
	r, err := newRig(ctx, profiles{})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if _, _, _, err := r.ttfb(ctx, 1, 2, 1); err != nil {
		t.Fatalf("warm up: %v", err)
	}
	gw, err := r.memoryAt(ctx, toGateway, streams, nil)
	if err != nil {
		t.Fatal(err)
	}
	fl, err := r.memoryAt(ctx, toFloor, streams, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("goroutines per open stream: gateway %.2f, floor %.2f (budget %d)", gw.PerStream, fl.PerStream, targetGoroutines)
	// One goroutine more than the streams' at the busiest sample is
	// 1/streams per stream: allowed, the statistics' own connection may
	// hold it.
	if gw.PerStream > targetGoroutines+1.0/streams {
		t.Errorf("an open stream holds %.2f goroutines in the gateway's process; the budget is %d", gw.PerStream, targetGoroutines)
	}
	if gw.PerStream > fl.PerStream+1+1.0/streams {
		t.Errorf("the gateway holds %.2f goroutines per open stream, the floor %.2f: the gateway adds more than the kept stream's writer", gw.PerStream, fl.PerStream)
	}
}
