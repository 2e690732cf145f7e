package invokestream

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Bounds on an eventstream frame's announced total length. A frame is at
// least its prelude (8 bytes), prelude checksum and message checksum (4
// each). A chunk of model text is a few hundred bytes; 1 MiB leaves room
// for any real one.
const (
	MinFrameBytes = 16
	MaxFrameBytes = 1 << 20
)

// ErrBadFrame: an eventstream frame announced a length beyond the bound
// (or below the minimum), and was refused unread.
var ErrBadFrame = errors.New("eventstream frame length out of bounds")

// LimitFrames wraps an eventstream body so that it refuses a frame whose
// announced length is out of bounds. The SDK's decoder (smithy-go
// eventstream, v1.28.8) checks only that the length is not zero: it reads
// a frame announcing 4 GiB into memory, or waits for it as long as the
// upstream keeps the connection open.
//
// The wrapper passes the stream through, reading each frame's 4-byte total
// length as it goes by, and fails the read that would reveal a frame out
// of bounds. The decoder still gets every frame before it whole.
func LimitFrames(r io.ReadCloser) io.ReadCloser { return &frameLimit{ReadCloser: r} }

type frameLimit struct {
	io.ReadCloser
	skip   int64   // bytes of the current frame still to pass after its length
	length [4]byte // the next frame's length, as far as read
	have   int     // bytes of length read
	err    error   // the refusal, returned from the next Read on
}

func (f *frameLimit) Read(p []byte) (int, error) {
	if f.err != nil {
		return 0, f.err
	}
	n, err := f.ReadCloser.Read(p)
	for i := 0; i < n; {
		if f.skip > 0 {
			k := min(int64(n-i), f.skip)
			i += int(k)
			f.skip -= k
			continue
		}
		f.length[f.have] = p[i]
		f.have++
		i++
		if f.have < len(f.length) {
			continue
		}
		f.have = 0
		total := binary.BigEndian.Uint32(f.length[:])
		if total < MinFrameBytes || total > MaxFrameBytes {
			f.err = fmt.Errorf("%w: a frame announces %d bytes, the bound is %d", ErrBadFrame, total, MaxFrameBytes)
			// Hand over what came before this frame; the refusal follows.
			if start := i - len(f.length); start > 0 {
				return start, nil
			}
			return 0, f.err
		}
		f.skip = int64(total) - int64(len(f.length))
	}
	return n, err
}
