package bedrock

import (
	"context"
	"errors"
	"net"
	"strings"

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
// logs and metrics, whether another attempt may succeed, whether the
// built-in model may answer instead, and whether it is a configuration
// error (a model retired, not found or not allowed): no retry or waiting
// mends those, an operator must.
type failure struct {
	reason   string
	retry    bool
	fallback bool
	config   bool
}

// apiFailures maps Bedrock (and generic AWS) error codes, as named in
// x-amzn-ErrorType or by in-stream exception frames, to their meaning.
var apiFailures = map[string]failure{
	"ThrottlingException":                 {"throttled", true, true, false},
	"ModelNotReadyException":              {"throttled", true, true, false},
	"ServiceQuotaExceededException":       {"throttled", false, true, false},
	"InternalServerException":             {"unavailable", true, true, false},
	"ServiceUnavailableException":         {"unavailable", true, true, false},
	"ModelStreamErrorException":           {"unavailable", true, true, false},
	"ModelErrorException":                 {"model_error", false, true, false},
	"ModelTimeoutException":               {"model_timeout", false, true, false},
	"AccessDeniedException":               {"access_denied", false, true, true},
	"UnrecognizedClientException":         {"access_denied", false, true, false},
	"InvalidSignatureException":           {"access_denied", false, true, false},
	"ExpiredTokenException":               {"access_denied", false, true, false},
	"MissingAuthenticationTokenException": {"access_denied", false, true, false},
	"ResourceNotFoundException":           {"model_not_found", false, true, true},
	"ValidationException":                 {"invalid_request", false, false, false},
}

// endOfLife tells a retired model's answer. Bedrock answers a call to a
// model past its end-of-life date with "This model version has reached
// the end of its life" (seen as a ResourceNotFoundException; matched
// whatever the code, since a ValidationException saying so is no fault
// of the client's either). Source: the model lifecycle page,
// https://docs.aws.amazon.com/bedrock/latest/userguide/model-lifecycle.html
func endOfLife(msg string) bool {
	m := strings.ToLower(msg)
	return strings.Contains(m, "end of its life") || strings.Contains(m, "end-of-life") || strings.Contains(m, "end of life")
}

var eolFailure = failure{"end_of_life", false, true, true}

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
		return failure{"first_token_timeout", false, true, false}
	case errors.Is(err, chat.ErrDeadline):
		return failure{reason: "deadline"}
	case errors.Is(err, context.Canceled):
		return failure{reason: "canceled"}
	case errors.Is(err, context.DeadlineExceeded):
		return failure{reason: "deadline"}
	case errors.Is(err, ErrNoCredentials):
		return failure{"no_credentials", false, true, false}
	case errors.Is(err, ErrStreamCut):
		return failure{"stream_cut", true, true, false}
	case errors.Is(err, ErrBadChunk), errors.Is(err, ErrBadFrame):
		return failure{"bad_response", false, true, false}
	case errors.As(err, &apiErr):
		if endOfLife(apiErr.ErrorMessage()) {
			return eolFailure
		}
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
		return failure{"upstream_error", false, true, false}
	case errors.As(err, &netErr) && netErr.Timeout():
		return failure{"timeout", true, true, false}
	case errors.As(err, &sendErr):
		return failure{"connection_failed", false, true, false}
	case errors.As(err, &respErr):
		return statusFailure(respErr.HTTPStatusCode())
	}
	return failure{"upstream_error", false, true, false}
}

func statusFailure(status int) failure {
	switch {
	case status == 429:
		return failure{"throttled", true, true, false}
	case status == 403 || status == 401:
		return failure{"access_denied", false, true, false}
	case status == 404:
		return failure{"model_not_found", false, true, false}
	case status >= 500:
		return failure{"unavailable", true, true, false}
	}
	return failure{"upstream_error", false, true, false}
}

// kind is the chat error a failure before the first text is to the
// gateway: chat.ErrModelConfig for a configuration error,
// chat.ErrUnavailable when a later call may succeed, chat.ErrUpstream for
// Bedrock's other failures, nil for the client's own mistakes and contexts
// (they say so themselves).
func (f failure) kind() error {
	switch {
	case !f.fallback:
		return nil
	case f.config:
		return chat.ErrModelConfig
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

// FallbackOn says which failures the built-in model may answer
// (FALLBACK_ON).
type FallbackOn string

// The fallback policies.
const (
	// FallbackOutage: outages only (throttling, capacity, timeouts, a lost
	// connection). A configuration error is the client's 503
	// model_unavailable, so that a deployment with a retired or
	// forbidden model is noticed rather than answered by ELIZA.
	FallbackOutage FallbackOn = "outage"
	// FallbackAny: configuration errors too.
	FallbackAny FallbackOn = "any"
)

// FallbackReason says whether the built-in model should answer after a
// Bedrock model failed before emitting any text, and why (a short, stable
// word for logs and metrics such as "throttled", "no_credentials",
// "connection_failed", "unavailable", "first_token_timeout"), under the
// FallbackOutage policy. It reports ok=false for nil, for configuration
// errors ("access_denied", "model_not_found", "end_of_life"), for the
// client's own mistakes (ValidationException, chat.ErrInvalidRequest) and
// for a client that went away or a deadline that passed (context errors,
// chat.ErrDeadline): those must not be hidden behind another model's
// answer.
func FallbackReason(err error) (reason string, ok bool) {
	f := classify(err)
	return f.reason, f.fallback && !f.config
}

// FallbackPolicy returns the fallback decision of policy on: FallbackReason
// for FallbackOutage (and ""), and for FallbackAny the same with
// configuration errors answered by the built-in model too.
func FallbackPolicy(on FallbackOn) func(error) (string, bool) {
	if on != FallbackAny {
		return FallbackReason
	}
	return func(err error) (string, bool) {
		f := classify(err)
		return f.reason, f.fallback
	}
}

// ConfigErrorReason reports whether err, returned before any text, is a
// configuration error (a model retired, not found or not allowed), and
// its reason.
func ConfigErrorReason(err error) (reason string, ok bool) {
	f := classify(err)
	return f.reason, f.config
}

// publicCause is a chat.PublicError for the client with the failure behind
// it for the log: errors.As finds the public part, Error has both.
type publicCause struct {
	*chat.PublicError
	cause error
}

func (e *publicCause) Error() string   { return e.PublicError.Message + ": " + e.cause.Error() }
func (e *publicCause) Unwrap() []error { return []error{e.PublicError, e.cause} }
