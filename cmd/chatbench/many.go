package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"strconv"
	"sync"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

// manySide is one server at many concurrent paced streams: each chunk's
// time from the fake's sending it to its arrival at the client, each
// stream's time to its first data frame, the process's peak RSS, and the
// streams that failed or came short.
type manySide struct {
	Chunk     quantiles `json:"chunk"`
	TTFB      quantiles `json:"ttfb"`
	Chunks    int       `json:"chunks"`
	PeakRSSMB float64   `json:"peak_rss_mb"`
	Errors    int       `json:"errors"`
	FirstErr  string    `json:"first_error,omitempty"`
	CPUSec    float64   `json:"cpu_s"`
	// The wall time of the step, and the CPU time this process (the fake
	// Bedrock and the clients) spent in it: with the server's, what the
	// step asked of the machine's cores.
	WallSec       float64 `json:"wall_s"`
	LoadGenCPUSec float64 `json:"loadgen_cpu_s"`
	// Where the memory is at the busiest sample, and the collector's work.
	HeapMB    float64 `json:"heap_inuse_mb"`
	StackMB   float64 `json:"stack_inuse_mb"`
	GCs       uint32  `json:"gcs"`
	GCPauseMS float64 `json:"gc_pause_ms"`
}

type manyResult struct {
	Streams    int      `json:"streams"`
	Tokens     int      `json:"tokens"`
	IntervalMS float64  `json:"interval_ms"`
	Gateway    manySide `json:"gateway"`
	Floor      manySide `json:"floor"`
}

// manyStreams opens k streams at once through t, each of tokens stamped
// chunks sent every interval, and reads them all to the end. The client
// reads each frame's stamp without decoding its JSON: with hundreds of
// streams on two cores, the load generator's own CPU is part of what is
// measured.
func (r *rig) manyStreams(ctx context.Context, t target, k, tokens int, interval time.Duration) (manySide, error) {
	r.fake.SetDefault(fakebedrock.Scenario{Tokens: tokens, Interval: interval, Stamp: true})
	srv := r.server(t)
	r.client.CloseIdleConnections()
	base, err := srv.snapshot(ctx, true)
	if err != nil {
		return manySide{}, err
	}
	startCPU, startWall := processCPU(), time.Now()
	var (
		wg          sync.WaitGroup
		mu          sync.Mutex
		side        manySide
		chunks, fst []time.Duration
	)
	fail := func(err error) {
		mu.Lock()
		defer mu.Unlock()
		side.Errors++
		if side.FirstErr == "" {
			side.FirstErr = err.Error()
		}
	}
	for range k {
		wg.Go(func() {
			start := time.Now()
			resp, err := r.post(ctx, t)
			if err != nil {
				fail(err)
				return
			}
			defer resp.Body.Close()
			lat := make([]time.Duration, 0, tokens)
			var first time.Duration
			frames := 0
			br := bufio.NewReaderSize(resp.Body, 4096)
			for {
				line, err := br.ReadSlice('\n')
				at := time.Now()
				if err == io.EOF {
					break
				}
				if err != nil {
					fail(err)
					return
				}
				if !bytes.HasPrefix(line, []byte("data: ")) {
					continue
				}
				if frames++; frames == 1 {
					first = at.Sub(start)
				}
				if sent, ok := stampIn(line); ok {
					lat = append(lat, at.Sub(sent))
				}
			}
			if frames != tokens+2 || len(lat) != tokens {
				fail(fmt.Errorf("%s: %d frames, %d stamped; want %d and %d: %w", srv.kind, frames, len(lat), tokens+2, tokens, errShort))
				return
			}
			mu.Lock()
			chunks, fst = append(chunks, lat...), append(fst, first)
			mu.Unlock()
		})
	}
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var maxRSS int64
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-tick.C:
			if s, err := srv.snapshot(ctx, false); err == nil {
				maxRSS = max(maxRSS, s.RSSKB, s.HWMKB*boolInt(base.HWMReset))
				side.HeapMB = max(side.HeapMB, float64(s.HeapKB)/1024)
				side.StackMB = max(side.StackMB, float64(s.StackKB)/1024)
			}
		}
	}
	side.WallSec = time.Since(startWall).Seconds()
	side.LoadGenCPUSec = (processCPU() - startCPU).Seconds()
	s, err := srv.snapshot(ctx, false)
	if err != nil {
		return side, err
	}
	maxRSS = max(maxRSS, s.HWMKB*boolInt(base.HWMReset))
	side.PeakRSSMB = float64(maxRSS) / 1024
	side.CPUSec = float64(s.CPUNanos-base.CPUNanos) / 1e9
	side.GCs = s.NumGC - base.NumGC
	side.GCPauseMS = float64(s.GCPauseNs-base.GCPauseNs) / 1e6
	side.Chunks = len(chunks)
	side.Chunk, side.TTFB = quantilesOf(chunks), quantilesOf(fst)
	return side, nil
}

// stampIn finds the fake's send time in an SSE line ("…tok7@<unix ns> …").
func stampIn(line []byte) (time.Time, bool) {
	i := bytes.IndexByte(line, '@')
	if i < 0 {
		return time.Time{}, false
	}
	j := i + 1
	for j < len(line) && line[j] >= '0' && line[j] <= '9' {
		j++
	}
	n, err := strconv.ParseInt(string(line[i+1:j]), 10, 64)
	if err != nil {
		return time.Time{}, false
	}
	return time.Unix(0, n), true
}

// answerCostConcurrent is answerCost with c clients at once: n answers of
// tokens unpaced chunks through each server, in alternating batches, and
// the server process's CPU time per answer.
func (r *rig) answerCostConcurrent(ctx context.Context, n, batch, c, tokens int) (gw, fl perAnswer, err error) {
	r.fake.SetDefault(fakebedrock.Tokens(tokens))
	gw.Answers, fl.Answers = n, n
	for done := 0; done < n; done += batch {
		k := min(batch, n-done)
		for _, side := range []struct {
			t   target
			acc *perAnswer
		}{{toGateway, &gw}, {toFloor, &fl}} {
			srv := r.server(side.t)
			before, err := srv.snapshot(ctx, false)
			if err != nil {
				return gw, fl, err
			}
			start := time.Now()
			var (
				wg       sync.WaitGroup
				mu       sync.Mutex
				firstErr error
				next     = make(chan struct{}, k)
			)
			for range k {
				next <- struct{}{}
			}
			close(next)
			for range c {
				wg.Go(func() {
					for range next {
						resp, err := r.post(ctx, side.t)
						if err == nil {
							var m int
							m, err = countFrames(resp.Body)
							resp.Body.Close()
							if err == nil && m != tokens+2 {
								err = fmt.Errorf("%s: %d frames, want %d: %w", srv.kind, m, tokens+2, errShort)
							}
						}
						if err != nil {
							mu.Lock()
							firstErr = cmpErr(firstErr, err)
							mu.Unlock()
							return
						}
					}
				})
			}
			wg.Wait()
			if firstErr != nil {
				return gw, fl, firstErr
			}
			el := time.Since(start)
			after, err := srv.snapshot(ctx, false)
			if err != nil {
				return gw, fl, err
			}
			side.acc.CPUUS += float64(after.CPUNanos-before.CPUNanos) / 1e3
			side.acc.Allocs += float64(after.Mallocs - before.Mallocs)
			side.acc.WallMS += float64(el.Microseconds()) / 1e3
			side.acc.FramesPer = tokens + 2
		}
	}
	for _, a := range []*perAnswer{&gw, &fl} {
		a.CPUUS /= float64(n)
		a.Allocs /= float64(n)
		a.WallMS /= float64(n)
	}
	return gw, fl, nil
}
