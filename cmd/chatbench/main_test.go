package main

import (
	"context"
	"fmt"
	"os"
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

// TestMain lets the test binary be the rig's server processes too: the
// rig starts os.Executable() again with serveEnv set.
func TestMain(m *testing.M) {
	if kind := os.Getenv(serveEnv); kind != "" {
		if err := serveChild(kind); err != nil {
			fmt.Fprintf(os.Stderr, "chatbench %s server: %v\n", kind, err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// TestRunTiny runs every measurement with tiny sizes: both server
// processes start, the gateway accepts the token and hash, stamps are
// found, the servers report their statistics, and every target row gets a
// verdict.
func TestRunTiny(t *testing.T) {
	tiny := plan{seq: 20, seqWarm: 5, c10: 40, c100: 100, chunkStreams: 2, chunkTokens: 20,
		chunkInterval: time.Millisecond, tputTokens: 2000, tputN: 1, answers: 20, batch: 10, answerTokens: 20,
		memoryConcurrences: []int{1, 20}, answersC10: 20, many: 20, manyTokens: 10, manyInterval: 5 * time.Millisecond}
	res, err := run(context.Background(), tiny, runOptions{quick: true, zip: "testdata/none.zip"}, &strings.Builder{})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.TTFB) != 3 || res.TTFB[0].Samples != 20 || res.TTFB[1].Samples != 40 || res.TTFB[2].Samples != 100 {
		t.Errorf("TTFB steps %+v", res.TTFB)
	}
	for _, tt := range res.TTFB {
		if tt.Gateway.P50 <= 0 || tt.Floor.P50 <= 0 || tt.Fake.P50 <= 0 {
			t.Errorf("TTFB at c=%d: %+v", tt.Concurrency, tt)
		}
	}
	if c := res.Chunk; c.Samples != 20 || c.Gateway.P50 <= 0 || c.Floor.P50 <= 0 || c.Direct.P50 <= 0 {
		t.Errorf("chunk relay %+v, want 20 stamped samples of each", res.Chunk)
	}
	tp := res.Throughput
	if tp.Gateway.FramesPerSec <= 0 || tp.Floor.FramesPerSec <= 0 || tp.Direct.FramesPerSec <= 0 ||
		tp.Gateway.AllocsPerFrame <= 0 || tp.Floor.AllocsPerFrame <= 0 {
		t.Errorf("throughput %+v", tp)
	}
	a := res.Answer
	// 20 chunks, the finish chunk and [DONE].
	if a.Gateway.FramesPer != 22 || a.Floor.FramesPer != 22 || a.Gateway.CPUUS <= 0 || a.Floor.CPUUS <= 0 ||
		a.Gateway.Allocs <= 0 || a.Floor.Allocs <= 0 {
		t.Errorf("per answer %+v", a)
	}
	if c := res.AnswerC10; c.Gateway.CPUUS <= 0 || c.Floor.CPUUS <= 0 || c.Gateway.Answers != 20 {
		t.Errorf("per answer at 10 clients %+v", c)
	}
	if m := res.Many; m == nil || m.Gateway.Chunks != 200 || m.Floor.Chunks != 200 || m.Gateway.Errors != 0 ||
		m.Gateway.TTFB.P99 <= 0 || m.Floor.Chunk.P99 <= 0 || m.Gateway.PeakRSSMB <= 0 {
		t.Errorf("many streams %+v, want 20 streams of 10 stamped chunks through each", m)
	}
	if len(res.Memory) != 2 {
		t.Fatalf("memory %+v", res.Memory)
	}
	for _, m := range res.Memory {
		for _, f := range []footprint{m.Gateway, m.Floor} {
			// Each open stream holds at least the server's connection
			// goroutine and the SDK's event reader.
			if f.PeakRSSMB <= 0 || f.PerStream < 2 {
				t.Errorf("memory at %d streams: %+v", m.Streams, f)
			}
		}
	}
	verdicts := 0
	for _, r := range res.Rows {
		if r.Result != "" {
			verdicts++
		}
	}
	// CPU per answer alone and at 10 clients, allocations per frame, chunk
	// p50 against the floor and against the direct path, c=10 p99,
	// throughput, and the many-streams step's chunk p99, time to first
	// token p99, RSS and failures; no 200-stream step and no cold start
	// here.
	if want := 11; verdicts != want {
		t.Errorf("%d rows with a verdict, want %d: %+v", verdicts, want, res.Rows)
	}
}
