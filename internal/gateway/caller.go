package gateway

import (
	"context"
	"net/http"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// The gateway's view of the services around it: who called, whether they
// may, and the errors those services refuse with. internal/app adapts
// internal/auth and internal/quota to these interfaces; the gateway imports
// neither.

// Caller is who made a request, as the Authenticator verified it.
type Caller struct {
	Subject string // the verified subject, never a credential
	// Key names the caller the same way on every instance, namespaced by
	// how they signed in ("jwt:<issuer>#<sub>", "key:<name>"): what the
	// gateway keeps for a caller is filed under it.
	Key    string
	Groups []string
	// Group names the caller's group for the cost metrics, from a small
	// set the operator configures (a key's name, a Cognito group).
	Group string
	// ID is the Authenticator's own record of the caller, handed as it
	// came to the Minter and the Limiter. The gateway never reads it.
	ID any
}

type callerKey struct{}

// CallerFrom returns the caller of the request whose context ctx is, if it
// was authenticated.
func CallerFrom(ctx context.Context) (*Caller, bool) {
	c, ok := ctx.Value(callerKey{}).(*Caller)
	return c, ok
}

// Authenticator checks a request's credentials and integrity. It sees the
// raw body so it can check the payload hash before the body is decoded.
// A refusal should be a PublicError.
type Authenticator interface {
	Check(r *http.Request, body []byte) (*Caller, error)
}

// Minter issues short-lived browser tokens for a caller holding an API key
// (POST /v1/tokens).
type Minter interface {
	// Mint issues a token for c lasting ttl; 0 asks for the default.
	Mint(c *Caller, ttl time.Duration) (Token, error)
	// MaxTTL is the longest lifetime Mint grants.
	MaxTTL() time.Duration
}

// Token is a minted token as POST /v1/tokens returns it.
type Token struct {
	Value   string
	Expires time.Time
	Scope   string // what it allows
}

// Limiter is asked before every model call whether the caller may make it
// (rate limits and token budgets). A nil Grant means the caller has no
// limits. A refusal of a caller over a limit is a *RateLimited; any other
// error means the limits could not be checked.
type Limiter interface {
	Admit(ctx context.Context, c *Caller, requestID string, maxTokens int) (Grant, error)
}

// Grant is an admitted call.
type Grant interface {
	// Windows are the caller's limits after this call, nil where one
	// does not apply: they go out as x-ratelimit-* headers.
	Windows() (requests, tokens *Window)
	// StoreFailed reports that the limits could not be checked and the
	// call was admitted anyway.
	StoreFailed() bool
	// Done settles the call with the tokens it used, once it has ended.
	Done(u chat.Usage)
}

// Window is the state of one windowed limit, as OpenAI's
// x-ratelimit-{limit,remaining,reset}-{requests,tokens} headers report it.
type Window struct {
	Limit     int64
	Remaining int64
	Reset     time.Duration // until the window starts afresh
}

// PublicError is an error that says how a client is told it: the errors of
// internal/auth and internal/quota implement it, so that errors become
// statuses in one place (toAPIError) without the gateway knowing them.
type PublicError interface {
	error
	// HTTPStatus is the status to answer with.
	HTTPStatus() int
	// OpenAIError is the error object's type, code and message.
	OpenAIError() (typ, code, message string)
	// RetryIn is when a retry may succeed; 0: no hint.
	RetryIn() time.Duration
}

// RateLimited is a Limiter's refusal of a caller over a limit: Err says
// how the client is told it (a PublicError); the windows go out as
// x-ratelimit-* headers.
type RateLimited struct {
	Limit            string // the limit that refused, for the record
	Requests, Tokens *Window
	// SpendDay and SpendMonth are the dollar budgets, in millionths of a
	// dollar, where they apply.
	SpendDay, SpendMonth *Window
	// StoreFailed reports a refusal because the limits' store failed for
	// this caller (it throttled them), not a count over a limit.
	StoreFailed bool
	Err         error
}

func (e *RateLimited) Error() string { return e.Err.Error() }
func (e *RateLimited) Unwrap() error { return e.Err }
