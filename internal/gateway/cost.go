package gateway

import (
	"context"
	"net/http"
	"strconv"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/price"
)

// Pricer finds what a model's tokens cost (a price.Table lookup for the
// gateway's Region); ok false when nothing prices it.
type Pricer func(model string) (p price.Price, ok bool)

// SpendLimiter is a Limiter that also keeps dollar budgets: it is told
// the most the answer can cost (priced false: the model has no price).
// The gateway asks it instead of Admit when the Limiter has it.
type SpendLimiter interface {
	AdmitSpend(ctx context.Context, c *Caller, requestID string, maxTokens int, maxUSD float64, priced bool) (Grant, error)
}

// SpendGrant is a Grant of a SpendLimiter: its dollar windows go out as
// headers, and it settles to what the answer cost.
type SpendGrant interface {
	// SpendWindows are the dollar budgets after this call, in millionths
	// of a dollar; nil where one does not apply.
	SpendWindows() (day, month *Window)
	// Spent tells what the answer cost, before Done.
	Spent(usd float64, priced bool)
}

// price adds what model id cost for usage u to the record: each model
// that ran is priced at its own rate (a fallback's usage at the
// fallback's). An unpriced model makes the whole cost unknown.
func (h *Handler) price(rec *Record, id string, u chat.Usage) (usd float64, priced bool) {
	if h.cfg.Price != nil {
		if p, ok := h.cfg.Price(id); ok {
			usd, priced = p.Cost(u)
		}
	}
	switch {
	case !priced:
		rec.Pricing = Unpriced
		return 0, false
	case rec.Pricing == "":
		rec.Pricing = Priced
	}
	rec.CostUSD += usd
	return usd, true
}

// Pricing says whether a record's cost is known.
type Pricing string

// The states of Record.Pricing besides "" (no model ran).
const (
	// Priced: every model that ran had a price for every kind of token
	// it used.
	Priced Pricing = "priced"
	// Unpriced: some model that ran had no price (the log says
	// "unknown"; never $0).
	Unpriced Pricing = "unknown"
)

// maxSpend is the most the request's answer can cost with the model it
// asks for; priced false when the model has no price.
func (h *Handler) maxSpend(req *chat.Request) (usd float64, priced bool) {
	if h.cfg.Price == nil {
		return 0, false
	}
	p, ok := h.cfg.Price(req.Model)
	if !ok {
		return 0, false
	}
	return p.MaxCost(req.EstimatePromptTokens(), req.MaxTokens), true
}

// setSpendHeaders writes the dollar budgets as x-ratelimit-*-usd-day and
// -usd-month headers, in dollars.
func setSpendHeaders(h http.Header, day, month *Window) {
	for _, x := range [...]struct {
		kind string
		w    *Window
	}{{"usd-day", day}, {"usd-month", month}} {
		if x.w == nil {
			continue
		}
		h.Set("X-Ratelimit-Limit-"+x.kind, dollars(x.w.Limit))
		h.Set("X-Ratelimit-Remaining-"+x.kind, dollars(x.w.Remaining))
		h.Set("X-Ratelimit-Reset-"+x.kind, resetText(x.w.Reset))
	}
}

func dollars(micros int64) string { return strconv.FormatFloat(float64(micros)/1e6, 'f', -1, 64) }
