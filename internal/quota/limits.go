package quota

import (
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
)

// Defaults for Config's zero values.
const (
	DefaultStoreTimeout = 150 * time.Millisecond
	DefaultSlotTTL      = time.Minute
)

// Limits are one caller's limits. Zero means no limit.
type Limits struct {
	RequestsPerMinute int64
	ConcurrentStreams int64
	TokensPerDay      int64
	// MicroUSDPerDay and MicroUSDPerMonth are dollar budgets, in
	// millionths of a dollar, per UTC day and calendar month.
	MicroUSDPerDay   int64
	MicroUSDPerMonth int64
}

// Any reports whether any limit is set.
func (l Limits) Any() bool {
	return l.RequestsPerMinute > 0 || l.ConcurrentStreams > 0 || l.TokensPerDay > 0 || l.spends()
}

// Policy is what happens to a call when the store cannot answer.
type Policy string

// The policies for store failures (QUOTA_ON_STORE_ERROR).
const (
	Allow Policy = "allow" // admit the call, log and count the failure
	Deny  Policy = "deny"  // refuse the call with ErrUnavailable
)

// Config configures a Limiter. Zero values mean the documented defaults.
type Config struct {
	// Default applies to every caller without an override.
	Default Limits
	// Groups override Default for members of a Cognito group. A caller in
	// several listed groups gets, limit by limit, the most generous.
	Groups map[string]Limits
	// Keys override Default for an API key (and the tokens it mints),
	// by the key's name.
	Keys map[string]Limits

	// AllowUnpriced lets a caller with a dollar budget use a model the
	// price table does not price; its answers then spend nothing from the
	// budget. Off, such a call is refused (PriceUnknown).
	AllowUnpriced bool
	// TrackUsage records each caller's tokens and spend per day and month
	// for Limiter.Usage (GET /v1/usage): two more store writes per answer.
	TrackUsage bool

	OnStoreError Policy        // default Allow
	StoreTimeout time.Duration // bound on the store's time per call; default 150ms
	// SlotTTL is how long a concurrent-stream slot lives without renewal:
	// the slot of an instance that died frees itself after at most this
	// long. It is renewed every third of it while the answer runs.
	// Default 1m.
	SlotTTL time.Duration

	Logger *slog.Logger     // default slog.Default()
	Now    func() time.Time // default time.Now
}

// Enabled reports whether any caller has any limit.
func (c Config) Enabled() bool {
	if c.Default.Any() {
		return true
	}
	for _, m := range []map[string]Limits{c.Groups, c.Keys} {
		for _, l := range m {
			if l.Any() {
				return true
			}
		}
	}
	return false
}

// For returns the caller's key in the store and its limits (see Caller).
// A key's overrides apply to the key and the tokens it minted only; groups
// come from a JWT's cognito:groups.
func (c Config) For(id *auth.Identity) (caller string, l Limits) {
	caller = Caller(id)
	if caller == Anonymous {
		return caller, c.Default
	}
	if byKey(id) {
		if kl, ok := c.Keys[id.KeyName]; ok {
			return caller, kl
		}
		return caller, c.Default
	}
	found := false
	for _, g := range id.Groups {
		gl, ok := c.Groups[g]
		if !ok {
			continue
		}
		if !found {
			l, found = gl, true
			continue
		}
		l = Limits{
			RequestsPerMinute: generous(l.RequestsPerMinute, gl.RequestsPerMinute),
			ConcurrentStreams: generous(l.ConcurrentStreams, gl.ConcurrentStreams),
			TokensPerDay:      generous(l.TokensPerDay, gl.TokensPerDay),
			MicroUSDPerDay:    generous(l.MicroUSDPerDay, gl.MicroUSDPerDay),
			MicroUSDPerMonth:  generous(l.MicroUSDPerMonth, gl.MicroUSDPerMonth),
		}
	}
	if !found {
		l = c.Default
	}
	return caller, l
}

// Anonymous is the caller of every request without an identity.
const Anonymous = "anonymous"

// Caller names the caller whose counts id spends, in a namespace per way
// of signing in, so that no credential of one kind can spend another's
// budget: "key:<name>" for an API key and the tokens minted with it,
// "jwt:<iss>#<sub>" for a JWT (a sub is unique only within its issuer, and
// a JWT whose sub reads "apikey:<name>" is not that key). Requests without
// an identity (auth off, local mode only), and any identity that names no
// caller, are "anonymous": the auth guard refuses a JWT without a sub.
func Caller(id *auth.Identity) string {
	switch {
	case id == nil:
		return Anonymous
	case byKey(id):
		return "key:" + id.KeyName
	case id.Method == auth.MethodJWT && id.Subject != "":
		return "jwt:" + id.Issuer + "#" + id.Subject
	}
	return Anonymous
}

// byKey reports whether id is an API key or a token one minted.
func byKey(id *auth.Identity) bool {
	return (id.Method == auth.MethodAPIKey || id.Method == auth.MethodToken) && id.KeyName != ""
}

// generous returns the larger limit, where 0 (none) is the largest.
func generous(a, b int64) int64 {
	if a == 0 || b == 0 {
		return 0
	}
	return max(a, b)
}

// ParseOverrides reads RATE_LIMIT_OVERRIDES items, each
//
//	group:<name> <limit>=<n> [<limit>=<n> ...]
//	key:<name> <limit>=<n> [<limit>=<n> ...]
//
// where <limit> is rpm, concurrent or tokens_per_day and <n> a whole
// number, or usd_per_day or usd_per_month and <n> dollars ("1.50"); 0: no
// limit. A limit an item does not name is def's.
func ParseOverrides(items []string, def Limits) (groups, keys map[string]Limits, err error) {
	groups, keys = map[string]Limits{}, map[string]Limits{}
	var errs []error
	for _, item := range items {
		fields := strings.Fields(item)
		if len(fields) == 0 {
			continue
		}
		kind, name, ok := strings.Cut(fields[0], ":")
		var into map[string]Limits
		switch {
		case !ok || name == "":
			errs = append(errs, fmt.Errorf("%q: want group:<name> or key:<name> first", fields[0]))
			continue
		case kind == "group":
			into = groups
		case kind == "key":
			into = keys
		default:
			errs = append(errs, fmt.Errorf("%q: want group:<name> or key:<name> first", fields[0]))
			continue
		}
		if _, dup := into[name]; dup {
			errs = append(errs, fmt.Errorf("%s appears twice", fields[0]))
			continue
		}
		if len(fields) == 1 {
			errs = append(errs, fmt.Errorf("%s: no limits given (want rpm=, concurrent=, tokens_per_day=, usd_per_day= or usd_per_month=)", fields[0]))
			continue
		}
		l, err := parseLimits(fields[1:], def)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", fields[0], err))
			continue
		}
		into[name] = l
	}
	return groups, keys, errors.Join(errs...)
}

func parseLimits(fields []string, l Limits) (Limits, error) {
	seen := map[string]bool{}
	for _, f := range fields {
		k, v, ok := strings.Cut(f, "=")
		if ok && (k == "usd_per_day" || k == "usd_per_month") {
			if seen[k] {
				return l, fmt.Errorf("%s given twice", k)
			}
			seen[k] = true
			n, err := ParseUSD(v)
			if err != nil {
				return l, fmt.Errorf("%s: %w", k, err)
			}
			if k == "usd_per_day" {
				l.MicroUSDPerDay = n
			} else {
				l.MicroUSDPerMonth = n
			}
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if !ok || err != nil || n < 0 || n > MaxLimit {
			return l, fmt.Errorf("%q: want <limit>=<whole number from 0 to %d>", f, MaxLimit)
		}
		if seen[k] {
			return l, fmt.Errorf("%s given twice", k)
		}
		seen[k] = true
		switch k {
		case "rpm":
			l.RequestsPerMinute = n
		case "concurrent":
			if n > MaxConcurrent {
				return l, fmt.Errorf("concurrent=%d: at most %d", n, MaxConcurrent)
			}
			l.ConcurrentStreams = n
		case "tokens_per_day":
			l.TokensPerDay = n
		default:
			return l, fmt.Errorf("%q: unknown limit (want rpm, concurrent, tokens_per_day, usd_per_day or usd_per_month)", k)
		}
	}
	return l, nil
}

// Upper bounds of the limits. MaxConcurrent keeps a caller's slots in one
// small DynamoDB item.
const (
	MaxLimit      = 1 << 40
	MaxConcurrent = 1000
)
