package quota

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// A grant handed over: a background answer on Lambda is admitted by the
// invocation that accepts it and produced by another (an asynchronous
// invocation of the same function). The first hands the grant over as a
// ticket (Grant.Ticket, then Grant.HandOver, which stops its slot renewals
// without settling anything); the second reopens it (Limiter.Reopen),
// renews the slot while the answer runs and settles it with Done. What
// was reserved at admission (tokens, dollars, the slot) stays reserved
// in between; a ticket never reopened leaves its reservation spent and
// its slot to expire after SlotTTL.

// ticket is what Done needs of a grant, as JSON.
type ticket struct {
	Caller     string    `json:"caller"`
	RequestID  string    `json:"request_id"`
	CostMax    *int64    `json:"cost_max,omitempty"` // nil: no price
	Day        int64     `json:"day"`
	Month      int64     `json:"month"`
	USDDayOK   bool      `json:"usd_day,omitempty"`
	USDMonthOK bool      `json:"usd_month,omitempty"`
	TokKey     string    `json:"tok_key,omitempty"`
	TokExp     time.Time `json:"tok_exp"`
	Reserved   int64     `json:"reserved,omitempty"`
	SlotKey    string    `json:"slot_key,omitempty"`
	Slot       string    `json:"slot,omitempty"`
}

// errNoTicket: a ticket that does not decode.
var errNoTicket = errors.New("not a grant ticket")

// Ticket is what another process needs to settle g (Limiter.Reopen).
func (g *Grant) Ticket() ([]byte, error) {
	if g == nil {
		return nil, errNoTicket
	}
	t := ticket{Caller: g.caller, RequestID: g.requestID, Day: g.day, Month: g.month, USDDayOK: g.usdDayOK,
		USDMonthOK: g.usdMonthOK, TokKey: g.tokKey, TokExp: g.tokExp, Reserved: g.reserved, SlotKey: g.slotKey, Slot: g.slot}
	if g.cost.known() {
		t.CostMax = &g.cost.Max
	}
	return json.Marshal(t)
}

// HandOver lets go of g here once its ticket has been handed over: the
// slot is no longer renewed by this process, and Done does nothing.
func (g *Grant) HandOver() {
	if g == nil {
		return
	}
	g.once.Do(func() {
		if g.renewal != nil {
			g.renewal.stop()
		}
	})
}

// Reopen rebuilds the grant a ticket describes, for Done to settle. Its
// slot, if it took one, is renewed at once and then until Done or until
// ctx ends; a slot that expired meanwhile is not taken again (the answer
// runs without it, and the failed renewal is logged).
func (l *Limiter) Reopen(ctx context.Context, b []byte) (*Grant, error) {
	var t ticket
	if err := json.Unmarshal(b, &t); err != nil || t.Caller == "" {
		return nil, errors.Join(errNoTicket, err)
	}
	g := &Grant{l: l, caller: t.Caller, requestID: t.RequestID, day: t.Day, month: t.Month,
		usdDayOK: t.USDDayOK, usdMonthOK: t.USDMonthOK, tokKey: t.TokKey, tokExp: t.TokExp, reserved: t.Reserved,
		slotKey: t.SlotKey, slot: t.Slot}
	if t.CostMax != nil {
		g.cost = &Cost{Max: *t.CostMax}
	}
	if g.slotKey != "" {
		rctx, cancel := context.WithTimeout(ctx, l.cfg.StoreTimeout)
		err := l.store.Renew(rctx, g.slotKey, g.slot, l.cfg.Now().Add(l.cfg.SlotTTL))
		cancel()
		if err != nil {
			l.report(g, "renew handed-over slot", fmt.Errorf("reopen grant: %w", err))
		}
		g.renewal = l.renew(ctx, g)
	}
	return g, nil
}
