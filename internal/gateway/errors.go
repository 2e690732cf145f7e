package gateway

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/quota"
)

// apiError is an error as the OpenAI API reports it, with its HTTP status.
type apiError struct {
	Status     int           `json:"-"`
	RetryAfter time.Duration `json:"-"`
	Message    string        `json:"message"`
	Type       string        `json:"type"`
	Param      *string       `json:"param"`
	Code       string        `json:"code"`
}

func (e *apiError) Error() string { return e.Message }

// OpenAI's error types.
const (
	typeInvalidRequest = "invalid_request_error"
	typeAuthentication = "authentication_error"
	typePermission     = "permission_error"
	typeNotFound       = "not_found_error"
	typeServer         = "server_error"
	typeUnavailable    = "service_unavailable_error"
	typeTimeout        = "timeout_error"
	typeRequests       = "requests" // a request rate limit (OpenAI's word)
	typeTokens         = "tokens"   // a token rate limit
)

// Sentinel errors of the gateway itself.
var (
	errShuttingDown = errors.New("server shutting down")
	errPanic        = errors.New("handler panicked")
)

func invalid(param, code, msg string) *apiError {
	e := &apiError{Status: http.StatusBadRequest, Type: typeInvalidRequest, Code: code, Message: msg}
	if param != "" {
		e.Param = &param
	}
	return e
}

// toAPIError maps any error to what the client is told: the one place where
// errors become statuses. Unknown errors become a generic 500 whose text
// says nothing of the cause; the cause goes to the log.
func toAPIError(err error) *apiError {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae
	}
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &apiError{Status: http.StatusRequestEntityTooLarge, Type: typeInvalidRequest, Code: "body_too_large",
			Message: "request body is larger than " + strconv.FormatInt(mbe.Limit, 10) + " bytes"}
	}
	var authErr *auth.Error
	code := ""
	if errors.As(err, &authErr) {
		code = authErr.Code
	}
	var pub *chat.PublicError
	var limited *quota.LimitError
	switch {
	case errors.As(err, &limited):
		e := &apiError{Status: http.StatusTooManyRequests, Type: typeRequests, Code: string(limited.Limit),
			Message: limited.Message(), RetryAfter: limited.RetryAfter}
		if limited.Limit == quota.TokensPerDay {
			e.Type = typeTokens
		}
		return e
	case errors.Is(err, quota.ErrUnavailable):
		return &apiError{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Code: "rate_limiter_unavailable",
			Message: "the rate limiter is unavailable; retry shortly"}
	case errors.Is(err, auth.ErrUnauthenticated):
		return &apiError{Status: http.StatusUnauthorized, Type: typeAuthentication, Code: orDefault(code, "invalid_token"),
			Message: "missing or invalid credentials"}
	case errors.Is(err, auth.ErrForbidden):
		return &apiError{Status: http.StatusForbidden, Type: typePermission, Code: orDefault(code, "forbidden"),
			Message: "this request is not allowed"}
	case errors.Is(err, auth.ErrBadPayloadHash):
		return &apiError{Status: http.StatusBadRequest, Type: typeInvalidRequest, Code: orDefault(code, "payload_hash_mismatch"),
			Message: "x-amz-content-sha256 must be the lowercase hex SHA-256 of the request body"}
	case errors.Is(err, auth.ErrKeysUnavailable):
		e := &apiError{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Code: "keys_unavailable",
			Message: "token verification keys are unavailable; retry shortly"}
		if authErr != nil {
			e.RetryAfter = authErr.RetryAfter
		}
		return e
	case errors.Is(err, auth.ErrInvalidTTL):
		return invalid("ttl_seconds", orDefault(code, "invalid_value"), "ttl_seconds must be from 1 to 3600")
	case errors.As(err, &pub) && errors.Is(err, chat.ErrInvalidRequest):
		e := &apiError{Status: http.StatusBadRequest, Type: typeInvalidRequest, Code: orDefault(pub.Code, "invalid_request"), Message: pub.Message}
		if pub.Param != "" {
			e.Param = &pub.Param
		}
		return e
	case errors.Is(err, chat.ErrDeadline):
		return &apiError{Status: http.StatusServiceUnavailable, Type: typeTimeout, Code: "deadline_exceeded",
			Message: "the answer was stopped because the time limit was reached"}
	case errors.Is(err, errShuttingDown):
		return &apiError{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Code: "shutting_down",
			Message: "the server is shutting down; retry"}
	case errors.Is(err, chat.ErrUpstreamTimeout):
		return &apiError{Status: http.StatusGatewayTimeout, Type: typeTimeout, Code: "upstream_timeout",
			Message: "the model's service stopped sending before the answer was complete"}
	case errors.Is(err, chat.ErrUpstream):
		return &apiError{Status: http.StatusBadGateway, Type: typeServer, Code: "upstream_error",
			Message: "the model's service failed"}
	case errors.Is(err, chat.ErrModelConfig):
		return &apiError{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Code: "model_unavailable",
			Message: "the model cannot be used as this deployment configures it (retired, not found or not allowed); retrying will not help until the operator changes it"}
	case errors.Is(err, chat.ErrUnavailable), errors.Is(err, context.DeadlineExceeded):
		return &apiError{Status: http.StatusServiceUnavailable, Type: typeUnavailable, Code: "model_unavailable",
			Message: "the model is unavailable; retry shortly"}
	}
	return &apiError{Status: http.StatusInternalServerError, Type: typeServer, Code: "internal_error",
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
func setErrorHeaders(h http.Header, e *apiError) {
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
