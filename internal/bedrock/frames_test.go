package bedrock_test

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"testing"
	"testing/iotest"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
)

// frames encodes one event frame per payload with the SDK's codec.
func frames(tb testing.TB, payloads ...string) []byte {
	tb.Helper()
	var b bytes.Buffer
	enc := eventstream.NewEncoder()
	for _, p := range payloads {
		var msg eventstream.Message
		msg.Headers.Set(":message-type", eventstream.StringValue("event"))
		msg.Payload = []byte(p)
		if err := enc.Encode(&b, msg); err != nil {
			tb.Fatal(err)
		}
	}
	return b.Bytes()
}

// decodeAll decodes frames from r until it fails, returning the payloads.
func decodeAll(r io.Reader) ([]string, error) {
	dec := eventstream.NewDecoder()
	var got []string
	for {
		msg, err := dec.Decode(r, nil)
		if err != nil {
			return got, err
		}
		got = append(got, string(msg.Payload))
	}
}

// chunked reads at most n bytes per Read.
type chunked struct {
	r io.Reader
	n int
}

func (c chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

// Frames within the bound pass unchanged, however the reads split them.
func FuzzFrameLimitPassesFrames(f *testing.F) {
	f.Add("a", "bb", "", 1)
	f.Add("hello", string(bytes.Repeat([]byte("x"), 5000)), "y", 7)
	f.Fuzz(func(t *testing.T, a, b, c string, n int) {
		if n < 1 || n > 1<<16 {
			return
		}
		body := frames(t, a, b, c)
		got, err := decodeAll(bedrock.LimitFrames(io.NopCloser(chunked{bytes.NewReader(body), n})))
		if err != io.EOF || len(got) != 3 || got[0] != a || got[1] != b || got[2] != c {
			t.Fatalf("read %d at a time: %q, %v; want the three payloads", n, got, err)
		}
	})
}

// A frame announcing more than 1 MiB, or less than a frame's minimum, is
// refused once its length is read; the frames before it still arrive.
func TestFrameLimitRefuses(t *testing.T) {
	t.Parallel()
	for _, total := range []uint32{1<<20 + 1, 1 << 31, 15, 0} {
		var prelude [12]byte
		binary.BigEndian.PutUint32(prelude[:4], total)
		body := append(frames(t, "one", "two"), prelude[:]...)
		for _, r := range []io.Reader{bytes.NewReader(body), iotest.OneByteReader(bytes.NewReader(body))} {
			got, err := decodeAll(bedrock.LimitFrames(io.NopCloser(r)))
			if !errors.Is(err, bedrock.ErrBadFrame) || len(got) != 2 {
				t.Errorf("length %d: %q, %v; want two frames, then ErrBadFrame", total, got, err)
			}
		}
	}
	// Exactly 1 MiB is allowed.
	big := string(bytes.Repeat([]byte("x"), 1<<20-16-len(":message-type")-4-len("event")))
	body := frames(t, big)
	if n := binary.BigEndian.Uint32(body); n != 1<<20 {
		t.Fatalf("test frame is %d bytes, want 1 MiB", n)
	}
	if got, err := decodeAll(bedrock.LimitFrames(io.NopCloser(bytes.NewReader(body)))); err != io.EOF || len(got) != 1 {
		t.Errorf("1 MiB frame: %d frames, %v; want it read", len(got), err)
	}
}
