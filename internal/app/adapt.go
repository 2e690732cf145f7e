package app

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
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
		return &gateway.Caller{Key: gateway.LocalCaller, ID: id}
	}
	c := &gateway.Caller{Subject: id.Subject, Groups: id.Groups, ID: id}
	if key := quota.Caller(id); key != quota.Anonymous {
		c.Key = key
	}
	return c
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
	g, err := l.l.Admit(ctx, identityOf(c), requestID, maxTokens)
	var le *quota.LimitError
	switch {
	case errors.As(err, &le):
		return nil, &gateway.RateLimited{Limit: string(le.Limit), Requests: window(le.Requests), Tokens: window(le.Tokens),
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
func (g grant) Done(u chat.Usage) { g.g.Done(u) }

func window(w *quota.Window) *gateway.Window {
	if w == nil {
		return nil
	}
	return &gateway.Window{Limit: w.Limit, Remaining: w.Remaining, Reset: w.Reset}
}
