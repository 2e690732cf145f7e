package bedrock

import (
	"context"
	"errors"
	"net"

	"github.com/aws/aws-sdk-go-v2/service/bedrockruntime/types"
	"github.com/aws/smithy-go"
	smithyhttp "github.com/aws/smithy-go/transport/http"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/invokestream"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Sentinel errors of this package.
var (
	// ErrUnsupportedModel: the model id names no supported family.
	ErrUnsupportedModel = errors.New("unsupported model id")
	// ErrFirstTokenTimeout: no text arrived within the first-token timeout.
	ErrFirstTokenTimeout = errors.New("no first token in time")
	// ErrStreamCut: the stream ended without the model's final chunk.
	ErrStreamCut = errors.New("stream ended before the answer was complete")
	// ErrNoCredentials: the SDK found no usable AWS credentials.
	ErrNoCredentials = errors.New("no AWS credentials")
	// ErrBadChunk: a stream chunk was not in the model family's shape.
	ErrBadChunk = errors.New("malformed stream chunk")
	// ErrIdleTimeout: after the first text, no stream event arrived within
	// the idle timeout.
	ErrIdleTimeout = errors.New("no stream event within the idle timeout")
	// ErrBadFrame: an eventstream frame announced a length beyond the
	// bound (or below the minimum), and was refused unread.
	ErrBadFrame = invokestream.ErrBadFrame
)

// failure is what a Bedrock error means to the caller: a short reason for
// logs and metrics, whether another attempt may succeed, and whether the
// built-in model should answer instead.
type failure struct {
	reason   string
	retry    bool
	fallback bool
}

// apiFailures maps Bedrock (and generic AWS) error codes, as named in
// x-amzn-ErrorType or by in-stream exception frames, to their meaning.
var apiFailures = map[string]failure{
	"ThrottlingException":                 {"throttled", true, true},
	"ModelNotReadyException":              {"throttled", true, true},
	"ServiceQuotaExceededException":       {"throttled", false, true},
	"InternalServerException":             {"unavailable", true, true},
	"ServiceUnavailableException":         {"unavailable", true, true},
	"ModelStreamErrorException":           {"unavailable", true, true},
	"ModelErrorException":                 {"model_error", false, true},
	"ModelTimeoutException":               {"model_timeout", false, true},
	"AccessDeniedException":               {"access_denied", false, true},
	"UnrecognizedClientException":         {"access_denied", false, true},
	"InvalidSignatureException":           {"access_denied", false, true},
	"ExpiredTokenException":               {"access_denied", false, true},
	"MissingAuthenticationTokenException": {"access_denied", false, true},
	"ResourceNotFoundException":           {"model_not_found", false, true},
	"ValidationException":                 {"invalid_request", false, false},
}

// classify is the single policy table behind the retry loop and
// FallbackReason. Order matters: context errors first, because a cancelled
// request also surfaces as a transport error.
func classify(err error) failure {
	var (
		apiErr  smithy.APIError
		respErr *smithyhttp.ResponseError
		sendErr *smithyhttp.RequestSendError
		netErr  net.Error
	)
	switch {
	case err == nil:
		return failure{}
	case errors.Is(err, chat.ErrInvalidRequest):
		return failure{reason: "invalid_request"}
	case errors.Is(err, ErrFirstTokenTimeout):
		return failure{"first_token_timeout", false, true}
	case errors.Is(err, chat.ErrDeadline):
		return failure{reason: "deadline"}
	case errors.Is(err, context.Canceled):
		return failure{reason: "canceled"}
	case errors.Is(err, context.DeadlineExceeded):
		return failure{reason: "deadline"}
	case errors.Is(err, ErrNoCredentials):
		return failure{"no_credentials", false, true}
	case errors.Is(err, ErrStreamCut):
		return failure{"stream_cut", true, true}
	case errors.Is(err, ErrBadChunk), errors.Is(err, ErrBadFrame):
		return failure{"bad_response", false, true}
	case errors.As(err, &apiErr):
		if f, ok := apiFailures[apiErr.ErrorCode()]; ok {
			var me *types.ModelErrorException
			if errors.As(err, &me) && me.OriginalStatusCode != nil && *me.OriginalStatusCode >= 500 {
				f.retry = true
			}
			return f
		}
		if errors.As(err, &respErr) {
			return statusFailure(respErr.HTTPStatusCode())
		}
		return failure{"upstream_error", false, true}
	case errors.As(err, &netErr) && netErr.Timeout():
		return failure{"timeout", true, true}
	case errors.As(err, &sendErr):
		return failure{"connection_failed", false, true}
	case errors.As(err, &respErr):
		return statusFailure(respErr.HTTPStatusCode())
	}
	return failure{"upstream_error", false, true}
}

func statusFailure(status int) failure {
	switch {
	case status == 429:
		return failure{"throttled", true, true}
	case status == 403 || status == 401:
		return failure{"access_denied", false, true}
	case status == 404:
		return failure{"model_not_found", false, true}
	case status >= 500:
		return failure{"unavailable", true, true}
	}
	return failure{"upstream_error", false, true}
}

// kind is the chat error a failure before the first text is to the
// gateway: chat.ErrUnavailable when a later call may succeed,
// chat.ErrUpstream for Bedrock's other failures, nil for the client's own
// mistakes and contexts (they say so themselves).
func (f failure) kind() error {
	switch {
	case !f.fallback:
		return nil
	case f.retry, f.reason == "throttled", f.reason == "first_token_timeout", f.reason == "model_timeout":
		return chat.ErrUnavailable
	}
	return chat.ErrUpstream
}

// kindError gives an error a chat kind, so that errors.Is tells the
// gateway whose failure it is, without changing its text.
type kindError struct{ err, kind error }

func withKind(err, kind error) error {
	if kind == nil {
		return err
	}
	return &kindError{err: err, kind: kind}
}

func (e *kindError) Error() string   { return e.err.Error() }
func (e *kindError) Unwrap() []error { return []error{e.err, e.kind} }

// FallbackReason says whether the built-in model should answer after a
// Bedrock model failed before emitting any text, and why (a short, stable
// word for logs and metrics such as "throttled", "access_denied",
// "model_not_found", "no_credentials", "connection_failed", "unavailable",
// "first_token_timeout"). It reports ok=false for nil, for the client's own
// mistakes (ValidationException, chat.ErrInvalidRequest) and for a client
// that went away or a deadline that passed (context errors, chat.ErrDeadline):
// those must not be hidden behind another model's answer.
func FallbackReason(err error) (reason string, ok bool) {
	f := classify(err)
	return f.reason, f.fallback
}
