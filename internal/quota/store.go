package quota

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"
)

// Store keeps the counts behind the limits. Every method is one atomic step,
// safe for concurrent use by many processes sharing the store. A step the
// store refuses for the traffic on the caller's items returns an error
// wrapping ErrThrottled.
type Store interface {
	// Take adds n to the counter key unless the counter has already
	// reached limit; then it changes nothing and reports ok false. count
	// is the counter after the step (when refused: at least limit).
	// expires is when the counter may be forgotten.
	Take(ctx context.Context, key string, n, limit int64, expires time.Time) (count int64, ok bool, err error)
	// Add adds delta, which may be negative, to the counter key.
	Add(ctx context.Context, key string, delta int64, expires time.Time) error
	// Acquire holds the slot id in the set key until expires, unless the
	// set already holds limit slots that have not expired by now.
	Acquire(ctx context.Context, key, id string, limit int64, now, expires time.Time) (ok bool, err error)
	// Renew moves the expiry of a held slot. A slot that is gone (it
	// expired and another caller took its place) stays gone.
	Renew(ctx context.Context, key, id string, expires time.Time) error
	// Release frees the slot id. Freeing a slot that is not held is not
	// an error.
	Release(ctx context.Context, key, id string) error
	// AddUsage adds u to the usage record key, kept until expires.
	AddUsage(ctx context.Context, key string, u Usage, expires time.Time) error
	// GetUsage reads the usage record key; a record never written is zero.
	GetUsage(ctx context.Context, key string) (Usage, error)
}

// Sentinel errors of this package.
var (
	// ErrLimited: the caller is over a limit. Refusals are *LimitError.
	ErrLimited = errors.New("rate limited")
	// ErrUnavailable: the store failed and the policy is Deny.
	ErrUnavailable error = unavailable{}
	// ErrThrottled: the store refused a step because the caller's own
	// items get more traffic than it serves. A Store wraps it in the error
	// of such a step. It is never admission, whatever the policy: a caller
	// who could make the store throttle it would otherwise run unlimited.
	ErrThrottled = errors.New("rate limit store throttled the caller")
)

// unavailable is ErrUnavailable: a refusal the client is told as a 503.
type unavailable struct{}

func (unavailable) Error() string          { return "rate limit store unavailable" }
func (unavailable) HTTPStatus() int        { return http.StatusServiceUnavailable }
func (unavailable) RetryIn() time.Duration { return 0 }
func (unavailable) OpenAIError() (typ, code, message string) {
	return "service_unavailable_error", "rate_limiter_unavailable", "the rate limiter is unavailable; retry shortly"
}

// Name names a limit; it is the error code a refused client sees.
type Name string

// The limits a call can be refused for.
const (
	RequestsPerMinute Name = "requests_per_minute_exceeded"
	ConcurrentStreams Name = "concurrent_streams_exceeded"
	TokensPerDay      Name = "tokens_per_day_exceeded"
	USDPerDay         Name = "usd_per_day_exceeded"
	USDPerMonth       Name = "usd_per_month_exceeded"
	// PriceUnknown: a dollar budget applies and the model has no price.
	PriceUnknown Name = "model_price_unknown"
	// Throttled: the store throttled the caller's own counts (ErrThrottled).
	Throttled Name = "requests_throttled"
)

// Window is the state of one windowed limit after a call, as OpenAI's
// x-ratelimit-{limit,remaining,reset}-{requests,tokens} headers report it.
type Window struct {
	Limit     int64
	Remaining int64
	Reset     time.Duration // until the window starts afresh
}

// LimitError refuses a call that is over a limit.
type LimitError struct {
	Limit      Name
	Max        int64 // the caller's limit that was reached
	RetryAfter time.Duration
	// Requests and Tokens are the windows as they stand; nil when that
	// limit is off for the caller.
	Requests, Tokens *Window
	// SpendDay and SpendMonth are the dollar budgets (micro-USD) likewise.
	SpendDay, SpendMonth *Window
	// Err is the store's error behind a Throttled refusal, for the log.
	Err error
}

func (e *LimitError) Error() string {
	if e.Err != nil {
		return "rate limited: " + string(e.Limit) + ": " + e.Err.Error()
	}
	return "rate limited: " + string(e.Limit)
}

// Unwrap makes errors.Is(err, ErrLimited) true, and errors.Is(err,
// ErrThrottled) for a Throttled refusal.
func (e *LimitError) Unwrap() []error { return []error{ErrLimited, e.Err} }

// HTTPStatus is the status a refusal is answered with.
func (e *LimitError) HTTPStatus() int { return http.StatusTooManyRequests }

// OpenAIError is the refusal as an OpenAI error object says it: the type
// is OpenAI's word for the kind of limit, the code names the limit.
func (e *LimitError) OpenAIError() (typ, code, message string) {
	typ = "requests"
	if e.Limit == TokensPerDay {
		typ = "tokens"
	}
	return typ, string(e.Limit), e.Message()
}

// RetryIn is when the limit frees up.
func (e *LimitError) RetryIn() time.Duration { return e.RetryAfter }

// Message is the refusal as a client is told it: which limit, its value,
// and when to try again.
func (e *LimitError) Message() string {
	wait := ((e.RetryAfter + time.Second - 1) / time.Second * time.Second).String()
	switch e.Limit {
	case RequestsPerMinute:
		return fmt.Sprintf("Rate limit reached: this account may send %s per minute. Try again in %s.",
			count(e.Max, "request"), wait)
	case TokensPerDay:
		return fmt.Sprintf("Daily token budget used up: this account may use %s per day. "+
			"It resets at 00:00 UTC, in %s.", count(e.Max, "token"), wait)
	case USDPerDay:
		return fmt.Sprintf("Daily spending budget used up: this account may spend %s per day. "+
			"It resets at 00:00 UTC, in %s.", FormatUSD(e.Max), wait)
	case USDPerMonth:
		return fmt.Sprintf("Monthly spending budget used up: this account may spend %s per month. "+
			"It resets on the 1st at 00:00 UTC, in %s.", FormatUSD(e.Max), wait)
	case PriceUnknown:
		return "This model has no price, and this account has a spending budget: choose a priced model (GET /v1/models)."
	case Throttled:
		return fmt.Sprintf("Too many requests from this account in a short time. Slow down and try again in %s.", wait)
	default:
		return fmt.Sprintf("Too many answers at once: this account may have %s in progress. "+
			"Try again when one has finished.", count(e.Max, "answer"))
	}
}

// count writes n things, in the singular for one.
func count(n int64, thing string) string {
	if n == 1 {
		return "1 " + thing
	}
	return strconv.FormatInt(n, 10) + " " + thing + "s"
}

// windowKey names a counter for one caller and one window.
func windowKey(kind, caller string, start int64) string {
	return kind + "#" + caller + "#" + strconv.FormatInt(start, 10)
}
