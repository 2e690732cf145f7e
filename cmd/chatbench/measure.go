package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"runtime"
	"runtime/debug"
	"slices"
	"sync"
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

// ttfb measures n requests to the gateway and n straight to the fake, from
// c concurrent clients, each alternating between the two so that both see
// the same load. A warm-up round is not counted.
func (r *rig) ttfb(ctx context.Context, c, n, warmup int) (gw, fake []time.Duration, err error) {
	r.fake.SetDefault(fakebedrock.Tokens(1))
	var (
		mu       sync.Mutex
		wg       sync.WaitGroup
		firstErr error
	)
	per := max(n/c, 1)
	for w := 0; w < c; w++ {
		wg.Go(func() {
			var g, f []time.Duration
			for i := -warmup; i < per; i++ {
				a, err := r.ttfbFake(ctx)
				if err == nil {
					var b time.Duration
					b, err = r.ttfbGateway(ctx)
					if i >= 0 {
						f, g = append(f, a), append(g, b)
					}
				}
				if err != nil {
					mu.Lock()
					firstErr = cmpErr(firstErr, err)
					mu.Unlock()
					return
				}
			}
			mu.Lock()
			gw, fake = append(gw, g...), append(fake, f...)
			mu.Unlock()
		})
	}
	wg.Wait()
	return gw, fake, firstErr
}

func cmpErr(old, err error) error {
	if old != nil {
		return old
	}
	return err
}

// chunkLatency streams answers whose chunks carry their send time, through
// the gateway and straight from the fake, and returns for each chunk the
// time from its sending to its arrival at the client.
func (r *rig) chunkLatency(ctx context.Context, streams, tokens int, interval time.Duration) (gw, direct []time.Duration, err error) {
	r.fake.SetDefault(fakebedrock.Scenario{Tokens: tokens, Interval: interval, Stamp: true})
	for i := 0; i < streams; i++ {
		g, err := r.stampsGateway(ctx)
		if err != nil {
			return nil, nil, err
		}
		d, err := r.stampsFake(ctx)
		if err != nil {
			return nil, nil, err
		}
		if i > 0 { // the first stream of each kind warms up
			gw, direct = append(gw, g...), append(direct, d...)
		}
	}
	return gw, direct, nil
}

func (r *rig) stampsGateway(ctx context.Context) ([]time.Duration, error) {
	resp, err := r.postGateway(ctx)
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
			return nil, fmt.Errorf("decode gateway chunk: %w", err)
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

// rate is a throughput and its heap allocations per frame.
type rate struct {
	FramesPerSec   float64 `json:"frames_per_sec"`
	AllocsPerFrame float64 `json:"allocs_per_frame"`
}

// throughput streams one unpaced answer of tokens chunks through the
// gateway, and the same straight from the fake, counting frames and the
// heap allocations of the whole process per frame.
func (r *rig) throughput(ctx context.Context, tokens int) (gw, direct rate, err error) {
	r.fake.SetDefault(fakebedrock.Tokens(tokens))
	measure := func(run func() (int, error)) (rate, error) {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		start := time.Now()
		n, err := run()
		el := time.Since(start)
		runtime.ReadMemStats(&after)
		if err != nil {
			return rate{}, err
		}
		if n < tokens {
			return rate{}, fmt.Errorf("%d frames of %d: %w", n, tokens, errShort)
		}
		return rate{float64(n) / el.Seconds(), float64(after.Mallocs-before.Mallocs) / float64(n)}, nil
	}
	gw, err = measure(func() (int, error) {
		resp, err := r.postGateway(ctx)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		br := bufio.NewReaderSize(resp.Body, 64<<10)
		n := 0
		for {
			line, err := br.ReadSlice('\n')
			if err == io.EOF {
				return n, nil
			}
			if err != nil {
				return n, err
			}
			if bytes.HasPrefix(line, []byte("data: ")) {
				n++
			}
		}
	})
	if err != nil {
		return gw, direct, err
	}
	direct, err = measure(func() (int, error) {
		resp, err := r.postFake(ctx)
		if err != nil {
			return 0, err
		}
		defer resp.Body.Close()
		_, err = io.Copy(io.Discard, resp.Body)
		return tokens + 1, err // the text chunks and the final one
	})
	return gw, direct, err
}

// footprint is the process at k concurrent streams.
type footprint struct {
	Streams    int     `json:"streams"`
	PeakRSSMB  float64 `json:"peak_rss_mb"`
	Goroutines int     `json:"goroutines"`
	HWMReset   bool    `json:"hwm_reset"` // false: peak is the highest VmRSS sampled
}

// memoryAt runs k concurrent paced streams through the gateway and reports
// the process's peak RSS and the most goroutines seen meanwhile.
func (r *rig) memoryAt(ctx context.Context, k int) (footprint, error) {
	r.fake.SetDefault(fakebedrock.Scenario{Tokens: 40, Interval: 25 * time.Millisecond})
	debug.FreeOSMemory()
	f := footprint{Streams: k, HWMReset: resetPeakRSS()}
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for i := 0; i < k; i++ {
		wg.Go(func() {
			resp, err := r.postGateway(ctx)
			if err == nil {
				_, err = io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			if err != nil {
				mu.Lock()
				firstErr = cmpErr(firstErr, err)
				mu.Unlock()
			}
		})
	}
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
			f.Goroutines = max(f.Goroutines, runtime.NumGoroutine())
			maxRSS = max(maxRSS, procStatusKB("VmRSS"))
		}
	}
	peak := maxRSS
	if f.HWMReset {
		peak = max(peak, procStatusKB("VmHWM"))
	}
	f.PeakRSSMB = float64(peak) / 1024
	return f, firstErr
}
