package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
)

// percentile returns the q-quantile (0..1) of ds by nearest rank; ds is
// sorted in place.
func percentile(ds []time.Duration, q float64) time.Duration {
	if len(ds) == 0 {
		return 0
	}
	slices.Sort(ds)
	return ds[int(q*float64(len(ds)-1)+0.5)]
}

// ttfb measures n requests to each of the gateway, the floor and the fake
// from c concurrent clients, each client taking turns between the three so
// that all see the same load. A warm-up round is not counted.
func (r *rig) ttfb(ctx context.Context, c, n, warmup int) (gw, fl, fake []time.Duration, err error) {
	r.fake.SetDefault(fakebedrock.Tokens(1))
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
	)
	per := max(n/c, 1)
	for w := 0; w < c; w++ {
		wg.Go(func() {
			var g, l, f []time.Duration
			for i := -warmup; i < per; i++ {
				a, err := r.ttfbFake(ctx)
				var b, d time.Duration
				if err == nil {
					b, err = r.ttfbSSE(ctx, toGateway)
				}
				if err == nil {
					d, err = r.ttfbSSE(ctx, toFloor)
				}
				if err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
				if i >= 0 {
					f, g, l = append(f, a), append(g, b), append(l, d)
				}
			}
			mu.Lock()
			gw, fl, fake = append(gw, g...), append(fl, l...), append(fake, f...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return gw, fl, fake, firstErr
}

func cmpErr(old, err error) error {
	if old != nil {
		return old
	}
	return err
}

// chunkLatency streams answers whose chunks carry their send time, through
// the gateway, the floor and straight from the fake, and returns for each
// chunk the time from its sending to its arrival at the client.
func (r *rig) chunkLatency(ctx context.Context, streams, tokens int, interval time.Duration) (gw, fl, direct []time.Duration, err error) {
	r.fake.SetDefault(fakebedrock.Scenario{Tokens: tokens, Interval: interval, Stamp: true})
	for i := 0; i < streams; i++ {
		g, err := r.stampsSSE(ctx, toGateway)
		if err != nil {
			return nil, nil, nil, err
		}
		l, err := r.stampsSSE(ctx, toFloor)
		if err != nil {
			return nil, nil, nil, err
		}
		d, err := r.stampsFake(ctx)
		if err != nil {
			return nil, nil, nil, err
		}
		if i > 0 { // the first stream of each kind warms up
			gw, fl, direct = append(gw, g...), append(fl, l...), append(direct, d...)
		}
	}
	return gw, fl, direct, nil
}

func (r *rig) stampsSSE(ctx context.Context, t target) ([]time.Duration, error) {
	resp, err := r.post(ctx, t)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	var out []time.Duration
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadSlice('\n')
		at := time.Now()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, err
		}
		data, ok := bytes.CutPrefix(line, []byte("data: {"))
		if !ok {
			continue
		}
		c, err := gatewaytest.Decode("{" + string(data))
		if err != nil {
			return nil, fmt.Errorf("decode chunk: %w", err)
		}
		if sent, ok := fakebedrock.ParseStamp(gatewaytest.Text([]gatewaytest.Chunk{c})); ok {
			out = append(out, at.Sub(sent))
		}
	}
}

func (r *rig) stampsFake(ctx context.Context) ([]time.Duration, error) {
	resp, err := r.postFake(ctx)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	dec := eventstream.NewDecoder()
	var out []time.Duration
	for {
		msg, err := dec.Decode(resp.Body, nil)
		at := time.Now()
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("decode fake frame: %w", err)
		}
		var outer struct{ Bytes []byte }
		var inner struct{ Generation string }
		if json.Unmarshal(msg.Payload, &outer) != nil || json.Unmarshal(outer.Bytes, &inner) != nil {
			return nil, fmt.Errorf("decode fake chunk %q", msg.Payload)
		}
		if sent, ok := fakebedrock.ParseStamp(inner.Generation); ok {
			out = append(out, at.Sub(sent))
		}
	}
}

// rate is one unpaced stream's throughput, and what the server process
// spent on each frame.
type rate struct {
	FramesPerSec   float64 `json:"frames_per_sec"`
	AllocsPerFrame float64 `json:"allocs_per_frame,omitempty"`
	CPUPerFrameUS  float64 `json:"cpu_per_frame_us,omitempty"`
}

// throughput streams one unpaced answer of tokens chunks through t and
// counts its frames, and the heap allocations and CPU time of t's process
// per frame.
func (r *rig) throughput(ctx context.Context, t target, tokens int) (rate, error) {
	r.fake.SetDefault(fakebedrock.Tokens(tokens))
	srv := r.server(t)
	before, err := srv.snapshot(ctx, false)
	if err != nil {
		return rate{}, err
	}
	start := time.Now()
	resp, err := r.post(ctx, t)
	if err != nil {
		return rate{}, err
	}
	n, err := countFrames(resp.Body)
	resp.Body.Close()
	el := time.Since(start)
	if err != nil {
		return rate{}, err
	}
	after, err := srv.snapshot(ctx, false)
	if err != nil {
		return rate{}, err
	}
	if n != tokens+2 { // the text chunks, the finish chunk and [DONE]
		return rate{}, fmt.Errorf("%s: %d frames, want %d: %w", srv.kind, n, tokens+2, errShort)
	}
	return rate{
		FramesPerSec:   float64(n) / el.Seconds(),
		AllocsPerFrame: float64(after.Mallocs-before.Mallocs) / float64(n),
		CPUPerFrameUS:  float64(after.CPUNanos-before.CPUNanos) / 1e3 / float64(n),
	}, nil
}

// throughputDirect is the fake's own rate, read straight from it.
func (r *rig) throughputDirect(ctx context.Context, tokens int) (rate, error) {
	r.fake.SetDefault(fakebedrock.Tokens(tokens))
	start := time.Now()
	resp, err := r.postFake(ctx)
	if err != nil {
		return rate{}, err
	}
	defer resp.Body.Close()
	if _, err := io.Copy(io.Discard, resp.Body); err != nil {
		return rate{}, err
	}
	return rate{FramesPerSec: float64(tokens+1) / time.Since(start).Seconds()}, nil
}

// perAnswer is what one whole answer costs a server process.
type perAnswer struct {
	Answers   int     `json:"answers"`
	CPUUS     float64 `json:"cpu_us"`
	Allocs    float64 `json:"allocs"`
	WallMS    float64 `json:"wall_ms"`
	FramesPer int     `json:"frames"`
}

// answers runs n sequential answers of tokens unpaced chunks through t, in
// batches of batch between which the other server gets its turn (see
// answerCost), and returns the process CPU time and allocations per answer.
func (r *rig) answerCost(ctx context.Context, n, batch, tokens int) (gw, fl perAnswer, err error) {
	r.fake.SetDefault(fakebedrock.Tokens(tokens))
	gw.Answers, fl.Answers = n, n
	for done := 0; done < n; done += batch {
		k := min(batch, n-done)
		for _, side := range []struct {
			t   target
			acc *perAnswer
		}{{toGateway, &gw}, {toFloor, &fl}} {
			if err := r.answerBatch(ctx, side.t, k, tokens, side.acc); err != nil {
				return gw, fl, err
			}
		}
	}
	for _, a := range []*perAnswer{&gw, &fl} {
		a.CPUUS /= float64(n)
		a.Allocs /= float64(n)
		a.WallMS /= float64(n)
	}
	return gw, fl, nil
}

func (r *rig) answerBatch(ctx context.Context, t target, k, tokens int, acc *perAnswer) error {
	srv := r.server(t)
	before, err := srv.snapshot(ctx, false)
	if err != nil {
		return err
	}
	start := time.Now()
	for i := 0; i < k; i++ {
		resp, err := r.post(ctx, t)
		if err != nil {
			return err
		}
		n, err := countFrames(resp.Body)
		resp.Body.Close()
		if err != nil {
			return err
		}
		if n != tokens+2 { // the text chunks, the finish chunk and [DONE]
			return fmt.Errorf("%s: %d frames, want %d: %w", srv.kind, n, tokens+2, errShort)
		}
		acc.FramesPer = n
	}
	el := time.Since(start)
	after, err := srv.snapshot(ctx, false)
	if err != nil {
		return err
	}
	acc.CPUUS += float64(after.CPUNanos-before.CPUNanos) / 1e3
	acc.Allocs += float64(after.Mallocs - before.Mallocs)
	acc.WallMS += float64(el.Microseconds()) / 1e3
	return nil
}

// footprint is one server process at k concurrent streams.
type footprint struct {
	Streams    int     `json:"streams"`
	PeakRSSMB  float64 `json:"peak_rss_mb"`
	Goroutines int     `json:"goroutines"`      // the most seen, connections being set up included
	Open       int     `json:"open_goroutines"` // the fewest seen while every stream was open
	Idle       int     `json:"idle_goroutines"` // before the streams
	PerStream  float64 `json:"goroutines_per_stream"`
	HWMReset   bool    `json:"hwm_reset"` // false: peak is the highest VmRSS sampled
}

// memoryAt runs k concurrent paced streams through t and reports the
// process's peak RSS and the goroutines each open stream holds: the fewest
// seen while every stream was open (a dial or a connection being torn down
// holds goroutines of its own for a moment). With dump
// set, it also writes the server's goroutines, grouped by stack, once
// every stream is open.
func (r *rig) memoryAt(ctx context.Context, t target, k int, dump io.Writer) (footprint, error) {
	const (
		tokens    = 40
		interval  = 25 * time.Millisecond
		streamFor = tokens * interval
	)
	r.fake.SetDefault(fakebedrock.Scenario{Tokens: tokens, Interval: interval})
	srv := r.server(t)
	r.client.CloseIdleConnections()
	base, err := srv.snapshot(ctx, true)
	if err != nil {
		return footprint{}, err
	}
	f := footprint{Streams: k, HWMReset: base.HWMReset, Idle: base.Goroutines}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	var open atomic.Int64 // streams that have sent a byte and not ended
	for i := 0; i < k; i++ {
		wg.Go(func() {
			resp, err := r.post(ctx, t)
			if err == nil {
				var n int
				n, err = countFrames(&firstRead{r: resp.Body, first: func() { open.Add(1) }})
				open.Add(-1)
				resp.Body.Close()
				if err == nil && n != tokens+2 {
					err = fmt.Errorf("%s: %d frames, want %d: %w", srv.kind, n, tokens+2, errShort)
				}
			}
			if err != nil {
				mu.Lock()
				firstErr = cmpErr(firstErr, err)
				mu.Unlock()
			}
		})
	}
	start := time.Now()
	done := make(chan struct{})
	go func() { wg.Wait(); close(done) }()
	var maxRSS int64
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	for running := true; running; {
		select {
		case <-done:
			running = false
		case <-tick.C:
			s, err := srv.snapshot(ctx, false)
			if err != nil {
				<-done
				return f, err
			}
			f.Goroutines = max(f.Goroutines, s.Goroutines)
			if open.Load() == int64(k) && (f.Open == 0 || s.Goroutines < f.Open) {
				f.Open = s.Goroutines
			}
			if dump != nil && time.Since(start) >= streamFor/2 {
				// Half way through the streams' length: all are open.
				if b, err := srv.goroutines(ctx); err == nil {
					_, _ = dump.Write(b)
					dump = nil
				}
			}
			maxRSS = max(maxRSS, s.RSSKB, s.HWMKB*boolInt(f.HWMReset))
		}
	}
	if s, err := srv.snapshot(ctx, false); err == nil && f.HWMReset {
		maxRSS = max(maxRSS, s.HWMKB)
	}
	f.PeakRSSMB = float64(maxRSS) / 1024
	if f.Open == 0 { // the streams were never all open at once
		f.Open = f.Goroutines
	}
	f.PerStream = float64(f.Open-f.Idle) / float64(k)
	return f, firstErr
}

// firstRead calls first on its first Read.
type firstRead struct {
	r     io.Reader
	first func()
}

func (f *firstRead) Read(p []byte) (int, error) {
	if f.first != nil {
		f.first()
		f.first = nil
	}
	return f.r.Read(p)
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}
