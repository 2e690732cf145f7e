package app

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/price"
	"github.com/chatbot-gateway/chatbot/internal/quota"
)

// The gateway owns the interfaces it calls (gateway.Authenticator, Minter,
// Limiter); these adapters fit internal/auth and internal/quota to them.

// Authenticator adapts the auth guard to the gateway: the caller it
// returns carries the guard's *auth.Identity for the minter and the
// limiter.
func Authenticator(g *auth.Guard) gateway.Authenticator { return guardAuth{g} }

// Minter adapts the auth guard's token minting to the gateway.
func Minter(g *auth.Guard) gateway.Minter { return guardAuth{g} }

// Limiter adapts the quota limiter to the gateway.
func Limiter(l *quota.Limiter) gateway.Limiter { return limiter{l} }

type guardAuth struct{ g *auth.Guard }

func (a guardAuth) Check(r *http.Request, body []byte) (*gateway.Caller, error) {
	id, err := a.g.Check(r, body)
	if err != nil {
		return nil, err
	}
	return callerOf(id), nil
}

func callerOf(id *auth.Identity) *gateway.Caller {
	if id == nil {
		return nil
	}
	if id.Method == auth.MethodNone {
		// No credential check is configured (local mode, loopback
		// only): the one caller is the person at the machine.
		return &gateway.Caller{Key: gateway.LocalCaller, Group: "local", ID: id}
	}
	c := &gateway.Caller{Subject: id.Subject, Groups: id.Groups, Group: groupOf(id), ID: id}
	if key := quota.Caller(id); key != quota.Anonymous {
		c.Key = key
	}
	return c
}

// groupOf names the caller's group for the cost metrics (a CloudWatch
// dimension, so from a set the operator controls): the API key's name,
// the first of a user's Cognito groups, or "users".
func groupOf(id *auth.Identity) string {
	switch {
	case id.KeyName != "":
		return "key:" + id.KeyName
	case len(id.Groups) > 0:
		return "group:" + slices.Min(id.Groups)
	}
	return "users"
}

// identityOf returns the identity the guard verified for c, if any.
func identityOf(c *gateway.Caller) *auth.Identity {
	if c == nil {
		return nil
	}
	id, _ := c.ID.(*auth.Identity)
	return id
}

func (a guardAuth) Mint(c *gateway.Caller, ttl time.Duration) (gateway.Token, error) {
	token, expires, err := a.g.Mint(identityOf(c), ttl)
	return gateway.Token{Value: token, Expires: expires, Scope: auth.TokenScope}, err
}

func (guardAuth) MaxTTL() time.Duration { return auth.MaxTokenTTL }

type limiter struct{ l *quota.Limiter }

func (l limiter) Admit(ctx context.Context, c *gateway.Caller, requestID string, maxTokens int) (gateway.Grant, error) {
	return l.admit(ctx, c, requestID, maxTokens, nil)
}

// AdmitSpend implements gateway.SpendLimiter: the dollar budgets reserve
// maxUSD, and settle to what the gateway priced (grant.Spent).
func (l limiter) AdmitSpend(ctx context.Context, c *gateway.Caller, requestID string, maxTokens int, maxUSD float64, priced bool) (gateway.Grant, error) {
	var cost *quota.Cost
	if priced {
		cost = &quota.Cost{Max: price.Micros(maxUSD)}
	}
	return l.admit(ctx, c, requestID, maxTokens, cost)
}

func (l limiter) admit(ctx context.Context, c *gateway.Caller, requestID string, maxTokens int, cost *quota.Cost) (gateway.Grant, error) {
	g, err := l.l.AdmitCost(ctx, identityOf(c), requestID, maxTokens, cost)
	var le *quota.LimitError
	switch {
	case errors.As(err, &le):
		return nil, &gateway.RateLimited{Limit: string(le.Limit), Requests: window(le.Requests), Tokens: window(le.Tokens),
			SpendDay: window(le.SpendDay), SpendMonth: window(le.SpendMonth),
			StoreFailed: errors.Is(err, quota.ErrThrottled), Err: err}
	case err != nil:
		return nil, err
	case g == nil: // no limits: a nil *quota.Grant in the interface would not be nil
		return nil, nil
	}
	return grant{g}, nil
}

type grant struct{ g *quota.Grant }

func (g grant) Windows() (requests, tokens *gateway.Window) {
	return window(g.g.Requests), window(g.g.Tokens)
}
func (g grant) StoreFailed() bool { return g.g.StoreErr != nil }
func (g grant) SpendWindows() (day, month *gateway.Window) {
	return window(g.g.SpendDay), window(g.g.SpendMonth)
}
func (g grant) Spent(usd float64, priced bool) { g.g.Spent(price.Micros(usd), priced) }
func (g grant) Done(u chat.Usage)              { g.g.Done(u) }
func (g grant) Ticket() ([]byte, error)        { return g.g.Ticket() }
func (g grant) HandOver()                      { g.g.HandOver() }

// Reopen implements gateway.Reopener: a background answer's grant,
// handed over by the invocation that admitted it.
func (l limiter) Reopen(ctx context.Context, ticket []byte) (gateway.Grant, error) {
	g, err := l.l.Reopen(ctx, ticket)
	if err != nil {
		return nil, err
	}
	return grant{g}, nil
}

var (
	_ gateway.Handover = grant{}
	_ gateway.Reopener = limiter{}
)

func window(w *quota.Window) *gateway.Window {
	if w == nil {
		return nil
	}
	return &gateway.Window{Limit: w.Limit, Remaining: w.Remaining, Reset: w.Reset}
}

// usageReporter answers GET /v1/usage from the quota limiter; without one
// (no limits and no table) usage is not recorded and no limit applies.
type usageReporter struct{ l *quota.Limiter }

func (u usageReporter) Usage(ctx context.Context, c *gateway.Caller) (gateway.UsageReport, error) {
	if u.l == nil {
		now := time.Now().UTC()
		day := now.Truncate(24 * time.Hour)
		month := time.Date(now.Year(), now.Month(), 1, 0, 0, 0, 0, time.UTC)
		return gateway.UsageReport{
			Day:   gateway.UsagePeriod{Start: day, End: day.Add(24 * time.Hour)},
			Month: gateway.UsagePeriod{Start: month, End: month.AddDate(0, 1, 0)},
		}, nil
	}
	r, err := u.l.Usage(ctx, identityOf(c))
	tracked := !errors.Is(err, quota.ErrNotTracked)
	if !tracked {
		err = nil
	}
	lim := r.Limits
	return gateway.UsageReport{
		Tracked: tracked,
		Day:     period(r.Day, r.DayEnd.Add(-24*time.Hour), r.DayEnd),
		Month:   period(r.Month, r.MonthEnd.AddDate(0, -1, 0), r.MonthEnd),
		Limits: gateway.UsageLimits{RequestsPerMinute: lim.RequestsPerMinute, ConcurrentStreams: lim.ConcurrentStreams,
			TokensPerDay: lim.TokensPerDay, USDPerDay: float64(lim.MicroUSDPerDay) / 1e6, USDPerMonth: float64(lim.MicroUSDPerMonth) / 1e6},
	}, err
}

func period(u quota.Usage, start, end time.Time) gateway.UsagePeriod {
	return gateway.UsagePeriod{Start: start, End: end, Input: u.Input, Output: u.Output, CacheRead: u.CacheRead,
		CacheWrite: u.CacheWrite, Requests: u.Requests, UnpricedRequests: u.Unpriced, CostUSD: float64(u.MicroUSD) / 1e6}
}
