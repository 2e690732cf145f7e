package main

import (
	"context"
	"strings"
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	t.Parallel()
	ds := func(ns ...int) []time.Duration {
		out := make([]time.Duration, len(ns))
		for i, n := range ns {
			out[i] = time.Duration(n)
		}
		return out
	}
	tests := []struct {
		name string
		in   []time.Duration
		q    float64
		want time.Duration
	}{
		{name: "empty", in: nil, q: .5, want: 0},
		{name: "one", in: ds(7), q: .99, want: 7},
		{name: "median of unsorted", in: ds(5, 1, 3, 2, 4), q: .5, want: 3},
		{name: "max", in: ds(5, 1, 3), q: 1, want: 5},
		{name: "p99 of 101", in: ds(func() []int {
			v := make([]int, 101)
			for i := range v {
				v[i] = 100 - i
			}
			return v
		}()...), q: .99, want: 99},
	}
	for _, tt := range tests {
		if got := percentile(tt.in, tt.q); got != tt.want {
			t.Errorf("%s: percentile(%v) = %v, want %v", tt.name, tt.q, got, tt.want)
		}
	}
}

func TestParseColdStart(t *testing.T) {
	t.Parallel()
	out := "goos: linux\ngoarch: amd64\npkg: x\nBenchmarkColdStart-2   \t       5\t         0 ns/op\t        21.34 ms/first-sse-byte\t        17.90 MB-peak-rss\nPASS\nok  \tx\t9.1s\n"
	c, err := parseColdStart([]byte(out))
	if err != nil {
		t.Fatal(err)
	}
	if c.Runs != 5 || c.MillisToFirstByte != 21.34 || c.PeakRSSMB != 17.9 {
		t.Errorf("parseColdStart = %+v", c)
	}
	if _, err := parseColdStart([]byte("FAIL\tx [build failed]\n")); err == nil {
		t.Error("parseColdStart accepted output without a result")
	}
}

// TestRunTiny runs every measurement with tiny sizes: the rig starts, the
// gateway accepts the token and hash, stamps are found, and every target
// row gets a verdict.
func TestRunTiny(t *testing.T) {
	tiny := plan{seq: 20, seqWarm: 5, c10: 40, c100: 100, chunkStreams: 2, chunkTokens: 20,
		chunkInterval: time.Millisecond, tputTokens: 2000, tputN: 1, memoryConcurrences: []int{1, 20}}
	res, err := run(context.Background(), tiny, true, false, "testdata/none.zip", &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.TTFB) != 3 || res.TTFB[0].Samples != 20 || res.TTFB[1].Samples != 40 || res.TTFB[2].Samples != 100 {
		t.Errorf("TTFB steps %+v", res.TTFB)
	}
	if res.Chunk.Samples != 20 || res.Chunk.P50 <= 0 || res.Chunk.DirectP50 <= 0 {
		t.Errorf("chunk overhead %+v, want 20 stamped samples", res.Chunk)
	}
	if res.Throughput.Gateway.FramesPerSec <= 0 || res.Throughput.Direct.FramesPerSec <= 0 {
		t.Errorf("throughput %+v", res.Throughput)
	}
	if len(res.Memory) != 2 || res.Memory[1].Goroutines < tiny.memoryConcurrences[1] {
		t.Errorf("memory %+v", res.Memory)
	}
	verdicts := 0
	for _, r := range res.Rows {
		if r.Result != "" {
			verdicts++
		}
	}
	// Sequential p50, c=10 p99, chunk p50, throughput; no 200-stream step
	// and no cold start here.
	want := 4
	if verdicts != want {
		t.Errorf("%d rows with a verdict, want %d: %+v", verdicts, want, res.Rows)
	}
}
