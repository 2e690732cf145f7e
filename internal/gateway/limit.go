package gateway

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// admit asks the Limiter, if any, about the call req and sets the
// x-ratelimit-* headers for the answer or the refusal. It returns the
// grant (nil without limits) and the function that settles it, which
// must be called once the answer ends.
func (h *Handler) admit(ctx context.Context, w http.ResponseWriter, req *chat.Request, rec *Record) (Grant, func(), error) {
	if h.cfg.Limiter == nil {
		return nil, func() {}, nil
	}
	c, _ := CallerFrom(ctx)
	var g Grant
	var err error
	if sl, ok := h.cfg.Limiter.(SpendLimiter); ok {
		maxUSD, priced := h.maxSpend(req)
		g, err = sl.AdmitSpend(ctx, c, rec.ID, req.MaxTokens, maxUSD, priced)
	} else {
		g, err = h.cfg.Limiter.Admit(ctx, c, rec.ID, req.MaxTokens)
	}
	var le *RateLimited
	switch {
	case errors.As(err, &le):
		rec.RateLimited = le.Limit
		rec.QuotaStoreError = le.StoreFailed
		setRateHeaders(w.Header(), le.Requests, le.Tokens)
		setSpendHeaders(w.Header(), le.SpendDay, le.SpendMonth)
		return nil, nil, err
	case err != nil:
		rec.QuotaStoreError = true
		return nil, nil, err
	case g == nil:
		return nil, func() {}, nil
	}
	rec.QuotaStoreError = g.StoreFailed()
	requests, tokens := g.Windows()
	setRateHeaders(w.Header(), requests, tokens)
	if sg, ok := g.(SpendGrant); ok {
		day, month := sg.SpendWindows()
		setSpendHeaders(w.Header(), day, month)
	}
	return g, settler(g, req, rec), nil
}

// settler returns the function that settles g with what the answer rec
// records cost.
func settler(g Grant, req *chat.Request, rec *Record) func() {
	if g == nil {
		return func() {}
	}
	return func() {
		u := charge(req, rec)
		rec.ChargedTokens = u.Total()
		if sg, ok := g.(SpendGrant); ok {
			sg.Spent(rec.CostUSD, rec.Pricing == Priced)
		}
		g.Done(u)
	}
}

// charge is what a call cost, however its answer ended: the models' usage
// as far as they got, with at least one completion token per delta that
// reached the client, and the prompt estimated from the request
// (chat.Request.EstimatePromptTokens) when no model reported it. Bedrock
// bills the prompt once the model starts, so an answer cut short still
// costs its prompt.
func charge(req *chat.Request, rec *Record) chat.Usage {
	u := rec.used
	u.CompletionTokens = max(u.CompletionTokens, rec.Deltas)
	if u.PromptTokens == 0 && u.CacheReadTokens == 0 && u.CacheWriteTokens == 0 {
		u.PromptTokens = req.EstimatePromptTokens()
	}
	return u
}

// addUsage sums two usages.
func addUsage(a, b chat.Usage) chat.Usage {
	return chat.Usage{
		PromptTokens:     a.PromptTokens + b.PromptTokens,
		CompletionTokens: a.CompletionTokens + b.CompletionTokens,
		ReasoningTokens:  a.ReasoningTokens + b.ReasoningTokens,
		CacheReadTokens:  a.CacheReadTokens + b.CacheReadTokens,
		CacheWriteTokens: a.CacheWriteTokens + b.CacheWriteTokens,
	}
}

// setRateHeaders writes OpenAI's rate limit headers for the windows that
// apply.
func setRateHeaders(h http.Header, requests, tokens *Window) {
	for _, x := range [...]struct {
		kind string
		w    *Window
	}{{"requests", requests}, {"tokens", tokens}} {
		if x.w == nil {
			continue
		}
		h.Set("X-Ratelimit-Limit-"+x.kind, strconv.FormatInt(x.w.Limit, 10))
		h.Set("X-Ratelimit-Remaining-"+x.kind, strconv.FormatInt(x.w.Remaining, 10))
		h.Set("X-Ratelimit-Reset-"+x.kind, resetText(x.w.Reset))
	}
}

// resetText writes a reset time as OpenAI does ("1s", "6m0s"), rounded
// up to the second so that a client waiting that long finds it reset.
func resetText(d time.Duration) string {
	if d <= 0 {
		return "0s"
	}
	return ((d + time.Second - 1) / time.Second * time.Second).String()
}
