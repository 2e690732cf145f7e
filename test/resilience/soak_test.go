package resilience_test

import (
	"context"
	"os"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSoak keeps the mixed fault load going for $CHATBOT_SOAK (e.g. 60s;
// unset skips it): mixedStreams clients, each streaming one answer after
// another, a throttling storm every 5s, and every answer checked frame by
// frame. The fakes are replaced every 5s so that their own bookkeeping (a
// log of recent requests) does not count as growth. It logs RSS and
// goroutines every 5s. Both must stay flat: memory
// may settle in the first seconds but not keep growing, and the goroutines
// return to their baseline at the end.
func TestSoak(t *testing.T) {
	v := os.Getenv("CHATBOT_SOAK")
	if v == "" {
		t.Skip("set CHATBOT_SOAK=60s to run the soak test")
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("CHATBOT_SOAK=%q: want a duration such as 60s", v)
	}
	const (
		every     = 5 * time.Second
		rssGrowth = 32 << 10 // KiB allowed between the second and the last sample
		goGrowth  = 100      // goroutines allowed between the second and the last sample
	)
	r := newRig(t, mixedRoutes()...)
	if _, err := r.stream(context.Background(), "eliza", "hello"); err != nil {
		t.Fatal(err)
	}
	r.idle()
	base := runtime.NumGoroutine()
	r.issuer.SetDown(true)

	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	var (
		streams, failures atomic.Int64
		wg                sync.WaitGroup
	)
	plan := mixedPlan(mixedStreams)
	for i, model := range plan {
		prompt := prompts[i%len(prompts)]
		wg.Go(func() {
			for ctx.Err() == nil {
				// A stream still running when the soak ends is cut by
				// ctx; only whole answers count.
				sctx, scancel := context.WithTimeout(context.Background(), time.Minute)
				_, err := r.checked(sctx, model, prompt)
				scancel()
				if err != nil {
					if failures.Add(1) <= 10 {
						t.Errorf("%s: %v", model, err)
					}
					return
				}
				streams.Add(1)
			}
		})
	}

	type sample struct {
		rss        int64
		goroutines int
	}
	var samples []sample
	tick := time.NewTicker(every)
	defer tick.Stop()
	start := time.Now()
	r.storm(stormThrottles)
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-tick.C:
			s := sample{rssKB(), runtime.NumGoroutine()}
			samples = append(samples, s)
			t.Logf("t=%-4v rss=%6.1f MiB goroutines=%-5d streams=%d", time.Since(start).Round(time.Second),
				float64(s.rss)/1024, s.goroutines, streams.Load())
			for _, u := range r.up {
				u.rotate()
			}
			r.storm(stormThrottles)
		}
	}
	wg.Wait()
	t.Logf("%d streams in %v, %d failed checks", streams.Load(), time.Since(start).Round(time.Second), failures.Load())
	if len(samples) >= 3 {
		// The first sample is taken while the pools still fill.
		first, last := samples[1], samples[len(samples)-1]
		if last.rss-first.rss > rssGrowth {
			t.Errorf("RSS grew from %d to %d KiB during the soak", first.rss, last.rss)
		}
		if last.goroutines-first.goroutines > goGrowth {
			t.Errorf("goroutines grew from %d to %d during the soak", first.goroutines, last.goroutines)
		}
	}
	for _, u := range r.up {
		streamsClosed(t, u, -1, 15*time.Second)
	}
	n := r.goroutinesBack(t, base, 5, 15*time.Second)
	t.Logf("goroutines: %d before, %d after", base, n)
}
