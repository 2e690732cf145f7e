package invokestream_test

import (
	"bytes"
	"fmt"
	"io"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/invokestream"
)

// TestNextAllocs holds an ordinary chunk to no allocation at all: the
// frames of a long and a short stream, read in the pieces the network
// gives, cost the same. (The Reader and its buffer are per stream.)
func TestNextAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own; make test-allocs runs this without it")
	}
	body := func(n int) []byte {
		fs := make([]frame, n)
		for i := range fs {
			fs[i] = chunk(fmt.Sprintf(`{"generation":" token %d","prompt_token_count":null}`, i))
			if i%3 == 0 {
				fs[i].payload = fs[i].payload[:len(fs[i].payload)-1] + `,"p":"abcdefghijklmnop"}`
			}
		}
		return encode(t, fs...)
	}
	const short, long = 50, 550
	read := func(b []byte) func() {
		return func() {
			r := invokestream.NewReader(io.NopCloser(&chunked{r: bytes.NewReader(b), n: 300}))
			n := 0
			for {
				if _, err := r.Next(); err != nil {
					if err != io.EOF || n == 0 {
						t.Fatalf("after %d chunks: %v", n, err)
					}
					return
				}
				n++
			}
		}
	}
	a := testing.AllocsPerRun(20, read(body(short)))
	b := testing.AllocsPerRun(20, read(body(long)))
	if per := (b - a) / (long - short); per > 0 {
		t.Errorf("%.3f allocations per chunk (%v for %d chunks, %v for %d), want 0", per, a, short, b, long)
	}
}
