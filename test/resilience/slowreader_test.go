package resilience_test

import (
	"context"
	"io"
	"runtime"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

// TestSlowReader streams an unpaced, practically endless answer to a client
// that reads a few bytes every 10ms and then stops reading. The fake must
// be made to wait (backpressure through the gateway and the SDK) and the
// heap must not grow with what the client has not read; when the client
// hangs up, the upstream stream must be closed.
func TestSlowReader(t *testing.T) {
	// Without backpressure the heap would grow by hundreds of MiB (the fake
	// has 5 million tokens to send); the limit leaves room for buffers in
	// flight and for the race detector's own growth on a busy machine.
	const heapLimit = 64 << 20
	sc := fakebedrock.Tokens(5_000_000)
	r := newRig(t, route{id: "firehose", bedrockID: mistralID, scenario: sc})
	u := r.up["firehose"]
	r.idle()
	base := runtime.NumGoroutine()
	heap0 := heapInuse()

	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	resp, err := r.post(ctx, "firehose", "hello")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	buf := make([]byte, 16)
	read := 0
	for end := time.Now().Add(time.Second); time.Now().Before(end); {
		n, err := resp.Body.Read(buf)
		if err != nil {
			t.Fatalf("read after %d bytes: %v", read, err)
		}
		read += n
		time.Sleep(10 * time.Millisecond)
	}

	// Now the client stops reading. The fake must stall: its byte count
	// stops moving while the answer is nowhere near its end.
	var sent int64
	stalled := false
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); {
		before := u.sent.Load()
		time.Sleep(300 * time.Millisecond)
		if sent = u.sent.Load(); sent == before {
			stalled = true
			break
		}
	}
	if !stalled {
		t.Fatalf("the fake kept sending (%d bytes) to a client that stopped reading: no backpressure", sent)
	}
	if opened, closed := u.Streams(); opened != 1 || closed != 0 {
		t.Fatalf("fake streams opened %d, closed %d; want the stream held open", opened, closed)
	}
	grown := heapInuse() - heap0
	t.Logf("client read %d bytes; fake sent %d bytes before stalling; heap in use grew %d KiB", read, sent, grown>>10)
	if grown > heapLimit {
		t.Errorf("heap in use grew %d MiB while the client was not reading, want under %d MiB", grown>>20, heapLimit>>20)
	}

	// The client hangs up: the upstream stream must end.
	_, _ = io.CopyN(io.Discard, resp.Body, 1)
	cancel()
	resp.Body.Close()
	streamsClosed(t, u, 1, 10*time.Second)
	r.goroutinesBack(t, base, 5, 10*time.Second)
}

// heapInuse collects garbage and returns the bytes of heap spans in use.
func heapInuse() int64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return int64(m.HeapInuse)
}
