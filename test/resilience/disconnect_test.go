package resilience_test

import (
	"context"
	"fmt"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/sse/ssetest"
)

// TestClientDisconnects hangs up on 1,000 streams mid-answer, 50 at a
// time: afterwards every upstream stream must be closed and the goroutine
// count back where it started.
func TestClientDisconnects(t *testing.T) {
	const (
		total = 1000
		batch = 50
	)
	r := newRig(t, route{id: "long", bedrockID: llamaID,
		scenario: fakebedrock.Scenario{Tokens: 100_000, Interval: time.Millisecond}})
	if err := hangUpAfter(r, 1); err != nil {
		t.Fatal(err)
	}
	streamsClosed(t, r.up["long"], 1, 10*time.Second)
	r.idle()
	base := runtime.NumGoroutine()

	for start := 0; start < total; start += batch {
		var wg sync.WaitGroup
		errs := make(chan error, batch)
		for i := start; i < start+batch; i++ {
			wg.Go(func() {
				if err := hangUpAfter(r, 1+i%5); err != nil {
					errs <- fmt.Errorf("stream %d: %w", i, err)
				}
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Fatal(err)
		}
	}
	streamsClosed(t, r.up["long"], total+1, 15*time.Second)
	n := r.goroutinesBack(t, base, 5, 15*time.Second)
	t.Logf("goroutines: %d before, %d after %d disconnects", base, n, total)
}

// hangUpAfter opens a stream, reads n content frames and hangs up.
func hangUpAfter(r *rig, n int) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	resp, err := r.post(ctx, "long", "hello")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		return fmt.Errorf("status %d", resp.StatusCode)
	}
	rd := ssetest.NewReader(resp.Body)
	for i := 0; i < n; i++ {
		if _, err := rd.Next(); err != nil {
			return fmt.Errorf("frame %d: %w", i, err)
		}
	}
	return nil
}
