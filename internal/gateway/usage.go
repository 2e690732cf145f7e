package gateway

import (
	"context"
	"net/http"
	"time"
)

// UsageReporter tells a caller what it used (GET /v1/usage).
type UsageReporter interface {
	Usage(ctx context.Context, c *Caller) (UsageReport, error)
}

// UsageReport is a caller's usage today and this month (UTC) and the
// limits that apply to it. Tracked is false where usage is not recorded
// (no store): the counts are then zero, and the limits still hold.
type UsageReport struct {
	Tracked    bool
	Day, Month UsagePeriod
	Limits     UsageLimits
}

// UsagePeriod is one window's usage.
type UsagePeriod struct {
	Start, End                           time.Time
	Input, Output, CacheRead, CacheWrite int64
	Requests, UnpricedRequests           int64
	CostUSD                              float64 // priced answers only
}

// UsageLimits are a caller's limits; 0 is none.
type UsageLimits struct {
	RequestsPerMinute, ConcurrentStreams, TokensPerDay int64
	USDPerDay, USDPerMonth                             float64
}

// usage answers GET /v1/usage for the authenticated caller, in the shape
// docs/api.md#usage documents.
func (h *Handler) usage(w http.ResponseWriter, r *http.Request, rec *Record) {
	r, err := h.authenticate(r, nil, rec)
	if err != nil {
		fail(w, rec, err)
		return
	}
	c, _ := CallerFrom(r.Context())
	u, err := h.cfg.Usage.Usage(r.Context(), c)
	if err != nil {
		rec.Err = err
		fail(w, rec, &Error{Status: http.StatusServiceUnavailable, Type: typeServer, Code: "usage_unavailable",
			Message: "usage could not be read; try again"})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, usageJSON{
		Object: "usage", Tracked: u.Tracked,
		Today: periodJSON(u.Day), Month: periodJSON(u.Month),
		Limits: limitsJSON{
			RequestsPerMinute: orNil(u.Limits.RequestsPerMinute), ConcurrentStreams: orNil(u.Limits.ConcurrentStreams),
			TokensPerDay: orNil(u.Limits.TokensPerDay), USDPerDay: orNil(u.Limits.USDPerDay), USDPerMonth: orNil(u.Limits.USDPerMonth),
		},
	})
}

type usageJSON struct {
	Object  string     `json:"object"`
	Tracked bool       `json:"tracked"`
	Today   period     `json:"today"`
	Month   period     `json:"month"`
	Limits  limitsJSON `json:"limits"`
}

type period struct {
	Start            int64   `json:"start"`
	ResetsAt         int64   `json:"resets_at"`
	Tokens           tokens  `json:"tokens"`
	Requests         int64   `json:"requests"`
	CostUSD          float64 `json:"cost_usd"`
	UnpricedRequests int64   `json:"unpriced_requests"`
}

type tokens struct {
	Input      int64 `json:"input"`
	Output     int64 `json:"output"`
	CacheRead  int64 `json:"cache_read"`
	CacheWrite int64 `json:"cache_write"`
	Total      int64 `json:"total"`
}

type limitsJSON struct {
	RequestsPerMinute *int64   `json:"requests_per_minute"`
	ConcurrentStreams *int64   `json:"concurrent_streams"`
	TokensPerDay      *int64   `json:"tokens_per_day"`
	USDPerDay         *float64 `json:"usd_per_day"`
	USDPerMonth       *float64 `json:"usd_per_month"`
}

func periodJSON(p UsagePeriod) period {
	return period{Start: p.Start.Unix(), ResetsAt: p.End.Unix(), Requests: p.Requests, CostUSD: p.CostUSD,
		UnpricedRequests: p.UnpricedRequests,
		Tokens: tokens{Input: p.Input, Output: p.Output, CacheRead: p.CacheRead, CacheWrite: p.CacheWrite,
			Total: p.Input + p.Output + p.CacheRead + p.CacheWrite}}
}

// orNil is nil for 0 (no limit), so the JSON says null rather than 0.
func orNil[T int64 | float64](v T) *T {
	if v == 0 {
		return nil
	}
	return &v
}
