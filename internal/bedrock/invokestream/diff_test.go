package invokestream_test

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go/transport/http/protocol/restjson1"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/invokestream"
)

// replay is the client's HTTP client: it answers every call with 200 and
// the event stream body, bounded as internal/bedrock's client bounds it,
// read a few bytes at a time so that frames straddle reads.
type replay struct {
	mu    sync.Mutex
	body  []byte
	chunk int
}

func (r *replay) set(body []byte, chunk int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.body, r.chunk = body, chunk
}

func (r *replay) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	var body io.Reader = bytes.NewReader(r.body)
	if r.chunk > 0 {
		body = &chunked{r: body, n: r.chunk}
	}
	h := http.Header{}
	h.Set("Content-Type", "application/vnd.amazon.eventstream")
	return &http.Response{StatusCode: http.StatusOK, Header: h, Request: req,
		Body: invokestream.LimitFrames(io.NopCloser(body))}, nil
}

// chunked reads at most n bytes per Read.
type chunked struct {
	r io.Reader
	n int
}

func (c *chunked) Read(p []byte) (int, error) { return c.r.Read(p[:min(len(p), c.n)]) }

func newClient(rp *replay) *bedrockruntime.Client {
	return bedrockruntime.New(bedrockruntime.Options{
		Region:       "us-east-1",
		Credentials:  credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "secret", ""),
		BaseEndpoint: aws.String("http://bedrock.replay"),
		HTTPClient:   rp,
		Retryer:      aws.NopRetryer{},
	})
}

// A protocol per call, as internal/bedrock does (the client's shared one
// is not safe for concurrent streams).
func ownProtocol(o *bedrockruntime.Options) { o.Protocol = restjson1.New(nil) }

var input = &bedrockruntime.InvokeModelWithResponseStreamInput{
	ModelId:     aws.String("meta.llama3-70b-instruct-v1:0"),
	Body:        []byte(`{"prompt":"hi"}`),
	ContentType: aws.String("application/json"),
	Accept:      aws.String("application/json"),
}

// outcome is what a reader made of a stream: the chunks, and how it ended
// (the error's type and text; "" for a clean end).
type outcome struct {
	chunks []string
	end    string
}

func describe(err error) string {
	if err == nil {
		return ""
	}
	return fmt.Sprintf("%T: %v", err, err)
}

func readSDK(t testing.TB, c *bedrockruntime.Client) outcome {
	t.Helper()
	out, err := c.InvokeModelWithResponseStream(context.Background(), input, ownProtocol)
	if err != nil {
		t.Fatalf("SDK call: %v", err)
	}
	s := out.GetStream()
	defer s.Close()
	var o outcome
	for ev := range s.Events() {
		if c, ok := ev.(*types.ResponseStreamMemberChunk); ok {
			o.chunks = append(o.chunks, string(c.Value.Bytes))
		}
	}
	o.end = describe(s.Err())
	return o
}

func readOwn(t testing.TB, c *bedrockruntime.Client) outcome {
	t.Helper()
	r, err := invokestream.Open(context.Background(), c, input, ownProtocol)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	defer r.Close()
	var o outcome
	for {
		p, err := r.Next()
		if err != nil {
			if err != io.EOF {
				o.end = describe(err)
			}
			return o
		}
		o.chunks = append(o.chunks, string(p))
	}
}

// same feeds body to both readers through one client and requires the
// same chunks and the same end.
func same(t *testing.T, rp *replay, c *bedrockruntime.Client, body []byte, chunk int) {
	t.Helper()
	rp.set(body, chunk)
	want := readSDK(t, c)
	got := readOwn(t, c)
	if fmt.Sprint(got.chunks) != fmt.Sprint(want.chunks) || got.end != want.end {
		t.Fatalf("stream %x (read %d at a time):\n own: %q, end %q\n SDK: %q, end %q",
			body, chunk, got.chunks, got.end, want.chunks, want.end)
	}
}

// frame is one eventstream frame, encoded by the SDK's codec.
type frame struct {
	headers [][2]string // string headers, in order
	other   func(*eventstream.Headers)
	payload string
}

func encode(t testing.TB, fs ...frame) []byte {
	t.Helper()
	var b bytes.Buffer
	enc := eventstream.NewEncoder()
	for _, f := range fs {
		var msg eventstream.Message
		for _, h := range f.headers {
			msg.Headers = append(msg.Headers, eventstream.Header{Name: h[0], Value: eventstream.StringValue(h[1])})
		}
		if f.other != nil {
			f.other(&msg.Headers)
		}
		msg.Payload = []byte(f.payload)
		if err := enc.Encode(&b, msg); err != nil {
			t.Fatal(err)
		}
	}
	return b.Bytes()
}

func chunk(text string) frame {
	return frame{
		headers: [][2]string{{":event-type", "chunk"}, {":content-type", "application/json"}, {":message-type", "event"}},
		payload: `{"bytes":"` + base64.StdEncoding.EncodeToString([]byte(text)) + `"}`,
	}
}

func chunkPayload(payload string) frame {
	f := chunk("")
	f.payload = payload
	return f
}

func exception(typ, payload string) frame {
	return frame{
		headers: [][2]string{{":exception-type", typ}, {":content-type", "application/json"}, {":message-type", "exception"}},
		payload: payload,
	}
}

// streams are the seeds: each a stream's bytes, built by the SDK's codec.
func streams(t testing.TB) map[string][]byte {
	b64 := func(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
	text := chunk(`{"generation":"Hello","prompt_token_count":11}`)
	last := chunk(`{"generation":"","stop_reason":"stop","amazon-bedrock-invocationMetrics":{"inputTokenCount":11,"outputTokenCount":2}}`)
	huge := make([]byte, 12)
	binary.BigEndian.PutUint32(huge, 1<<31)
	binary.BigEndian.PutUint32(huge[8:], crc32.ChecksumIEEE(huge[:8]))
	ss := map[string][]byte{
		"empty":    nil,
		"complete": encode(t, text, chunk(`{"generation":" world"}`), last),
		"padding": encode(t, chunkPayload(`{"bytes":"`+b64("one")+`","p":"abcdefghij"}`),
			chunkPayload(`{"p":"abc","bytes":"`+b64("two")+`","p":"ABCDEFGHIJKLMNOPQRSTUVWXYZ0"}`)),
		"big chunk":      encode(t, chunk(strings.Repeat("x", 70_000)), text),
		"empty bytes":    encode(t, chunkPayload(`{"bytes":""}`), text),
		"no bytes":       encode(t, chunkPayload(`{}`), chunkPayload(`{"p":"x"}`), text),
		"null bytes":     encode(t, chunkPayload(`{"bytes":null}`), text),
		"escaped":        encode(t, chunkPayload(`{"bytes":"`+b64("a")[:2]+`\u0051\u003d\u003d"}`), text),
		"white space":    encode(t, chunkPayload(` { "bytes" : "`+b64("spaced")+`" } `), text),
		"other member":   encode(t, chunkPayload(`{"bytes":"`+b64("x")+`","q":1}`), chunkPayload(`{"bytes":"`+b64("y")+`","Bytes":"eg==","q":"1"}`)),
		"twice":          encode(t, chunkPayload(`{"bytes":"`+b64("one")+`","bytes":"`+b64("two")+`"}`)),
		"not base64":     encode(t, text, chunkPayload(`{"bytes":"@@@@"}`), last),
		"base64 no pad":  encode(t, chunkPayload(`{"bytes":"QQ"}`)),
		"not json":       encode(t, text, chunkPayload(`not json`)),
		"empty payload":  encode(t, text, chunkPayload(``)),
		"trailing":       encode(t, chunkPayload(`{"bytes":"QQ=="}x`)),
		"non-ascii":      encode(t, chunkPayload(`{"bytes":"QQ==","p":"é"}`)),
		"unknown event":  encode(t, text, frame{headers: [][2]string{{":event-type", "futureThing"}, {":message-type", "event"}}, payload: `{"a":1}`}, last),
		"no event type":  encode(t, text, frame{headers: [][2]string{{":message-type", "event"}}, payload: `{}`}),
		"no msg type":    encode(t, text, frame{headers: [][2]string{{":event-type", "chunk"}}, payload: `{"bytes":"QQ=="}`}),
		"odd msg type":   encode(t, text, frame{headers: [][2]string{{":message-type", "gossip"}}}),
		"repeated types": encode(t, frame{headers: [][2]string{{":message-type", "exception"}, {":event-type", "chunk"}, {":message-type", "event"}}, payload: `{"bytes":"QQ=="}`}),
		"typed headers": encode(t, frame{headers: [][2]string{{":event-type", "chunk"}}, payload: `{"bytes":"QQ=="}`,
			other: func(h *eventstream.Headers) {
				h.Set("x-int", eventstream.Int32Value(7))
				h.Set("x-bytes", eventstream.BytesValue("event"))
				h.Set(":message-type", eventstream.BytesValue("event"))
			}}),
		"other headers": encode(t, frame{headers: [][2]string{{":event-type", "chunk"}, {":message-type", "event"}}, payload: `{"bytes":"QQ=="}`,
			other: func(h *eventstream.Headers) {
				h.Set("t", eventstream.BoolValue(true))
				h.Set("f", eventstream.BoolValue(false))
				h.Set("i8", eventstream.Int8Value(-1))
				h.Set("i16", eventstream.Int16Value(300))
				h.Set("i64", eventstream.Int64Value(1<<40))
				h.Set("uuid", eventstream.UUIDValue{1, 2, 3})
			}}),
		"throttling":      encode(t, text, exception("throttlingException", `{"message":"slow down"}`)),
		"model stream":    encode(t, text, exception("modelStreamErrorException", `{"message":"boom","originalStatusCode":500,"originalMessage":"x"}`)),
		"validation":      encode(t, exception("validationException", `{"message":"bad input"}`)),
		"unknown excp":    encode(t, text, exception("brandNewException", `{"message":"new"}`)),
		"excp no type":    encode(t, text, frame{headers: [][2]string{{":message-type", "exception"}}, payload: `{"message":"m"}`}),
		"excp bad json":   encode(t, text, exception("brandNewException", `{"message":`)),
		"error frame":     encode(t, text, frame{headers: [][2]string{{":message-type", "error"}, {":error-code", "InternalFailure"}, {":error-message", "it broke"}}}),
		"bare error":      encode(t, text, frame{headers: [][2]string{{":message-type", "error"}}}),
		"after exception": encode(t, exception("internalServerException", `{"message":"x"}`), text),
		"huge length":     append(encode(t, text), huge...),
	}
	// A frame whose headers run past their length, or stop short of it.
	short := encode(t, text)
	binary.BigEndian.PutUint32(short[4:], binary.BigEndian.Uint32(short[4:])-3)
	fixCRCs(short)
	ss["headers short"] = append(short, encode(t, text)...)
	long := encode(t, text)
	binary.BigEndian.PutUint32(long[4:], binary.BigEndian.Uint32(long[4:])+5)
	fixCRCs(long)
	ss["headers long"] = append(long, encode(t, text)...)
	over := encode(t, text)
	binary.BigEndian.PutUint32(over[4:], binary.BigEndian.Uint32(over[0:])) // more headers than the frame holds
	fixCRCs(over)
	ss["headers over"] = append(over, encode(t, text)...)
	tiny := []byte{0, 0, 0, 16, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0}
	fixCRCs(tiny)
	ss["minimal frame"] = append(tiny, encode(t, text)...)
	return ss
}

// fixCRCs recomputes a single frame's two checksums.
func fixCRCs(f []byte) {
	binary.BigEndian.PutUint32(f[8:], crc32.ChecksumIEEE(f[:8]))
	binary.BigEndian.PutUint32(f[len(f)-4:], crc32.ChecksumIEEE(f[:len(f)-4]))
}

// TestReaderMatchesSDK feeds every seed stream to both readers whole, read
// in small pieces, cut short at every length in its first frames (and at a
// sample after), and with every byte of its first frame corrupted
// (checksums, lengths, headers and payload alike),
// and requires the same chunks and the same end from both.
func TestReaderMatchesSDK(t *testing.T) {
	t.Parallel()
	rp := &replay{}
	c := newClient(rp)
	for name, body := range streams(t) {
		t.Run(name, func(t *testing.T) {
			same(t, rp, c, body, 0)
			same(t, rp, c, body, 7)
			if len(body) > 2000 {
				return
			}
			for n := range len(body) {
				// Every cut in the first frames, a sample after.
				if n < 300 || n%11 == 0 {
					same(t, rp, c, body[:n], 0)
				}
			}
			for i := range min(len(body), 150) {
				bad := bytes.Clone(body)
				bad[i] ^= 0x5a
				same(t, rp, c, bad, 0)
			}
		})
	}
}

// FuzzReaderMatchesSDK is the same comparison on any bytes.
func FuzzReaderMatchesSDK(f *testing.F) {
	for _, body := range streams(f) {
		f.Add(body, 0)
	}
	rp := &replay{}
	c := newClient(rp)
	f.Fuzz(func(t *testing.T, body []byte, chunk int) {
		if chunk < 0 || chunk > 1<<16 {
			return
		}
		same(t, rp, c, body, chunk)
	})
}

// The Reader's own errors are the SDK's: a typed exception stays typed.
func TestExceptionTyped(t *testing.T) {
	t.Parallel()
	rp := &replay{}
	rp.set(encode(t, chunk("x"), exception("throttlingException", `{"message":"slow down"}`)), 0)
	r, err := invokestream.Open(context.Background(), newClient(rp), input, ownProtocol)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if p, err := r.Next(); err != nil || string(p) != "x" {
		t.Fatalf("first Next: %q, %v", p, err)
	}
	_, err = r.Next()
	var te *types.ThrottlingException
	if !errors.As(err, &te) || te.ErrorMessage() != "slow down" {
		t.Fatalf("Next after the exception frame: %v, want a ThrottlingException", err)
	}
	if _, again := r.Next(); again != err {
		t.Errorf("Next after the end: %v, want the same error", again)
	}
}
