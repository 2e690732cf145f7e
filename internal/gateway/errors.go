package gateway

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Error is an error as the OpenAI API reports it, with its HTTP status.
type Error struct {
	Status     int           `json:"-"`
	RetryAfter time.Duration `json:"-"`
	Message    string        `json:"message"`
	Type       string        `json:"type"`
	Param      *string       `json:"param"`
	Code       string        `json:"code"`
}

func (e *Error) Error() string { return e.Message }

// OpenAI's error types.
const (
	typeInvalidRequest = "invalid_request_error"
	typePermission     = "permission_error"
	typeNotFound       = "not_found_error"
	typeServer         = "server_error"
	typeUnavailable    = "service_unavailable_error"
	typeTimeout        = "timeout_error"
)

// Sentinel errors of the gateway itself.
var (
	errShuttingDown = errors.New("server shutting down")
	errPanic        = errors.New("handler panicked")
)

func Invalid(param, code, msg string) *Error {
	e := &Error{Status: http.StatusBadRequest, Type: typeInvalidRequest, Code: code, Message: msg}
	if param != "" {
		e.Param = &param
	}
	return e
}

// toAPIError maps any error to what the client is told: the one place where
// errors become statuses. Unknown errors become a generic 500 whose text
// says nothing of the cause; the cause goes to the log.
func toAPIError(err error) *Error {
	var ae *Error
	if errors.As(err, &ae) {
		return ae
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &Error{Status: http.StatusRequestEntityTooLarge, Type: typeInvalidRequest, Code: "body_too_large",
			Message: "request body is larger than " + strconv.FormatInt(mbe.Limit, 10) + " bytes"}
	}
	var public PublicError
	var pub *chat.PublicError
	switch {
	case errors.As(err, &public):
		typ, code, msg := public.OpenAIError()
		return &Error{Status: public.HTTPStatus(), Type: typ, Code: code, Message: msg, RetryAfter: public.RetryIn()}
	case errors.As(err, &pub) && errors.Is(err, chat.ErrInvalidRequest):
		e := &Error{Status: http.StatusBadRequest, Type: typeInvalidRequest, Code: orDefault(pub.Code, "invalid_request"), Message: pub.Message}
		if pub.Param != "" {
			e.Param = &pub.Param
		}
		return e
	case errors.Is(err, chat.ErrDeadline):
		return &Error{Status: http.StatusServiceUnavailable, Type: typeTimeout, Code: "deadline_exceeded",
			Message: "the answer was stopped because the time limit was reached"}
	case errors.Is(err, errShuttingDown):
		return &Error{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Code: "shutting_down",
			Message: "the server is shutting down; retry"}
	case errors.Is(err, chat.ErrUpstreamTimeout):
		return &Error{Status: http.StatusGatewayTimeout, Type: typeTimeout, Code: "upstream_timeout",
			Message: "the model's service stopped sending before the answer was complete"}
	case errors.Is(err, chat.ErrUpstream):
		return &Error{Status: http.StatusBadGateway, Type: typeServer, Code: "upstream_error",
			Message: "the model's service failed"}
	case errors.Is(err, chat.ErrModelConfig):
		return &Error{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Code: "model_unavailable",
			Message: "the model cannot be used as this deployment configures it (retired, not found or not allowed); retrying will not help until the operator changes it"}
	case errors.Is(err, chat.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return &Error{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Code: "model_unavailable",
			Message: "the model is unavailable; retry shortly"}
	}
	return &Error{Status: http.StatusInternalServerError, Type: typeServer, Code: "internal_error",
		Message: "internal error"}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// setErrorHeaders adds the headers a status needs: the challenge on 401,
// a retry hint on 503.
func setErrorHeaders(h http.Header, e *Error) {
	switch e.Status {
	case http.StatusUnauthorized:
		h.Set("WWW-Authenticate", `Bearer error="invalid_token"`)
	case http.StatusServiceUnavailable, http.StatusTooManyRequests:
		secs := int64(1)
		if e.RetryAfter > time.Second {
			secs = int64((e.RetryAfter + time.Second - 1) / time.Second)
		}
		h.Set("Retry-After", strconv.FormatInt(secs, 10))
	}
}
