package invokestream

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"hash/crc32"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/schemas"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go/transport/http/protocol/restjson1"
)

// The eventstream frame layout (smithy-go eventstream, as the AWS docs
// describe it): total length, headers length and the prelude's CRC32, 4
// bytes each; the headers; the payload; the CRC32 of all before it.
const preludeBytes = 12

// Header value types of the eventstream encoding, and the fixed sizes of
// those that have one (smithy-go eventstream/header_value.go).
const (
	typeBytes  = 6
	typeString = 7
)

var fixedSize = [...]int{0, 0, 1, 2, 4, 8, -1, -1, 8, 16}

// Reader reads the chunks of one InvokeModelWithResponseStream response,
// in the caller's goroutine. Next and Close may be called concurrently
// (Close ends a Next that waits); Next itself is not safe for concurrent
// use.
type Reader struct {
	body io.ReadCloser
	buf  []byte // buf[r:w] read from body and not yet decoded
	r, w int
	rerr error  // body's read error, which comes after buf[r:w]
	out  []byte // the last chunk, decoded; reused
	sdk  *sdkReader
	err  error // how the stream ended, once it has
}

// NewReader reads the event stream in body.
func NewReader(body io.ReadCloser) *Reader {
	return &Reader{body: body, buf: make([]byte, 4096)}
}

// Next returns the next chunk's bytes (the model's JSON), valid until the
// next call. At the end of the stream it returns io.EOF, and on a failure
// the error the SDK's reader would report: an exception frame's typed
// error (*types.ThrottlingException, ...), an error frame's
// smithy.GenericAPIError, a checksum or decode error, or ErrBadFrame for a
// frame out of bounds. As with the SDK's reader, a stream that stops in the
// middle of a frame ends with io.EOF; whether the answer was complete is
// the caller's to say. Events other than chunks are skipped.
func (r *Reader) Next() ([]byte, error) {
	for r.err == nil {
		var p []byte
		var err error
		if r.sdk != nil {
			p, err = r.sdk.next()
		} else {
			p, err = r.frame()
		}
		switch {
		case err != nil:
			r.err = err
		case p != nil:
			return p, nil
		}
	}
	return nil, r.err
}

// Close closes the response body, which tells the upstream.
func (r *Reader) Close() error { return r.body.Close() }

// frame decodes the next frame: a chunk's bytes, or nil for an event that
// is not one. A frame that is not well-formed moves the whole rest of the
// stream to the SDK's codec.
func (r *Reader) frame() ([]byte, error) {
	if !r.fill(preludeBytes) {
		if r.r == r.w && r.rerr == io.EOF {
			return nil, io.EOF // between frames: the ordinary end
		}
		return r.toSDK()
	}
	b := r.buf[r.r:r.w]
	total := binary.BigEndian.Uint32(b)
	headers := binary.BigEndian.Uint32(b[4:])
	if total < MinFrameBytes || total > MaxFrameBytes || headers > total-MinFrameBytes ||
		crc32.ChecksumIEEE(b[:8]) != binary.BigEndian.Uint32(b[8:]) {
		return r.toSDK()
	}
	if !r.fill(int(total)) {
		return r.toSDK()
	}
	f := r.buf[r.r : r.r+int(total)]
	if crc32.ChecksumIEEE(f[:total-4]) != binary.BigEndian.Uint32(f[total-4:]) {
		return r.toSDK()
	}
	chunk, ok := isChunk(f[preludeBytes : preludeBytes+headers])
	if !ok {
		return r.toSDK()
	}
	r.r += int(total)
	if chunk {
		if p, ok := r.chunkBytes(f[preludeBytes+headers : total-4]); ok {
			return p, nil
		}
	}
	// A well-formed frame of another kind (an exception, an error, an
	// unknown event, a payload of another shape): the SDK's codec decodes
	// it alone, from the same bytes.
	return (&sdkReader{codec: restjson1.New(nil), src: bytes.NewReader(f)}).next()
}

// fill makes at least n bytes readable in buf[r:w], reading from the body
// as needed; false when the body ends or fails first.
func (r *Reader) fill(n int) bool {
	if r.r == r.w {
		r.r, r.w = 0, 0
	}
	for empty := 0; r.w-r.r < n; {
		if r.rerr != nil {
			return false
		}
		if len(r.buf)-r.r < n {
			if n > len(r.buf) {
				r.buf = append(make([]byte, 0, max(n, 2*len(r.buf))), r.buf[r.r:r.w]...)[:max(n, 2*len(r.buf))]
			} else {
				copy(r.buf, r.buf[r.r:r.w])
			}
			r.r, r.w = 0, r.w-r.r
		}
		k, err := r.body.Read(r.buf[r.w:])
		r.w += k
		switch {
		case err != nil:
			r.rerr = err
		case k == 0:
			if empty++; empty == 100 {
				r.rerr = io.ErrNoProgress
			}
		}
	}
	return true
}

// isChunk walks a frame's headers as smithy-go's decoder does (the last of
// a repeated name wins) and reports whether they make the frame a chunk
// event; ok is false when they do not parse.
func isChunk(h []byte) (chunk, ok bool) {
	var msgType, eventType []byte
	var msgString, eventString bool
	for i := 0; i < len(h); {
		nameLen := int(h[i])
		i++
		if i+nameLen+1 > len(h) {
			return false, false
		}
		name := h[i : i+nameLen]
		i += nameLen
		typ := h[i]
		i++
		var size int
		switch {
		case typ == typeBytes || typ == typeString:
			if i+2 > len(h) {
				return false, false
			}
			size = int(binary.BigEndian.Uint16(h[i:]))
			i += 2
		case int(typ) < len(fixedSize):
			size = fixedSize[typ]
		default:
			return false, false
		}
		if i+size > len(h) {
			return false, false
		}
		v := h[i : i+size]
		i += size
		switch string(name) {
		case ":message-type":
			msgType, msgString = v, typ == typeString
		case ":event-type":
			eventType, eventString = v, typ == typeString
		}
	}
	return msgString && eventString && string(msgType) == "event" && string(eventType) == "chunk", true
}

// chunkBytes decodes a chunk's payload when it has the usual shape,
// {"bytes":"<base64>"}, with any number of "p" members in any order,
// strings of printable ASCII without escapes, and no white space; ok is
// false for any other payload, which the SDK's codec then decodes.
//
// "p" is the padding Bedrock adds to its stream events (a run of letters
// and digits of varying length, seen in ConverseStream's events:
// aws/aws-sdk-js-v3#6919); whether the chunks of
// InvokeModelWithResponseStream carry it too is not verified here, so
// both shapes take this path, and the SDK, which ignores members it does
// not know, agrees on both (FuzzReaderMatchesSDK).
func (r *Reader) chunkBytes(p []byte) (_ []byte, ok bool) {
	n := len(p)
	if n < 2 || p[0] != '{' || p[n-1] != '}' {
		return nil, false
	}
	var b64 []byte
	seen := false
	for i := 1; ; {
		key, j, ok := plainString(p, i)
		if !ok || j >= n || p[j] != ':' {
			return nil, false
		}
		v, k, ok := plainString(p, j+1)
		if !ok || k >= n {
			return nil, false
		}
		switch string(key) {
		case "bytes":
			if seen {
				return nil, false
			}
			b64, seen = v, true
		case "p":
		default:
			return nil, false
		}
		if p[k] == '}' && k == n-1 {
			break
		}
		if p[k] != ',' {
			return nil, false
		}
		i = k + 1
	}
	if !seen {
		return nil, false
	}
	size := base64.StdEncoding.DecodedLen(len(b64))
	if cap(r.out) < size {
		r.out = make([]byte, max(size, 512))
	}
	m, err := base64.StdEncoding.Decode(r.out[:size], b64)
	if err != nil {
		return nil, false
	}
	if m == 0 {
		return []byte{}, true // an event, if an empty one: not nil
	}
	return r.out[:m:m], true
}

// plainString reads the JSON string at p[i] if it holds only printable
// ASCII and no escapes, and returns its contents and the index after it.
func plainString(p []byte, i int) (s []byte, next int, ok bool) {
	if i >= len(p) || p[i] != '"' {
		return nil, 0, false
	}
	for j := i + 1; j < len(p); j++ {
		switch c := p[j]; {
		case c == '"':
			return p[i+1 : j], j + 1, true
		case c < 0x20 || c == '\\' || c >= 0x80:
			return nil, 0, false
		}
	}
	return nil, 0, false
}

// toSDK hands the rest of the stream, from the start of the frame at
// hand, to the SDK's codec, bounded as the client's transport bounds it.
func (r *Reader) toSDK() ([]byte, error) {
	src := &rest{buf: r.buf[r.r:r.w], err: r.rerr, body: r.body}
	r.r = r.w
	r.sdk = &sdkReader{codec: restjson1.New(nil), src: LimitFrames(src)}
	return nil, nil
}

// rest is what the stream still holds: the bytes read and not decoded,
// then the error the body gave after them, or the body itself.
type rest struct {
	buf  []byte
	err  error
	body io.ReadCloser
}

func (s *rest) Read(p []byte) (int, error) {
	if len(s.buf) > 0 {
		n := copy(p, s.buf)
		s.buf = s.buf[n:]
		return n, nil
	}
	if s.err != nil {
		return 0, s.err
	}
	return s.body.Read(p)
}

func (s *rest) Close() error { return s.body.Close() }

// sdkReader decodes frames as the SDK's own reader does
// (smithy-go transport/http EventStreamReader over bedrockruntime's
// protocol, schema and type registry), and keeps what
// bedrockruntime's ResponseStreamReader keeps: the chunks.
type sdkReader struct {
	codec *restjson1.Protocol
	src   io.Reader
}

func (s *sdkReader) next() ([]byte, error) {
	ev, err := s.codec.DeserializeEventMessage(schemas.ResponseStream, bedrockruntime.TypeRegistry, s.src)
	if err != nil {
		return nil, err
	}
	if c, ok := ev.(*types.PayloadPart); ok {
		if c.Bytes == nil {
			return []byte{}, nil
		}
		return c.Bytes, nil
	}
	return nil, nil
}
