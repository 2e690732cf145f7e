package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"text/tabwriter"
	"time"
)

// plan sizes one run; quick is for a look, default for the table in
// docs/performance.md.
type plan struct {
	seq, seqWarm       int   // sequential TTFB samples and warm-up
	c10, c100          int   // TTFB samples at the second and third concurrency
	concurrency        []int // the three TTFB steps; nil means 1, 10 and 100
	chunkStreams       int   // stamped streams (the first warms up)
	chunkTokens        int
	chunkInterval      time.Duration
	tputTokens, tputN  int // unpaced stream length, and runs (best counts)
	coldRuns           int
	memoryConcurrences []int
}

var (
	fullPlan = plan{seq: 2000, seqWarm: 200, c10: 4000, c100: 5000,
		chunkStreams: 11, chunkTokens: 200, chunkInterval: time.Millisecond,
		tputTokens: 200_000, tputN: 3, coldRuns: 5, memoryConcurrences: []int{1, 100, 200}}
	quickPlan = plan{seq: 300, seqWarm: 50, c10: 600, c100: 1000,
		chunkStreams: 4, chunkTokens: 100, chunkInterval: time.Millisecond,
		tputTokens: 30_000, tputN: 1, coldRuns: 2, memoryConcurrences: []int{1, 100, 200}}
)

// ttfbResult is one TTFB step, in microseconds.
type ttfbResult struct {
	Concurrency int     `json:"concurrency"`
	Samples     int     `json:"samples"`
	FakeP50     float64 `json:"fake_p50_us"`
	FakeP99     float64 `json:"fake_p99_us"`
	GatewayP50  float64 `json:"gateway_p50_us"`
	GatewayP99  float64 `json:"gateway_p99_us"`
	AddedP50    float64 `json:"added_p50_us"`
	AddedP95    float64 `json:"added_p95_us"`
	AddedP99    float64 `json:"added_p99_us"`
}

type chunkResult struct {
	Samples   int     `json:"samples"`
	P50       float64 `json:"p50_us"`
	P99       float64 `json:"p99_us"`
	DirectP50 float64 `json:"direct_p50_us"` // straight from the fake, for scale
	DirectP99 float64 `json:"direct_p99_us"`
}

type throughputResult struct {
	Gateway             rate    `json:"gateway"`
	Direct              rate    `json:"direct"` // the fake alone
	AddedAllocsPerFrame float64 `json:"added_allocs_per_frame"`
}

type row struct {
	Metric string `json:"metric"`
	Value  string `json:"value"`
	Target string `json:"target,omitempty"`
	Result string `json:"result,omitempty"` // PASS, MISS or ""
}

type results struct {
	Time       string           `json:"time"`
	GoVersion  string           `json:"go_version"`
	GOMAXPROCS int              `json:"gomaxprocs"`
	NumCPU     int              `json:"num_cpu"`
	LoadBefore string           `json:"loadavg_before"`
	LoadAfter  string           `json:"loadavg_after"`
	Quick      bool             `json:"quick"`
	TTFB       []ttfbResult     `json:"ttfb"`
	Chunk      chunkResult      `json:"chunk_overhead"`
	Throughput throughputResult `json:"throughput"`
	Memory     []footprint      `json:"memory"`
	ColdStart  *coldStart       `json:"cold_start,omitempty"`
	ColdError  string           `json:"cold_start_error,omitempty"`
	ZipBytes   int64            `json:"zip_bytes,omitempty"`
	Rows       []row            `json:"table"`
}

func main() {
	quick := flag.Bool("quick", false, "a short run with fewer samples")
	out := flag.String("out", "bench/results.json", "where to write the JSON results (\"\" for none)")
	cold := flag.Bool("coldstart", true, "run BenchmarkColdStart of cmd/chatbot (needs the go tool and the source tree)")
	zip := flag.String("zip", "dist/chatbot.zip", "the Lambda zip whose size to report")
	cpuProfile := flag.String("cpuprofile", "", "write a CPU profile of the whole run to this file")
	flag.Parse()
	if *cpuProfile != "" {
		f, err := os.Create(*cpuProfile)
		if err == nil {
			err = pprof.StartCPUProfile(f)
		}
		if err != nil {
			fmt.Fprintln(os.Stderr, "chatbench:", err)
			os.Exit(1)
		}
		defer pprof.StopCPUProfile()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	p := fullPlan
	if *quick {
		p = quickPlan
	}
	res, err := run(ctx, p, *quick, *cold, *zip, os.Stderr)
	if err != nil {
		fmt.Fprintln(os.Stderr, "chatbench:", err)
		os.Exit(1)
	}
	printTable(os.Stdout, res)
	if *out != "" {
		if err := writeJSON(*out, res); err != nil {
			fmt.Fprintln(os.Stderr, "chatbench:", err)
			os.Exit(1)
		}
		fmt.Println("\nwrote", *out)
	}
}

func run(ctx context.Context, p plan, quick, cold bool, zip string, log io.Writer) (*results, error) {
	res := &results{
		Time: time.Now().UTC().Format(time.RFC3339), GoVersion: runtime.Version(),
		GOMAXPROCS: runtime.GOMAXPROCS(0), NumCPU: runtime.NumCPU(), LoadBefore: loadAvg(), Quick: quick,
	}
	r, err := newRig(ctx)
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	defer r.Close()

	// Memory first, before the other steps leave their garbage behind.
	if _, _, err := r.ttfb(ctx, 1, 20, 20); err != nil {
		return nil, fmt.Errorf("warm up: %w", err)
	}
	for _, k := range p.memoryConcurrences {
		fmt.Fprintf(log, "memory at %d streams...\n", k)
		f, err := r.memoryAt(ctx, k)
		if err != nil {
			return nil, fmt.Errorf("memory at %d streams: %w", k, err)
		}
		res.Memory = append(res.Memory, f)
	}

	cs := p.concurrency
	if cs == nil {
		cs = []int{1, 10, 100}
	}
	for _, step := range []struct{ c, n, warm int }{{cs[0], p.seq, p.seqWarm}, {cs[1], p.c10, 20}, {cs[2], p.c100, 3}} {
		fmt.Fprintf(log, "TTFB at concurrency %d...\n", step.c)
		gw, fake, err := r.ttfb(ctx, step.c, step.n, step.warm)
		if err != nil {
			return nil, fmt.Errorf("TTFB at concurrency %d: %w", step.c, err)
		}
		res.TTFB = append(res.TTFB, ttfbOf(step.c, gw, fake))
	}

	fmt.Fprintln(log, "chunk relay overhead...")
	gw, direct, err := r.chunkLatency(ctx, p.chunkStreams, p.chunkTokens, p.chunkInterval)
	if err != nil {
		return nil, fmt.Errorf("chunk overhead: %w", err)
	}
	res.Chunk = chunkResult{Samples: len(gw), P50: us(percentile(gw, .5)), P99: us(percentile(gw, .99)),
		DirectP50: us(percentile(direct, .5)), DirectP99: us(percentile(direct, .99))}

	fmt.Fprintln(log, "throughput...")
	for i := 0; i < p.tputN; i++ {
		g, d, err := r.throughput(ctx, p.tputTokens)
		if err != nil {
			return nil, fmt.Errorf("throughput: %w", err)
		}
		if g.FramesPerSec > res.Throughput.Gateway.FramesPerSec {
			res.Throughput.Gateway = g
		}
		if d.FramesPerSec > res.Throughput.Direct.FramesPerSec {
			res.Throughput.Direct = d
		}
	}
	res.Throughput.AddedAllocsPerFrame = res.Throughput.Gateway.AllocsPerFrame - res.Throughput.Direct.AllocsPerFrame

	if cold {
		fmt.Fprintln(log, "cold start (go test -bench ColdStart ./cmd/chatbot)...")
		c, err := runColdStart(ctx, p.coldRuns)
		if err != nil {
			res.ColdError = err.Error()
		} else {
			res.ColdStart = &c
		}
	}
	if st, err := os.Stat(zip); err == nil {
		res.ZipBytes = st.Size()
	}
	res.LoadAfter = loadAvg()
	res.Rows = table(res, zip)
	return res, nil
}

func ttfbOf(c int, gw, fake []time.Duration) ttfbResult {
	t := ttfbResult{Concurrency: c, Samples: len(gw)}
	gp := func(q float64) time.Duration { return percentile(gw, q) }
	fp := func(q float64) time.Duration { return percentile(fake, q) }
	t.FakeP50, t.FakeP99 = us(fp(.5)), us(fp(.99))
	t.GatewayP50, t.GatewayP99 = us(gp(.5)), us(gp(.99))
	t.AddedP50, t.AddedP95, t.AddedP99 = us(gp(.5)-fp(.5)), us(gp(.95)-fp(.95)), us(gp(.99)-fp(.99))
	return t
}

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// table lays the results out beside their targets.
func table(res *results, zip string) []row {
	var rows []row
	add := func(metric, value, target string, pass *bool) {
		r := row{Metric: metric, Value: value, Target: target}
		if pass != nil {
			r.Result = map[bool]string{true: "PASS", false: "MISS"}[*pass]
		}
		rows = append(rows, r)
	}
	check := func(ok bool) *bool { return &ok }
	ms := func(v float64) string { return fmt.Sprintf("%.3f ms", v/1000) }
	for _, t := range res.TTFB {
		name := fmt.Sprintf("added TTFB, c=%d", t.Concurrency)
		if t.Concurrency == 1 {
			name = "added TTFB, sequential"
		}
		var p50, p99 *bool
		var t50, t99 string
		switch t.Concurrency {
		case 1:
			p50, t50 = check(t.AddedP50 <= 300), "≤ 0.3 ms"
		case 10:
			p99, t99 = check(t.AddedP99 <= 2000), "≤ 2 ms"
		}
		add(name+" p50", ms(t.AddedP50), t50, p50)
		add(name+" p95", ms(t.AddedP95), "", nil)
		add(name+" p99", ms(t.AddedP99), t99, p99)
		add(fmt.Sprintf("  (fake alone p50/p99, gateway p50/p99, c=%d)", t.Concurrency),
			fmt.Sprintf("%s / %s, %s / %s", ms(t.FakeP50), ms(t.FakeP99), ms(t.GatewayP50), ms(t.GatewayP99)), "", nil)
	}
	c := res.Chunk
	add("chunk relay overhead p50", fmt.Sprintf("%.1f µs", c.P50), "≤ 50 µs", check(c.P50 <= 50))
	add("chunk relay overhead p99", fmt.Sprintf("%.1f µs", c.P99), "", nil)
	add("  (fake → client direct p50/p99)", fmt.Sprintf("%.1f / %.1f µs", c.DirectP50, c.DirectP99), "", nil)
	tp := res.Throughput
	add("throughput, one unpaced stream", fmt.Sprintf("%.0f frames/s", tp.Gateway.FramesPerSec), "≥ 50000 frames/s",
		check(tp.Gateway.FramesPerSec >= 50000))
	add("  (fake alone)", fmt.Sprintf("%.0f frames/s", tp.Direct.FramesPerSec), "", nil)
	add("allocations per frame (process / added by gateway)",
		fmt.Sprintf("%.1f / %.1f", tp.Gateway.AllocsPerFrame, tp.AddedAllocsPerFrame), "", nil)
	for _, f := range res.Memory {
		var pass *bool
		target := ""
		if f.Streams == 200 {
			pass, target = check(f.PeakRSSMB <= 96), "≤ 96 MB"
		}
		add(fmt.Sprintf("peak RSS, %d streams (whole process)", f.Streams), fmt.Sprintf("%.1f MB", f.PeakRSSMB), target, pass)
		add(fmt.Sprintf("goroutines, %d streams", f.Streams), fmt.Sprint(f.Goroutines), "", nil)
	}
	if cs := res.ColdStart; cs != nil {
		add("cold start to first SSE byte (Lambda, real binary)", fmt.Sprintf("%.1f ms", cs.MillisToFirstByte), "≤ 50 ms",
			check(cs.MillisToFirstByte <= 50))
		add("cold start peak RSS", fmt.Sprintf("%.1f MB", cs.PeakRSSMB), "≤ 32 MB", check(cs.PeakRSSMB <= 32))
	} else if res.ColdError != "" {
		add("cold start", "failed (see cold_start_error in the JSON)", "≤ 50 ms, ≤ 32 MB", nil)
	} else {
		add("cold start", "not measured (-coldstart=false)", "≤ 50 ms, ≤ 32 MB", nil)
	}
	if res.ZipBytes > 0 {
		add("Lambda zip size", fmt.Sprintf("%.2f MB", float64(res.ZipBytes)/(1<<20)), "", nil)
	} else {
		add("Lambda zip size", zip+" missing: run make lambda", "", nil)
	}
	return rows
}

func printTable(w io.Writer, res *results) {
	fmt.Fprintf(w, "\nchatbench %s, %s, GOMAXPROCS=%d, load average %s → %s%s\n\n", res.Time, res.GoVersion,
		res.GOMAXPROCS, res.LoadBefore, res.LoadAfter, map[bool]string{true: " (quick)"}[res.Quick])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\tmeasured\ttarget\t")
	for _, r := range res.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", r.Metric, r.Value, r.Target, r.Result)
	}
	_ = tw.Flush()
	if slices.ContainsFunc(res.Rows, func(r row) bool { return r.Result == "MISS" }) {
		fmt.Fprintln(w, "\nMISS: a target was not met on this run (see the load average: the machine may be busy).")
	}
}

func writeJSON(path string, res *results) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	b, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(path, append(b, '\n'), 0o644)
}
