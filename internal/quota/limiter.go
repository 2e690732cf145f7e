package quota

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// keepFor is how long a counter outlives its window in the store, so
// instances whose clocks differ a little still find it.
const keepFor = time.Hour

// Limiter admits or refuses model calls under Config's limits.
type Limiter struct {
	cfg   Config
	store Store
	log   *slog.Logger
}

// New returns a Limiter counting in store.
func New(cfg Config, store Store) *Limiter {
	if cfg.OnStoreError == "" {
		cfg.OnStoreError = Allow
	}
	if cfg.StoreTimeout <= 0 {
		cfg.StoreTimeout = DefaultStoreTimeout
	}
	if cfg.SlotTTL <= 0 {
		cfg.SlotTTL = DefaultSlotTTL
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Limiter{cfg: cfg, store: store, log: cfg.Logger}
}

// Grant is an admitted call. Its windows go out as headers with the
// answer; Done settles it. A nil *Grant (a caller without limits) is valid.
type Grant struct {
	// Requests and Tokens are the caller's windows after this call; nil
	// when that limit is off or the store could not tell.
	Requests, Tokens *Window
	// SpendDay and SpendMonth are the caller's dollar budgets after this
	// call, in millionths of a dollar; nil when off.
	SpendDay, SpendMonth *Window
	// StoreErr is why the store failed when the call was admitted anyway
	// (policy Allow); nil normally.
	StoreErr error

	caller               string
	told                 bool // Spent was called: spent and priced hold the cost
	spent                int64
	priced               bool
	cost                 *Cost
	day, month           int64
	usdDayOK, usdMonthOK bool // the dollar budgets hold a reservation to settle

	l         *Limiter
	requestID string
	tokKey    string
	tokExp    time.Time
	reserved  int64
	slotKey   string
	slot      string
	renewal   *renewal // of the slot; nil without one
	once      sync.Once
}

// step is the outcome of one limit's store call.
type step struct {
	on    bool
	ok    bool
	count int64
	err   error
}

// Admit takes the caller's limits for one call that may use up to
// maxTokens completion tokens. It refuses with a *LimitError when the
// caller is over a limit, and with ErrUnavailable when the store fails and
// the policy is Deny. The store gets at most Config.StoreTimeout. A slot
// taken for the call is renewed until Done, or until ctx ends.
func (l *Limiter) Admit(ctx context.Context, id *auth.Identity, requestID string, maxTokens int) (*Grant, error) {
	return l.AdmitCost(ctx, id, requestID, maxTokens, nil)
}

// AdmitCost is Admit for a call whose price is known (cost non-nil): the
// dollar budgets reserve cost.Max and settle to what the answer cost. A
// call without a price is refused by a dollar budget (PriceUnknown)
// unless Config.AllowUnpriced.
func (l *Limiter) AdmitCost(ctx context.Context, id *auth.Identity, requestID string, maxTokens int, cost *Cost) (*Grant, error) {
	caller, lim := l.cfg.For(id)
	if !lim.Any() && !l.cfg.TrackUsage {
		return nil, nil
	}
	now := l.cfg.Now()
	minute, day := now.Unix()/60, now.Unix()/86400
	minuteEnd, dayEnd := time.Unix((minute+1)*60, 0), time.Unix((day+1)*86400, 0)
	g := &Grant{l: l, requestID: requestID, caller: caller, cost: cost, day: day, month: monthOf(now)}
	if lim.spends() && !cost.known() {
		if !l.cfg.AllowUnpriced {
			return nil, &LimitError{Limit: PriceUnknown, RetryAfter: dayEnd.Sub(now)}
		}
		lim.MicroUSDPerDay, lim.MicroUSDPerMonth = 0, 0
	}

	sctx, cancel := context.WithTimeout(ctx, l.cfg.StoreTimeout)
	defer cancel()
	var rpm, tok, con step
	var wg sync.WaitGroup
	if lim.RequestsPerMinute > 0 {
		rpm.on = true
		wg.Go(func() {
			rpm.count, rpm.ok, rpm.err = l.store.Take(sctx, windowKey("rpm", caller, minute), 1, lim.RequestsPerMinute, minuteEnd.Add(keepFor))
		})
	}
	if lim.TokensPerDay > 0 {
		tok.on = true
		g.tokKey, g.tokExp, g.reserved = windowKey("tok", caller, day), dayEnd.Add(keepFor), int64(maxTokens)
		wg.Go(func() {
			tok.count, tok.ok, tok.err = l.store.Take(sctx, g.tokKey, g.reserved, lim.TokensPerDay, g.tokExp)
		})
	}
	usdDay, usdMonth := l.takeSpend(sctx, &wg, g, lim)
	if lim.ConcurrentStreams > 0 {
		con.on = true
		g.slotKey, g.slot = "con#"+caller, rand.Text()
		wg.Go(func() {
			con.ok, con.err = l.store.Acquire(sctx, g.slotKey, g.slot, lim.ConcurrentStreams, now, now.Add(l.cfg.SlotTTL))
		})
	}
	wg.Wait()

	if rpm.on && rpm.err == nil {
		g.Requests = &Window{Limit: lim.RequestsPerMinute, Remaining: max(0, lim.RequestsPerMinute-rpm.count), Reset: minuteEnd.Sub(now)}
	}
	if tok.on && tok.err == nil {
		g.Tokens = &Window{Limit: lim.TokensPerDay, Remaining: max(0, lim.TokensPerDay-tok.count), Reset: dayEnd.Sub(now)}
	}
	l.spendWindows(g, lim, usdDay, usdMonth, now)
	var refused *LimitError
	switch {
	case rpm.on && rpm.err == nil && !rpm.ok:
		refused = &LimitError{Limit: RequestsPerMinute, Max: lim.RequestsPerMinute, RetryAfter: minuteEnd.Sub(now)}
	case tok.on && tok.err == nil && !tok.ok:
		refused = &LimitError{Limit: TokensPerDay, Max: lim.TokensPerDay, RetryAfter: dayEnd.Sub(now)}
	case usdDay.on && usdDay.err == nil && !usdDay.ok:
		refused = &LimitError{Limit: USDPerDay, Max: lim.MicroUSDPerDay, RetryAfter: dayEnd.Sub(now)}
	case usdMonth.on && usdMonth.err == nil && !usdMonth.ok:
		refused = &LimitError{Limit: USDPerMonth, Max: lim.MicroUSDPerMonth, RetryAfter: monthEnd(now).Sub(now)}
	case con.on && con.err == nil && !con.ok:
		refused = &LimitError{Limit: ConcurrentStreams, Max: lim.ConcurrentStreams, RetryAfter: time.Second}
	}
	storeErr := errors.Join(rpm.err, tok.err, con.err, usdDay.err, usdMonth.err)
	g.usdDayOK, g.usdMonthOK = usdDay.ok, usdMonth.ok
	if refused == nil && errors.Is(storeErr, ErrThrottled) {
		// Only this caller's items were asked for, so only this caller
		// is refused; the policy is for a store that is down, and a
		// throttle under Allow would be a way past every limit.
		l.log.Warn("rate limit store throttled the caller; refusing the call", "request_id", requestID, "error", storeErr.Error())
		refused = &LimitError{Limit: Throttled, RetryAfter: time.Second, Err: storeErr}
	}
	if refused == nil && storeErr != nil && l.cfg.OnStoreError == Deny {
		l.undo(g, tok.ok, con.ok)
		return nil, fmt.Errorf("%w: %w", ErrUnavailable, storeErr)
	}
	if refused != nil {
		l.undo(g, tok.ok, con.ok)
		refused.Requests, refused.Tokens = g.Requests, g.Tokens
		refused.SpendDay, refused.SpendMonth = g.SpendDay, g.SpendMonth
		return nil, refused
	}
	if storeErr != nil {
		g.StoreErr = storeErr
		l.log.Warn("rate limit store failed; admitting the call", "request_id", requestID, "error", storeErr.Error())
	}
	if !tok.ok {
		g.tokKey = "" // nothing reserved to settle
	}
	if con.ok {
		g.renewal = l.renew(ctx, g)
	} else {
		g.slotKey = ""
	}
	return g, nil
}

// undo gives back what a refused call took: its token reservation and its
// slot. A request it counted stays counted: a refused request is still a
// request.
func (l *Limiter) undo(g *Grant, reserved, slot bool) {
	ctx, cancel := context.WithTimeout(context.Background(), l.cfg.StoreTimeout)
	defer cancel()
	var wg sync.WaitGroup
	if reserved {
		wg.Go(func() { l.report(g, "give back tokens", l.store.Add(ctx, g.tokKey, -g.reserved, g.tokExp)) })
	}
	if slot {
		wg.Go(func() { l.report(g, "release slot", l.store.Release(ctx, g.slotKey, g.slot)) })
	}
	l.settleSpend(ctx, &wg, g, 0)
	wg.Wait()
}

// renewal renews a call's slot every third of the slot TTL from a timer's
// callback, like every other per-stream watch: an open stream holds no
// goroutine of the limiter's while it waits.
type renewal struct {
	mu      sync.Mutex
	t       *time.Timer
	stopped bool
	running sync.WaitGroup // a renewal under way
}

// renew keeps the call's slot alive until Done or until ctx ends.
func (l *Limiter) renew(ctx context.Context, g *Grant) *renewal {
	every := l.cfg.SlotTTL / 3
	r := &renewal{}
	tick := func() {
		r.mu.Lock()
		if r.stopped || ctx.Err() != nil {
			r.mu.Unlock()
			return
		}
		r.running.Add(1)
		r.mu.Unlock()
		defer r.running.Done()
		rctx, cancel := context.WithTimeout(ctx, l.cfg.StoreTimeout)
		err := l.store.Renew(rctx, g.slotKey, g.slot, l.cfg.Now().Add(l.cfg.SlotTTL))
		cancel()
		l.report(g, "renew slot", err)
		r.mu.Lock()
		if !r.stopped {
			r.t.Reset(every)
		}
		r.mu.Unlock()
	}
	r.mu.Lock()
	r.t = time.AfterFunc(every, tick)
	r.mu.Unlock()
	return r
}

// stop ends the renewals; once it returns, none is under way.
func (r *renewal) stop() {
	r.mu.Lock()
	r.stopped = true
	r.t.Stop()
	r.mu.Unlock()
	r.running.Wait()
}

// Done settles the call once its answer has ended, finished or cut short:
// the token reservation becomes u, what the call cost, and the slot is
// released. Calls after the first do nothing.
func (g *Grant) Done(u chat.Usage) {
	if g == nil {
		return
	}
	g.once.Do(func() {
		if g.renewal != nil {
			g.renewal.stop()
		}
		l := g.l
		ctx, cancel := context.WithTimeout(context.Background(), l.cfg.StoreTimeout)
		defer cancel()
		var wg sync.WaitGroup
		if delta := int64(u.Total()) - g.reserved; g.tokKey != "" && delta != 0 {
			wg.Go(func() { l.report(g, "settle tokens", l.store.Add(ctx, g.tokKey, delta, g.tokExp)) })
		}
		if g.slotKey != "" {
			wg.Go(func() { l.report(g, "release slot", l.store.Release(ctx, g.slotKey, g.slot)) })
		}
		spent, priced := g.cost.of(u)
		if g.told {
			spent, priced = g.spent, g.priced
		}
		if priced {
			l.settleSpend(ctx, &wg, g, spent)
		} else if g.usdDayOK || g.usdMonthOK {
			l.log.Warn("answer has no price; its dollar reservation stays spent", "request_id", g.requestID)
		}
		l.record(ctx, &wg, g, u, spent, priced)
		wg.Wait()
	})
}

// report logs a failed step after admission; the call goes on regardless.
func (l *Limiter) report(g *Grant, what string, err error) {
	if err != nil {
		l.log.Warn("rate limit store failed", "request_id", g.requestID, "step", what, "error", err.Error())
	}
}
