package auth

import (
	"errors"
	"net/http"
	"strconv"
	"time"
)

// Kinds of failure. Check and Mint return an *Error whose Kind is one of these;
// errors.Is(err, ErrUnauthenticated) and friends work on it.
var (
	// ErrUnauthenticated means the credential is missing or invalid (HTTP 401).
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrForbidden means the caller is known or the request was refused for
	// where it comes from: origin secret, CIDR, group, minting (HTTP 403).
	ErrForbidden = errors.New("forbidden")
	// ErrBadPayloadHash means x-amz-content-sha256 is missing, malformed or
	// does not match the body (HTTP 400).
	ErrBadPayloadHash = errors.New("bad payload hash")
	// ErrKeysUnavailable means no signing keys could be loaded from the
	// issuer, so no JWT can be checked right now (HTTP 503 with Retry-After).
	ErrKeysUnavailable = errors.New("signing keys unavailable")
	// ErrInvalidTTL means a token lifetime outside (0, MaxTokenTTL] was asked
	// for (HTTP 400).
	ErrInvalidTTL = errors.New("invalid token lifetime")
)

// Codes name the check that failed. They are safe to show to a client.
const (
	CodeMissingToken         = "missing_token"
	CodeMalformedAuth        = "malformed_authorization"
	CodeTokenTooLarge        = "token_too_large"
	CodeMalformedToken       = "malformed_token"
	CodeUnsupportedHeader    = "unsupported_header"
	CodeMissingKID           = "missing_kid"
	CodeAlgNotAllowed        = "alg_not_allowed"
	CodeUnknownKID           = "unknown_kid"
	CodeKeyAlgMismatch       = "key_alg_mismatch"
	CodeKeyUseMismatch       = "key_use_mismatch"
	CodeBadSignature         = "bad_signature"
	CodeMissingExp           = "missing_exp"
	CodeTokenExpired         = "token_expired"
	CodeTokenNotYetValid     = "token_not_yet_valid"
	CodeInvalidClaim         = "invalid_claim"
	CodeMissingSubject       = "missing_sub" // a JWT that names no caller
	CodeWrongIssuer          = "wrong_issuer"
	CodeWrongTokenUse        = "wrong_token_use"
	CodeWrongClient          = "wrong_client"
	CodeGroupNotAllowed      = "group_not_allowed"
	CodeKeysUnavailable      = "keys_unavailable"
	CodePayloadHashMissing   = "payload_hash_missing"
	CodePayloadUnsigned      = "payload_unsigned"
	CodePayloadHashMalformed = "payload_hash_malformed"
	CodePayloadHashMismatch  = "payload_hash_mismatch"
	CodeOriginNotVerified    = "origin_not_verified"
	CodeCIDRDenied           = "cidr_denied"
	CodeViewerAddressUnknown = "viewer_address_unknown"
	CodeInvalidAPIKey        = "invalid_api_key"
	CodeKeyRevoked           = "key_revoked" // a minted token whose API key is gone or replaced
	CodeAPIKeysDisabled      = "api_keys_disabled"
	CodeJWTDisabled          = "jwt_disabled"
	CodeWrongScope           = "wrong_scope"
	CodeMintNotAllowed       = "mint_not_allowed"
	CodeTokensDisabled       = "tokens_disabled"
	CodeInvalidTTL           = "invalid_ttl"
)

// Error is a refused request. Kind says how to answer (see the Err
// variables), Code which check failed. Err holds internal detail for logs; it
// is never meant for the client and never contains the credential itself.
type Error struct {
	Kind error
	Code string
	// RetryAfter is set with ErrKeysUnavailable: when a retry may succeed.
	RetryAfter time.Duration
	// Err is the underlying cause, if any, for logs only.
	Err error
}

// Error returns kind, code and cause for logs. Send Code, not this, to clients.
func (e *Error) Error() string {
	s := e.Kind.Error() + " (" + e.Code + ")"
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	return s
}

// Unwrap returns the Kind so errors.Is(err, ErrUnauthenticated) works.
func (e *Error) Unwrap() error { return e.Kind }

func unauthenticated(code string, cause error) *Error {
	return &Error{Kind: ErrUnauthenticated, Code: code, Err: cause}
}

func forbidden(code string) *Error {
	return &Error{Kind: ErrForbidden, Code: code}
}

func badHash(code string) *Error {
	return &Error{Kind: ErrBadPayloadHash, Code: code}
}

// HTTPStatus is the status a refusal is answered with.
func (e *Error) HTTPStatus() int {
	switch e.Kind {
	case ErrUnauthenticated:
		return http.StatusUnauthorized
	case ErrForbidden:
		return http.StatusForbidden
	case ErrKeysUnavailable:
		return http.StatusServiceUnavailable
	}
	return http.StatusBadRequest // ErrBadPayloadHash, ErrInvalidTTL
}

// OpenAIError is the refusal as an OpenAI error object says it: its type,
// its code (the check that failed) and a message that tells nothing of the
// credential.
func (e *Error) OpenAIError() (typ, code, message string) {
	switch e.Kind {
	case ErrUnauthenticated:
		return "authentication_error", orDefault(e.Code, "invalid_token"), "missing or invalid credentials"
	case ErrForbidden:
		return "permission_error", orDefault(e.Code, "forbidden"), "this request is not allowed"
	case ErrKeysUnavailable:
		return "service_unavailable_error", CodeKeysUnavailable, "token verification keys are unavailable; retry shortly"
	case ErrInvalidTTL:
		return "invalid_request_error", orDefault(e.Code, "invalid_value"), "ttl_seconds must be from 1 to " + strconv.Itoa(int(MaxTokenTTL/time.Second))
	}
	return "invalid_request_error", orDefault(e.Code, "payload_hash_mismatch"), "x-amz-content-sha256 must be the lowercase hex SHA-256 of the request body"
}

// RetryIn is when a retry may succeed (ErrKeysUnavailable); 0 otherwise.
func (e *Error) RetryIn() time.Duration { return e.RetryAfter }

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
