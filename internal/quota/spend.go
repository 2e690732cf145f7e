package quota

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

// Cost prices one call for the dollar budgets, in millionths of a dollar
// (micro-USD). A nil *Cost is a call without a price.
type Cost struct {
	// Max is the most the answer can cost: reserved at admission.
	Max int64
	// Of is what the answer cost, from the model's usage; ok false when
	// the usage holds a kind of token the price does not cover. Nil: the
	// caller tells the cost itself (Grant.Spent).
	Of func(chat.Usage) (micros int64, ok bool)
}

func (c *Cost) known() bool { return c != nil }

func (c *Cost) of(u chat.Usage) (int64, bool) {
	if c == nil || c.Of == nil {
		return 0, false
	}
	return c.Of(u)
}

// Spent tells the grant what the answer cost, in micro-USD, as the caller
// priced it (each model that ran at its own price); Done then settles to
// it rather than to Cost.Of. priced false: the cost is unknown.
func (g *Grant) Spent(micros int64, priced bool) {
	if g != nil {
		g.told, g.spent, g.priced = true, micros, priced
	}
}

// spends reports whether a dollar budget applies.
func (l Limits) spends() bool { return l.MicroUSDPerDay > 0 || l.MicroUSDPerMonth > 0 }

// month numbers a UTC calendar month; monthEnd is when the one holding t ends.
func monthOf(t time.Time) int64 {
	t = t.UTC()
	return int64(t.Year())*12 + int64(t.Month()) - 1
}

func monthEnd(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month()+1, 1, 0, 0, 0, 0, time.UTC)
}

// takeSpend reserves the call's most costly answer in the caller's dollar
// budgets, in parallel with the other steps of Admit.
func (l *Limiter) takeSpend(ctx context.Context, wg *sync.WaitGroup, g *Grant, lim Limits) (day, month *step) {
	day, month = &step{}, &step{}
	if lim.MicroUSDPerDay > 0 {
		day.on = true
		wg.Go(func() {
			day.count, day.ok, day.err = l.store.Take(ctx, g.spendKey(false), g.cost.Max, lim.MicroUSDPerDay, g.spendExpiry(false))
		})
	}
	if lim.MicroUSDPerMonth > 0 {
		month.on = true
		wg.Go(func() {
			month.count, month.ok, month.err = l.store.Take(ctx, g.spendKey(true), g.cost.Max, lim.MicroUSDPerMonth, g.spendExpiry(true))
		})
	}
	return day, month
}

func (g *Grant) spendKey(month bool) string {
	if month {
		return windowKey("usdm", g.caller, g.month)
	}
	return windowKey("usd", g.caller, g.day)
}

func (g *Grant) spendExpiry(month bool) time.Time {
	if month {
		return monthEnd(time.Unix(g.day*86400, 0)).Add(keepFor)
	}
	return time.Unix((g.day+1)*86400, 0).Add(keepFor)
}

func (l *Limiter) spendWindows(g *Grant, lim Limits, day, month *step, now time.Time) {
	if day.on && day.err == nil {
		g.SpendDay = &Window{Limit: lim.MicroUSDPerDay, Remaining: max(0, lim.MicroUSDPerDay-day.count),
			Reset: time.Unix((g.day+1)*86400, 0).Sub(now)}
	}
	if month.on && month.err == nil {
		g.SpendMonth = &Window{Limit: lim.MicroUSDPerMonth, Remaining: max(0, lim.MicroUSDPerMonth-month.count),
			Reset: monthEnd(now).Sub(now)}
	}
}

// settleSpend turns the dollar reservations into spent (0 gives them back).
func (l *Limiter) settleSpend(ctx context.Context, wg *sync.WaitGroup, g *Grant, spent int64) {
	if !g.usdDayOK && !g.usdMonthOK {
		return
	}
	delta := spent - g.cost.Max
	if delta == 0 {
		return
	}
	if g.usdDayOK {
		wg.Go(func() {
			l.report(g, "settle daily spend", l.store.Add(ctx, g.spendKey(false), delta, g.spendExpiry(false)))
		})
	}
	if g.usdMonthOK {
		wg.Go(func() {
			l.report(g, "settle monthly spend", l.store.Add(ctx, g.spendKey(true), delta, g.spendExpiry(true)))
		})
	}
}

// Usage is what a caller used in one window: tokens by kind, what they
// cost (micro-USD, priced answers only), answers, and answers that had no
// price.
type Usage struct {
	Input, Output, CacheRead, CacheWrite int64
	MicroUSD                             int64
	Requests, Unpriced                   int64
}

func (u Usage) plus(v Usage) Usage {
	return Usage{Input: u.Input + v.Input, Output: u.Output + v.Output, CacheRead: u.CacheRead + v.CacheRead,
		CacheWrite: u.CacheWrite + v.CacheWrite, MicroUSD: u.MicroUSD + v.MicroUSD,
		Requests: u.Requests + v.Requests, Unpriced: u.Unpriced + v.Unpriced}
}

// record adds the answer to the caller's usage of the day and the month
// (Config.TrackUsage).
func (l *Limiter) record(ctx context.Context, wg *sync.WaitGroup, g *Grant, u chat.Usage, spent int64, priced bool) {
	if !l.cfg.TrackUsage {
		return
	}
	add := Usage{Input: int64(u.PromptTokens), Output: int64(u.CompletionTokens), CacheRead: int64(u.CacheReadTokens),
		CacheWrite: int64(u.CacheWriteTokens), Requests: 1}
	if priced {
		add.MicroUSD = spent
	} else {
		add.Unpriced = 1
	}
	wg.Go(func() {
		l.report(g, "record daily usage", l.store.AddUsage(ctx, windowKey("use", g.caller, g.day), add, g.spendExpiry(false)))
	})
	wg.Go(func() {
		l.report(g, "record monthly usage", l.store.AddUsage(ctx, windowKey("usem", g.caller, g.month), add, g.spendExpiry(true)))
	})
}

// Report is a caller's usage as GET /v1/usage tells it.
type Report struct {
	Caller           string
	Day, Month       Usage
	DayEnd, MonthEnd time.Time
	Limits           Limits
}

// ErrNotTracked: usage is not recorded (Config.TrackUsage is off).
var ErrNotTracked = errors.New("usage is not recorded")

// Usage reports what the caller id used today and this month (UTC), and
// the limits that apply to it.
func (l *Limiter) Usage(ctx context.Context, id *auth.Identity) (Report, error) {
	caller, lim := l.cfg.For(id)
	now := l.cfg.Now()
	r := Report{Caller: caller, Limits: lim,
		DayEnd: time.Unix((now.Unix()/86400+1)*86400, 0).UTC(), MonthEnd: monthEnd(now)}
	if !l.cfg.TrackUsage {
		return r, ErrNotTracked
	}
	ctx, cancel := context.WithTimeout(ctx, l.cfg.StoreTimeout)
	defer cancel()
	var wg sync.WaitGroup
	var dayErr, monthErr error
	wg.Go(func() { r.Day, dayErr = l.store.GetUsage(ctx, windowKey("use", caller, now.Unix()/86400)) })
	wg.Go(func() { r.Month, monthErr = l.store.GetUsage(ctx, windowKey("usem", caller, monthOf(now))) })
	wg.Wait()
	return r, errors.Join(dayErr, monthErr)
}

// ParseUSD reads a dollar amount ("1", "0.25", "$20") as micro-USD.
func ParseUSD(s string) (int64, error) {
	v, err := strconv.ParseFloat(strings.TrimPrefix(s, "$"), 64)
	if err != nil || v < 0 || math.IsNaN(v) || math.IsInf(v, 0) || v*1e6 > MaxLimit {
		return 0, fmt.Errorf("%q: want dollars from 0 to %d", s, int64(MaxLimit)/1_000_000)
	}
	return int64(math.Round(v * 1e6)), nil
}

// FormatUSD writes micro-USD as dollars, to the cent unless finer.
func FormatUSD(micros int64) string {
	s := strconv.FormatFloat(float64(micros)/1e6, 'f', -1, 64)
	if i := strings.IndexByte(s, '.'); i < 0 {
		s += ".00"
	} else if len(s)-i == 2 {
		s += "0"
	}
	return "$" + s
}
