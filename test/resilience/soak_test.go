package resilience_test

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSoak keeps the mixed fault load going for $CHATBOT_SOAK (e.g. 60s;
// unset skips it) with $CHATBOT_SOAK_STREAMS concurrent clients (default
// mixedStreams; make soak uses 500), each streaming one answer after
// another, a throttling storm every 5s, and every answer checked frame by
// frame. The fakes are replaced every 5s so that their own bookkeeping (a
// log of recent requests) does not count as growth. It samples RSS and
// goroutines every 5s and prints them as a table at the end.
//
// Everything must stay bounded: memory may settle in the first seconds but
// not keep growing; the goroutines neither grow nor exceed a fixed number
// per open stream, and return to their baseline at the end; every interval
// completes answers (nothing stalls); and the test ends within a bounded
// time of the soak's end.
func TestSoak(t *testing.T) {
	v := os.Getenv("CHATBOT_SOAK")
	if v == "" {
		t.Skip("set CHATBOT_SOAK=60s to run the soak test")
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		t.Fatalf("CHATBOT_SOAK=%q: want a duration such as 60s", v)
	}
	clients := mixedStreams
	if v := os.Getenv("CHATBOT_SOAK_STREAMS"); v != "" {
		if clients, err = strconv.Atoi(v); err != nil || clients < 1 {
			t.Fatalf("CHATBOT_SOAK_STREAMS=%q: want a positive number", v)
		}
	}
	const (
		every     = 5 * time.Second
		rssGrowth = 32 << 10 // KiB allowed between the second and the last sample
		// Each open stream holds goroutines in every party, all in this
		// process: the client's connection (2), the gateway's server (2),
		// its Bedrock connection (2) and the AWS SDK's event reader (3),
		// and the fake's server (2). The bound leaves room for the
		// connections still being dialled or closed.
		perStream = 16
		// How long the last answers may take to finish after the soak ends:
		// the slowest scenario waits for its first-token timeout and then
		// answers from ELIZA.
		drain = 30 * time.Second
	)
	// Goroutines allowed between the second and the last sample: the count
	// moves with how many streams are open at the moment of the sample; a
	// leak grows with the answers, thousands of them.
	goGrowth := max(100, clients)
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
	plan := mixedPlan(clients)
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
		at         time.Duration
		rss        int64
		goroutines int
		answers    int64
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
			s := sample{time.Since(start).Round(time.Second), rssKB(), runtime.NumGoroutine(), streams.Load()}
			samples = append(samples, s)
			t.Logf("t=%-4v rss=%6.1f MiB goroutines=%-5d answers=%d", s.at, float64(s.rss)/1024, s.goroutines, s.answers)
			for _, u := range r.up {
				u.rotate()
			}
			r.storm(stormThrottles)
		}
	}
	drained := make(chan struct{})
	go func() { wg.Wait(); close(drained) }()
	select {
	case <-drained:
	case <-time.After(drain):
		t.Fatalf("answers still running %v after the soak ended", drain)
	}
	elapsed := time.Since(start).Round(time.Second)

	var table strings.Builder
	fmt.Fprintf(&table, "%d concurrent streams for %v: %d answers, %d failed checks; goroutines at rest %d\n",
		clients, d, streams.Load(), failures.Load(), base)
	fmt.Fprintf(&table, "%6s  %8s  %10s  %10s  %8s\n", "t", "RSS MiB", "goroutines", "per stream", "answers")
	for _, s := range samples {
		fmt.Fprintf(&table, "%6v  %8.1f  %10d  %10.1f  %8d\n", s.at, float64(s.rss)/1024, s.goroutines,
			float64(s.goroutines-base)/float64(clients), s.answers)
	}
	fmt.Fprintf(&table, "ended after %v", elapsed)
	t.Log("\n" + table.String())

	for i, s := range samples {
		if per := float64(s.goroutines-base) / float64(clients); per > perStream {
			t.Errorf("at %v: %d goroutines, %.1f per stream, want at most %d", s.at, s.goroutines, per, perStream)
		}
		if i > 0 && s.answers == samples[i-1].answers {
			t.Errorf("no answer completed between %v and %v", samples[i-1].at, s.at)
		}
	}
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
