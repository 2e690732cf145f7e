package bedrock_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// sdkError wraps err the way the SDK reports an HTTP-level failure.
func sdkError(status int, err error) error {
	return &smithy.OperationError{
		ServiceID: "Bedrock Runtime", OperationName: "InvokeModelWithResponseStream",
		Err: &awshttp.ResponseError{ResponseError: &smithyhttp.ResponseError{
			Response: &smithyhttp.Response{Response: &http.Response{StatusCode: status}}, Err: err,
		}},
	}
}

type timeoutError struct{}

func (timeoutError) Error() string   { return "i/o timeout" }
func (timeoutError) Timeout() bool   { return true }
func (timeoutError) Temporary() bool { return true }

func TestFallbackReason(t *testing.T) {
	t.Parallel()
	five := int32(503)
	four := int32(400)
	tests := []struct {
		name   string
		err    error
		reason string
		ok     bool
		config bool // a configuration error: FallbackPolicy(FallbackAny) falls back
	}{
		{name: "nil", err: nil, reason: "", ok: false},
		{name: "throttling", err: sdkError(429, &types.ThrottlingException{}), reason: "throttled", ok: true},
		{name: "model not ready", err: sdkError(429, &types.ModelNotReadyException{}), reason: "throttled", ok: true},
		{name: "quota", err: sdkError(400, &types.ServiceQuotaExceededException{}), reason: "throttled", ok: true},
		{name: "in-stream throttling", err: fmt.Errorf("invoke m: %w", &types.ThrottlingException{}), reason: "throttled", ok: true},
		{name: "access denied", err: sdkError(403, &types.AccessDeniedException{}), reason: "access_denied", ok: false, config: true},
		{name: "bad signature", err: sdkError(403, &smithy.GenericAPIError{Code: "InvalidSignatureException"}), reason: "access_denied", ok: true},
		{name: "expired token", err: sdkError(403, &smithy.GenericAPIError{Code: "ExpiredTokenException"}), reason: "access_denied", ok: true},
		{name: "not found", err: sdkError(404, &types.ResourceNotFoundException{}), reason: "model_not_found", ok: false, config: true},
		{name: "end of life", err: sdkError(404, &types.ResourceNotFoundException{Message: aws.String("This model version has reached the end of its life. Please refer to the AWS documentation for more details.")}), reason: "end_of_life", ok: false, config: true},
		{name: "end of life as a validation error", err: sdkError(400, &types.ValidationException{Message: aws.String("This model version has reached the end of its life.")}), reason: "end_of_life", ok: false, config: true},
		{name: "internal", err: sdkError(500, &types.InternalServerException{}), reason: "unavailable", ok: true},
		{name: "service unavailable", err: sdkError(503, &types.ServiceUnavailableException{}), reason: "unavailable", ok: true},
		{name: "model stream error", err: &types.ModelStreamErrorException{}, reason: "unavailable", ok: true},
		{name: "model error 5xx", err: sdkError(424, &types.ModelErrorException{OriginalStatusCode: &five}), reason: "model_error", ok: true},
		{name: "model error 4xx", err: sdkError(424, &types.ModelErrorException{OriginalStatusCode: &four}), reason: "model_error", ok: true},
		{name: "model timeout", err: sdkError(408, &types.ModelTimeoutException{}), reason: "model_timeout", ok: true},
		{name: "unknown 502", err: sdkError(502, &smithy.GenericAPIError{Code: "BadGateway"}), reason: "unavailable", ok: true},
		{name: "unknown 429", err: sdkError(429, &smithy.GenericAPIError{Code: "TooMany"}), reason: "throttled", ok: true},
		{name: "unknown 418", err: sdkError(418, &smithy.GenericAPIError{Code: "Teapot"}), reason: "upstream_error", ok: true},
		{name: "no credentials", err: fmt.Errorf("get identity: %w", fmt.Errorf("%w: chain empty", bedrock.ErrNoCredentials)), reason: "no_credentials", ok: true},
		{name: "connection refused", err: sdkError(0, &smithyhttp.RequestSendError{Err: &net.OpError{Op: "dial", Err: errors.New("connection refused")}}), reason: "connection_failed", ok: true},
		{name: "transport timeout", err: sdkError(0, &smithyhttp.RequestSendError{Err: timeoutError{}}), reason: "timeout", ok: true},
		{name: "first token timeout", err: fmt.Errorf("invoke m: %w", bedrock.ErrFirstTokenTimeout), reason: "first_token_timeout", ok: true},
		{name: "stream cut", err: bedrock.ErrStreamCut, reason: "stream_cut", ok: true},
		{name: "bad chunk", err: fmt.Errorf("%w: eof", bedrock.ErrBadChunk), reason: "bad_response", ok: true},
		{name: "anything else", err: errors.New("surprise"), reason: "upstream_error", ok: true},
		// No fallback: the client's fault, or nobody left to answer.
		{name: "validation", err: sdkError(400, &types.ValidationException{}), reason: "invalid_request", ok: false},
		{name: "public invalid request", err: &chat.PublicError{Kind: chat.ErrInvalidRequest, Message: "bad"}, reason: "invalid_request", ok: false},
		{name: "client gone", err: fmt.Errorf("invoke m: %w", context.Canceled), reason: "canceled", ok: false},
		{name: "client gone during send", err: sdkError(0, &smithyhttp.RequestSendError{Err: context.Canceled}), reason: "canceled", ok: false},
		{name: "deadline", err: context.DeadlineExceeded, reason: "deadline", ok: false},
		{name: "deadline margin", err: chat.ErrDeadline, reason: "deadline", ok: false},
	}
	anyFailure := bedrock.FallbackPolicy(bedrock.FallbackAny)
	for _, tt := range tests {
		reason, ok := bedrock.FallbackReason(tt.err)
		if reason != tt.reason || ok != tt.ok {
			t.Errorf("%s: FallbackReason(%v) = %q, %v; want %q, %v", tt.name, tt.err, reason, ok, tt.reason, tt.ok)
		}
		if _, ok := anyFailure(tt.err); ok != (tt.ok || tt.config) {
			t.Errorf("%s: with FALLBACK_ON=any, fallback = %v, want %v", tt.name, ok, tt.ok || tt.config)
		}
		if _, config := bedrock.ConfigErrorReason(tt.err); config != tt.config {
			t.Errorf("%s: ConfigErrorReason = %v, want %v", tt.name, config, tt.config)
		}
	}
}
