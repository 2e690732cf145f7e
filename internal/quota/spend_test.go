package quota_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/quota"
)

// perToken prices every token at one micro-dollar, so a usage's cost is
// its token count.
func perToken(maxCost int64) *quota.Cost {
	return &quota.Cost{Max: maxCost, Of: func(u chat.Usage) (int64, bool) {
		return int64(u.PromptTokens + u.CompletionTokens + u.CacheReadTokens + u.CacheWriteTokens), true
	}}
}

// storeTimeout is generous: dynalite on a busy machine is no DynamoDB.
const storeTimeout = 10 * time.Second

var bob = &auth.Identity{Subject: "bob", Issuer: "https://issuer.example", Method: auth.MethodJWT}

func TestDailySpendRefusesOnceReached(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s quota.Store) {
		ctx := context.Background()
		l := quota.New(quota.Config{StoreTimeout: storeTimeout, Default: quota.Limits{MicroUSDPerDay: 1000}, Now: func() time.Time { return t0 }}, s)
		// Each answer may cost up to 600 µ$ and costs 400: two fit (the
		// second is admitted at 400 spent), the third finds 800 spent...
		for i := range 2 {
			g, err := l.AdmitCost(ctx, bob, "r", 100, perToken(600))
			if err != nil {
				t.Fatalf("answer %d: %v", i+1, err)
			}
			if g.SpendDay == nil || g.SpendDay.Limit != 1000 {
				t.Fatalf("answer %d: window %+v", i+1, g.SpendDay)
			}
			g.Done(chat.Usage{PromptTokens: 300, CompletionTokens: 100})
		}
		// ...which is below 1000 and so still admitted; it crosses the
		// budget, and the stream is not cut: it settles to what it cost.
		g, err := l.AdmitCost(ctx, bob, "r", 100, perToken(600))
		if err != nil {
			t.Fatalf("answer 3 (800 of 1000 spent): %v", err)
		}
		g.Done(chat.Usage{PromptTokens: 300, CompletionTokens: 100})
		// 1200 spent: refused, naming the budget.
		_, err = l.AdmitCost(ctx, bob, "r", 100, perToken(600))
		var le *quota.LimitError
		if !errors.As(err, &le) || le.Limit != quota.USDPerDay || le.Max != 1000 {
			t.Fatalf("answer 4 at 1200 of 1000 spent: err = %v; want usd_per_day_exceeded", err)
		}
		if want := 11*time.Hour + 59*time.Minute + 30*time.Second; le.RetryAfter != want {
			t.Errorf("RetryAfter = %v; want until 00:00 UTC (%v)", le.RetryAfter, want)
		}
		if !strings.Contains(le.Message(), "$0.001 per day") || le.SpendDay == nil || le.SpendDay.Remaining != 0 {
			t.Errorf("message %q, window %+v", le.Message(), le.SpendDay)
		}
		// Another caller has a budget of its own.
		if _, err := l.AdmitCost(ctx, alice, "r", 100, perToken(600)); err != nil {
			t.Errorf("another caller: %v", err)
		}
	})
}

func TestCutAnswerSpendCounts(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s quota.Store) {
		ctx := context.Background()
		l := quota.New(quota.Config{StoreTimeout: storeTimeout, Default: quota.Limits{MicroUSDPerDay: 1000}, TrackUsage: true, Now: func() time.Time { return t0 }}, s)
		g, err := l.AdmitCost(ctx, bob, "r", 100, perToken(900))
		if err != nil {
			t.Fatal(err)
		}
		// The answer was cut after the model had used 950 tokens' worth.
		g.Done(chat.Usage{PromptTokens: 900, CompletionTokens: 40, CacheReadTokens: 10})
		if _, err := l.AdmitCost(ctx, bob, "r", 100, perToken(10)); err != nil {
			t.Fatalf("950 of 1000 spent: %v", err)
		}
		// The reservation of the second call (10) settles to nothing: the
		// model failed before using anything.
		r, err := l.Usage(ctx, bob)
		if err != nil {
			t.Fatal(err)
		}
		if r.Day.MicroUSD != 950 || r.Day.Input != 900 || r.Day.Output != 40 || r.Day.CacheRead != 10 || r.Day.Requests != 1 ||
			r.Month != r.Day || r.Limits.MicroUSDPerDay != 1000 {
			t.Errorf("usage %+v", r)
		}
	})
}

func TestMonthlySpendAndReservationGivenBack(t *testing.T) {
	t.Parallel()
	eachStore(t, func(t *testing.T, s quota.Store) {
		ctx := context.Background()
		now := t0
		l := quota.New(quota.Config{StoreTimeout: storeTimeout, Default: quota.Limits{MicroUSDPerMonth: 500, MicroUSDPerDay: 10000}, Now: func() time.Time { return now }}, s)
		g, err := l.AdmitCost(ctx, bob, "r", 100, perToken(400))
		if err != nil {
			t.Fatal(err)
		}
		g.Done(chat.Usage{CompletionTokens: 500})
		now = now.Add(48 * time.Hour) // another day, the same month
		_, err = l.AdmitCost(ctx, bob, "r", 100, perToken(400))
		var le *quota.LimitError
		if !errors.As(err, &le) || le.Limit != quota.USDPerMonth {
			t.Fatalf("err = %v; want usd_per_month_exceeded", err)
		}
		if want := time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC).Sub(now); le.RetryAfter != want {
			t.Errorf("RetryAfter = %v; want until the 1st (%v)", le.RetryAfter, want)
		}
		// The refused call's daily reservation was given back.
		g, err = quota.New(quota.Config{StoreTimeout: storeTimeout, Default: quota.Limits{MicroUSDPerDay: 400}, Now: func() time.Time { return now }}, s).
			AdmitCost(ctx, bob, "r", 100, perToken(400))
		if err != nil || g.SpendDay.Remaining != 0 {
			t.Errorf("daily budget after a refused call: %v, %+v; want the whole 400 free", err, g)
		}
	})
}

func TestUnpricedModelUnderABudget(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	s := quota.NewMemoryStore(nil)
	strict := quota.New(quota.Config{StoreTimeout: storeTimeout, Default: quota.Limits{MicroUSDPerDay: 1000}}, s)
	_, err := strict.AdmitCost(ctx, bob, "r", 100, nil)
	var le *quota.LimitError
	if !errors.As(err, &le) || le.Limit != quota.PriceUnknown {
		t.Fatalf("err = %v; want model_price_unknown", err)
	}
	lax := quota.New(quota.Config{StoreTimeout: storeTimeout, Default: quota.Limits{MicroUSDPerDay: 1000}, AllowUnpriced: true, TrackUsage: true}, s)
	g, err := lax.AdmitCost(ctx, bob, "r", 100, nil)
	if err != nil {
		t.Fatalf("allowed unpriced: %v", err)
	}
	g.Done(chat.Usage{PromptTokens: 5, CompletionTokens: 5})
	if r, _ := lax.Usage(ctx, bob); r.Day.Unpriced != 1 || r.Day.MicroUSD != 0 || r.Day.Input != 5 {
		t.Errorf("usage %+v; want one unpriced answer", r.Day)
	}
	// Without a dollar budget a model without a price is simply served.
	free := quota.New(quota.Config{StoreTimeout: storeTimeout, Default: quota.Limits{RequestsPerMinute: 5}}, s)
	if _, err := free.AdmitCost(ctx, bob, "r", 100, nil); err != nil {
		t.Errorf("no dollar budget: %v", err)
	}
}

func TestParseDollarOverrides(t *testing.T) {
	t.Parallel()
	groups, keys, err := quota.ParseOverrides([]string{"group:premium usd_per_day=5 usd_per_month=$100.50", "key:ci usd_per_day=0.25"},
		quota.Limits{MicroUSDPerDay: 1_000_000})
	if err != nil {
		t.Fatal(err)
	}
	if g := groups["premium"]; g.MicroUSDPerDay != 5_000_000 || g.MicroUSDPerMonth != 100_500_000 {
		t.Errorf("premium = %+v", g)
	}
	if k := keys["ci"]; k.MicroUSDPerDay != 250_000 {
		t.Errorf("ci = %+v", k)
	}
	for _, bad := range []string{"key:x usd_per_day=-1", "key:x usd_per_day=lots", "key:x usd_per_day=1 usd_per_day=2"} {
		if _, _, err := quota.ParseOverrides([]string{bad}, quota.Limits{}); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestFormatUSD(t *testing.T) {
	t.Parallel()
	for micros, want := range map[int64]string{0: "$0.00", 1_000_000: "$1.00", 40_000: "$0.04", 1_500_000: "$1.50", 1000: "$0.001"} {
		if got := quota.FormatUSD(micros); got != want {
			t.Errorf("FormatUSD(%d) = %s; want %s", micros, got, want)
		}
	}
}
