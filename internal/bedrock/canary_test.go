package bedrock_test

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"reflect"
	"runtime"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	smithyhttp "github.com/aws/smithy-go/transport/http"
	"github.com/aws/smithy-go/transport/http/protocol/restjson1"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
)

// The canaries below pin the SDK and smithy-go behaviour a workaround in
// this package depends on. Each fails, by its name, when the upstream
// behaviour changes: then the workaround its message names can go.

// TestCanaryRestJSON1SharesEventStreamCodec: the client's protocol keeps
// one event-stream codec whose decoder every stream reuses without a lock
// (smithy-go v1.28.8, internal/eventstream.Codec; aws/smithy-go#714), the
// reason for ownProtocol.
func TestCanaryRestJSON1SharesEventStreamCodec(t *testing.T) {
	t.Parallel()
	c := bedrockruntime.New(bedrockruntime.Options{Region: "us-east-1"})
	if _, ok := c.Options().Protocol.(*restjson1.Protocol); !ok {
		t.Fatalf("the client's default protocol is %T, not *restjson1.Protocol: check ownProtocol, which replaces it", c.Options().Protocol)
	}
	p := reflect.TypeOf(restjson1.Protocol{})
	f, ok := p.FieldByName("eventstream")
	if !ok || f.Type.Kind() != reflect.Pointer || f.Type.Elem().Kind() != reflect.Struct {
		t.Fatal("restjson1.Protocol no longer holds one event-stream codec: if aws/smithy-go#714 is fixed, remove ownProtocol")
	}
	if _, ok := f.Type.Elem().FieldByName("decoder"); !ok {
		t.Fatal("smithy-go's event-stream codec no longer keeps a decoder of its own: if aws/smithy-go#714 is fixed, remove ownProtocol")
	}
	if restjson1.New(nil) == nil {
		t.Fatal("restjson1.New(nil) returns nil: ownProtocol relies on it ignoring its schema")
	}
}

// TestCanarySmithyBodyEOFAfterClose: the body smithy-go hands net/http
// answers a read after Close with io.EOF although bytes remain, the reason
// for plainBody.
func TestCanarySmithyBodyEOFAfterClose(t *testing.T) {
	t.Parallel()
	r := smithyhttp.NewStackRequest().(*smithyhttp.Request)
	payload := []byte(`{"prompt":"hi"}`)
	r, err := r.SetStream(bytes.NewReader(payload))
	if err != nil {
		t.Fatal(err)
	}
	r.ContentLength = int64(len(payload))
	req := r.Build(context.Background())
	if req.Body == nil {
		t.Fatal("no body: check plainBody")
	}
	if err := req.Body.Close(); err != nil {
		t.Fatal(err)
	}
	if n, err := req.Body.Read(make([]byte, 8)); n != 0 || err != io.EOF {
		t.Fatalf("a read after Close gave %d bytes and %v, not io.EOF: smithy-go's body wrapper changed; if net/http no longer "+
			"closes a streaming response's connection, remove plainBody", n, err)
	}
}

// discarding reads a request's body to its end, as a transport does.
type discarding struct{}

func (discarding) Do(r *http.Request) (*http.Response, error) {
	_, err := io.Copy(io.Discard, r.Body)
	return &http.Response{StatusCode: 200, Body: http.NoBody}, err
}

// TestPlainBodyDoesNotCopyAMarkedBody: the body of an InvokeModel call
// (images make it megabytes) goes to net/http as it is, on every attempt;
// an unmarked body is read into memory once. Not parallel: it counts the
// process's allocations.
func TestPlainBodyDoesNotCopyAMarkedBody(t *testing.T) {
	body := bytes.Repeat([]byte("a"), 4<<20)
	c := bedrock.PlainBody(discarding{})
	send := func(ctx context.Context) uint64 {
		var before, after runtime.MemStats
		r, err := http.NewRequestWithContext(ctx, http.MethodPost, "https://bedrock-runtime.us-east-1.amazonaws.com/", io.NopCloser(bytes.NewReader(body)))
		if err != nil {
			t.Fatal(err)
		}
		r.ContentLength = int64(len(body))
		runtime.ReadMemStats(&before)
		if _, err := c.Do(r); err != nil {
			t.Fatal(err)
		}
		runtime.ReadMemStats(&after)
		return after.TotalAlloc - before.TotalAlloc
	}
	if n := send(bedrock.WithRequestBody(context.Background(), body)); n > 1<<20 {
		t.Errorf("a marked body of 4 MiB allocated %d bytes to send", n)
	}
	if n := send(context.Background()); n < 4<<20 {
		t.Errorf("an unmarked body of 4 MiB allocated %d bytes; want it read into memory", n)
	}
}
