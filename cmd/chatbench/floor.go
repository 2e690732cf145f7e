package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime"
	"github.com/aws/smithy-go/transport/http/protocol/restjson1"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/invokestream"
	"github.com/chatbot-gateway/chatbot/internal/jsonstr"
)

// floor is the least a server can do and still answer the benchmark's
// requests as the gateway does: decode the chat request, make the same AWS
// SDK call (InvokeModelWithResponseStream, with the same client settings),
// read its event stream with the same reader (invokestream, in the
// handler's goroutine), decode each chunk, and write each chunk as one SSE
// frame of the same bytes in one Write. No auth, no limits, no metrics, no logging, no
// heartbeat, no fallback, no timeouts. The gateway's figures are reported
// against it, so what a busy machine does to both cancels out of the ratio.
type floor struct {
	client *bedrockruntime.Client
}

// newFloor builds the floor's Bedrock client as the gateway builds its own:
// the standard configuration with optFns, and no SDK retries.
func newFloor(ctx context.Context, optFns ...func(*config.LoadOptions) error) (http.Handler, error) {
	cfg, err := config.LoadDefaultConfig(ctx, optFns...)
	if err != nil {
		return nil, fmt.Errorf("load AWS config: %w", err)
	}
	client := bedrockruntime.NewFromConfig(cfg, func(o *bedrockruntime.Options) {
		o.Retryer = aws.NopRetryer{}
		o.HTTPClient = plainBody{o.HTTPClient}
	})
	return &floor{client: client}, nil
}

// plainBody hands net/http the request body as a plain in-memory reader,
// as internal/bedrock does and for the same reason: the SDK closes its own
// body wrapper once the response arrives, and net/http then closes the
// connection under the stream (streams fail mid-way with "use of closed
// network connection").
type plainBody struct{ bedrockruntime.HTTPClient }

func (c plainBody) Do(r *http.Request) (*http.Response, error) {
	if r.Body != nil && r.Body != http.NoBody {
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return nil, err
		}
		r.Body = io.NopCloser(bytes.NewReader(b))
	}
	return c.HTTPClient.Do(r)
}

type floorRequest struct {
	Messages []struct {
		Role    string `json:"role"`
		Content string `json:"content"`
	} `json:"messages"`
}

func (f *floor) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(io.LimitReader(r.Body, 256<<10))
	var in floorRequest
	if err == nil {
		err = json.Unmarshal(body, &in)
	}
	if err != nil || len(in.Messages) == 0 {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	stream, err := invokestream.Open(r.Context(), f.client, &bedrockruntime.InvokeModelWithResponseStreamInput{
		ModelId:     aws.String(modelID),
		Body:        llamaBody(in),
		ContentType: aws.String("application/json"),
		Accept:      aws.String("application/json"),
	}, func(o *bedrockruntime.Options) {
		// As the gateway does: the client's shared protocol holds codec
		// state that concurrent streams would race on.
		o.Protocol = restjson1.New(nil)
	})
	if err != nil {
		http.Error(w, "upstream failed", http.StatusBadGateway)
		return
	}
	defer stream.Close()
	h := w.Header()
	h.Set("Content-Type", "text/event-stream; charset=utf-8")
	h.Set("Cache-Control", "no-cache")
	rc := http.NewResponseController(w)
	prefix := chunkPrefix("chatcmpl-"+rand.Text(), time.Now().Unix(), modelID)
	buf := make([]byte, 0, 512)
	send := func(payload []byte) bool {
		buf = append(append(append(buf[:0], "data: "...), payload...), '\n', '\n')
		if _, err := w.Write(buf); err != nil {
			return false
		}
		_ = rc.Flush()
		return true
	}
	var frame []byte
	first := true
	for {
		payload, err := stream.Next()
		if err == io.EOF {
			break
		}
		if err != nil {
			_ = send([]byte(`{"error":{"message":"the model failed before finishing the answer","type":"server_error","param":null,"code":"model_error"}}`))
			return
		}
		var chunk struct {
			Generation string `json:"generation"`
		}
		if json.Unmarshal(payload, &chunk) != nil {
			return
		}
		if chunk.Generation == "" {
			continue
		}
		frame = append(frame[:0], prefix...)
		frame = append(frame, `"choices":[{"index":0,"delta":{`...)
		if first {
			frame = append(frame, `"role":"assistant",`...)
			first = false
		}
		frame = append(frame, `"content":`...)
		frame = jsonstr.AppendString(frame, chunk.Generation)
		frame = append(frame, `},"logprobs":null,"finish_reason":null}]}`...)
		if !send(frame) {
			return
		}
	}
	frame = append(append(frame[:0], prefix...), `"choices":[{"index":0,"delta":{},"logprobs":null,"finish_reason":"stop"}]}`...)
	if send(frame) {
		send([]byte("[DONE]"))
	}
}

// chunkPrefix is the start every chunk of one answer shares.
func chunkPrefix(id string, created int64, model string) []byte {
	b := append([]byte(`{"id":`), jsonstr.AppendString(nil, id)...)
	b = append(b, `,"object":"chat.completion.chunk","created":`...)
	b = strconv.AppendInt(b, created, 10)
	b = append(b, `,"model":`...)
	b = jsonstr.AppendString(b, model)
	return append(b, ',')
}

// llamaBody is the Llama 3 request the gateway sends for in: the chat
// template, and the bench's token limit.
func llamaBody(in floorRequest) []byte {
	var p strings.Builder
	p.WriteString("<|begin_of_text|>")
	for _, m := range in.Messages {
		p.WriteString("<|start_header_id|>" + m.Role + "<|end_header_id|>\n\n" + m.Content + "<|eot_id|>")
	}
	p.WriteString("<|start_header_id|>assistant<|end_header_id|>\n\n")
	b := append([]byte(`{"prompt":`), jsonstr.AppendString(nil, p.String())...)
	b = append(b, `,"max_gen_len":`...)
	b = strconv.AppendInt(b, maxTokens, 10)
	return append(b, '}')
}
