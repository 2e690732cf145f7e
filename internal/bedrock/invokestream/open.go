package invokestream

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go/middleware"
	smithyhttp "github.com/aws/smithy-go/transport/http"
)

// sdkDeserializer is the ID of the middleware with which bedrockruntime
// (v1.63) turns the response body into its channel-based event stream,
// starting a goroutine for its reader, one for smithy-go's and one that
// waits for the stream's end (api_op_InvokeModelWithResponseStream.go,
// eventstream.go). It sits just outside "OperationDeserializer", which
// reads the response headers into the output and turns an HTTP error into
// its typed API error.
const sdkDeserializer = "OperationEventStreamDeserializer"

// Open calls InvokeModelWithResponseStream through client, with optFns, and
// returns a Reader over the response's event stream. The SDK does
// everything up to the response as usual; its event-stream deserializer is
// replaced by one that keeps the response body for the Reader. Close the
// Reader when done.
func Open(ctx context.Context, client *bedrockruntime.Client, in *bedrockruntime.InvokeModelWithResponseStreamInput, optFns ...func(*bedrockruntime.Options)) (*Reader, error) {
	var t takeBody
	opts := append(optFns[:len(optFns):len(optFns)], t.install)
	if _, err := client.InvokeModelWithResponseStream(ctx, in, opts...); err != nil {
		if t.body != nil {
			_ = t.body.Close()
		}
		return nil, err
	}
	if t.body == nil {
		return nil, errors.New("invoke with response stream: no response body")
	}
	return NewReader(t.body), nil
}

// takeBody is the middleware that keeps the response body in place of the
// SDK's event-stream deserializer.
type takeBody struct{ body io.ReadCloser }

func (t *takeBody) install(o *bedrockruntime.Options) {
	o.APIOptions = append(o.APIOptions[:len(o.APIOptions):len(o.APIOptions)], func(s *middleware.Stack) error {
		if _, err := s.Deserialize.Remove(sdkDeserializer); err != nil {
			return fmt.Errorf("replace the SDK's event-stream deserializer: %w", err)
		}
		return s.Deserialize.Insert(t, "OperationDeserializer", middleware.Before)
	})
}

func (*takeBody) ID() string { return "InvokeStreamBody" }

func (t *takeBody) HandleDeserialize(ctx context.Context, in middleware.DeserializeInput, next middleware.DeserializeHandler) (middleware.DeserializeOutput, middleware.Metadata, error) {
	out, md, err := next.HandleDeserialize(ctx, in)
	if err != nil {
		return out, md, err
	}
	resp, ok := out.RawResponse.(*smithyhttp.Response)
	if !ok {
		return out, md, fmt.Errorf("unknown transport type: %T", out.RawResponse)
	}
	t.body = resp.Body
	return out, md, nil
}
