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
	"slices"
	"strings"
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
	answers, batch     int // whole answers for the CPU per answer, in batches
	answerTokens       int
	coldRuns           int
	memoryConcurrences []int
	answersC10         int // whole answers at 10 concurrent clients, for the CPU per answer under load
	many, manyTokens   int // the many-streams step: streams, and stamped chunks each
	manyInterval       time.Duration
	steps              []string // of allSteps; nil means all
}

// allSteps are the measurements, in the order they run.
var allSteps = []string{"memory", "cpu", "ttfb", "chunk", "throughput", "many", "coldstart"}

func (p plan) runs(step string) bool { return p.steps == nil || slices.Contains(p.steps, step) }

var (
	fullPlan = plan{seq: 2000, seqWarm: 200, c10: 4000, c100: 5000,
		chunkStreams: 11, chunkTokens: 200, chunkInterval: time.Millisecond,
		tputTokens: 200_000, tputN: 3, answers: 4000, batch: 200, answerTokens: 20,
		coldRuns: 5, memoryConcurrences: []int{1, 100, 200}, answersC10: 4000,
		many: 500, manyTokens: 100, manyInterval: 20 * time.Millisecond}
	quickPlan = plan{seq: 300, seqWarm: 50, c10: 600, c100: 1000,
		chunkStreams: 4, chunkTokens: 100, chunkInterval: time.Millisecond,
		tputTokens: 30_000, tputN: 1, answers: 600, batch: 100, answerTokens: 20,
		coldRuns: 2, memoryConcurrences: []int{1, 100, 200}, answersC10: 1000,
		many: 500, manyTokens: 100, manyInterval: 20 * time.Millisecond}
)

// quantiles of a latency, in microseconds.
type quantiles struct {
	P50 float64 `json:"p50_us"`
	P95 float64 `json:"p95_us"`
	P99 float64 `json:"p99_us"`
}

func quantilesOf(ds []time.Duration) quantiles {
	return quantiles{us(percentile(ds, .5)), us(percentile(ds, .95)), us(percentile(ds, .99))}
}

func (q quantiles) minus(o quantiles) quantiles {
	return quantiles{q.P50 - o.P50, q.P95 - o.P95, q.P99 - o.P99}
}

// ttfbResult is one TTFB step: each server's time to its first data frame,
// and that time minus the fake's own time to its first frame.
type ttfbResult struct {
	Concurrency  int       `json:"concurrency"`
	Samples      int       `json:"samples"`
	Fake         quantiles `json:"fake"`
	Gateway      quantiles `json:"gateway"`
	Floor        quantiles `json:"floor"`
	GatewayAdded quantiles `json:"gateway_added"`
	FloorAdded   quantiles `json:"floor_added"`
}

type chunkResult struct {
	Samples int       `json:"samples"`
	Gateway quantiles `json:"gateway"`
	Floor   quantiles `json:"floor"`
	Direct  quantiles `json:"direct"` // straight from the fake, for scale
}

type throughputResult struct {
	Gateway             rate    `json:"gateway"`
	Floor               rate    `json:"floor"`
	Direct              rate    `json:"direct"` // the fake alone
	AddedAllocsPerFrame float64 `json:"added_allocs_per_frame"`
}

type answerResult struct {
	Tokens  int       `json:"tokens"`
	Gateway perAnswer `json:"gateway"`
	Floor   perAnswer `json:"floor"`
}

type memoryResult struct {
	Streams int       `json:"streams"`
	Gateway footprint `json:"gateway"`
	Floor   footprint `json:"floor"`
}

type results struct {
	Time       string           `json:"time"`
	Command    string           `json:"command"`
	GoVersion  string           `json:"go_version"`
	GOMAXPROCS int              `json:"gomaxprocs"`
	NumCPU     int              `json:"num_cpu"`
	LoadBefore string           `json:"loadavg_before"`
	LoadAfter  string           `json:"loadavg_after"`
	Quick      bool             `json:"quick"`
	Memory     []memoryResult   `json:"memory"`
	Answer     answerResult     `json:"answer"`
	AnswerC10  answerResult     `json:"answer_c10"`
	TTFB       []ttfbResult     `json:"ttfb"`
	Chunk      chunkResult      `json:"chunk_relay"`
	Throughput throughputResult `json:"throughput"`
	Many       *manyResult      `json:"many_streams,omitempty"`
	ColdStart  *coldStart       `json:"cold_start,omitempty"`
	ColdError  string           `json:"cold_start_error,omitempty"`
	ZipBytes   int64            `json:"zip_bytes,omitempty"`
	Rows       []row            `json:"table"`
}

func main() {
	if kind := os.Getenv(serveEnv); kind != "" {
		if err := serveChild(kind); err != nil {
			fmt.Fprintf(os.Stderr, "chatbench %s server: %v\n", kind, err)
			os.Exit(1)
		}
		return
	}
	quick := flag.Bool("quick", false, "a short run with fewer samples")
	out := flag.String("out", "bench/results.json", "where to write the JSON results (\"\" for none)")
	cold := flag.Bool("coldstart", true, "run BenchmarkColdStart of cmd/chatbot (needs the go tool and the source tree)")
	zip := flag.String("zip", "dist/chatbot.zip", "the Lambda zip whose size to report")
	cpuProfile := flag.String("cpuprofile", "", "write the gateway process's CPU profile to this file (the floor's to FILE.floor)")
	memProfile := flag.String("memprofile", "", "write the gateway process's allocation profile, every allocation sampled, to this file (the floor's to FILE.floor); slows both down")
	goroutines := flag.String("goroutines", "", "write the gateway's goroutines at the largest concurrency, grouped by stack, to this file (the floor's to FILE.floor)")
	steps := flag.String("steps", strings.Join(allSteps, ","), "the measurements to run, comma-separated (a profile of one step is easier to read)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	p := fullPlan
	if *quick {
		p = quickPlan
	}
	p.steps = strings.Split(*steps, ",")
	for _, s := range p.steps {
		if !slices.Contains(allSteps, s) {
			fmt.Fprintf(os.Stderr, "chatbench: -steps: unknown step %q (known: %s)\n", s, strings.Join(allSteps, ", "))
			os.Exit(2)
		}
	}
	res, err := run(ctx, p, runOptions{quick: *quick, cold: *cold, zip: *zip,
		prof: profiles{cpu: *cpuProfile, mem: *memProfile, goroutines: *goroutines}}, os.Stderr)
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

type runOptions struct {
	quick, cold bool
	zip         string
	prof        profiles
}

func run(ctx context.Context, p plan, o runOptions, log io.Writer) (*results, error) {
	res := &results{
		Time: time.Now().UTC().Format(time.RFC3339), Command: command(),
		GoVersion: runtime.Version(), GOMAXPROCS: runtime.GOMAXPROCS(0), NumCPU: runtime.NumCPU(),
		LoadBefore: loadAvg(), Quick: o.quick,
	}
	r, err := newRig(ctx, o.prof)
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	defer r.Close()

	// Warm both servers (key set, SDK clients, connections) before the
	// memory steps.
	if _, _, _, err := r.ttfb(ctx, 1, 20, 20); err != nil {
		return nil, fmt.Errorf("warm up: %w", err)
	}
	for _, k := range p.memoryConcurrences {
		if !p.runs("memory") {
			break
		}
		fmt.Fprintf(log, "memory and goroutines at %d streams...\n", k)
		m := memoryResult{Streams: k}
		var gwDump, flDump io.Writer
		if o.prof.goroutines != "" && k == slices.Max(p.memoryConcurrences) {
			gwDump, flDump = &fileOnce{path: o.prof.goroutines}, &fileOnce{path: o.prof.goroutines + ".floor"}
		}
		if m.Gateway, err = r.memoryAt(ctx, toGateway, k, gwDump); err == nil {
			m.Floor, err = r.memoryAt(ctx, toFloor, k, flDump)
		}
		if err != nil {
			return nil, fmt.Errorf("memory at %d streams: %w", k, err)
		}
		res.Memory = append(res.Memory, m)
	}

	if p.runs("cpu") {
		fmt.Fprintf(log, "CPU per answer (%d answers of %d chunks each)...\n", p.answers, p.answerTokens)
		res.Answer.Tokens = p.answerTokens
		if res.Answer.Gateway, res.Answer.Floor, err = r.answerCost(ctx, p.answers, max(p.batch, 1), p.answerTokens); err != nil {
			return nil, fmt.Errorf("CPU per answer: %w", err)
		}
		if p.answersC10 > 0 {
			fmt.Fprintf(log, "CPU per answer at 10 concurrent clients (%d answers)...\n", p.answersC10)
			res.AnswerC10.Tokens = p.answerTokens
			if res.AnswerC10.Gateway, res.AnswerC10.Floor, err = r.answerCostConcurrent(ctx, p.answersC10, max(p.batch, 10), 10, p.answerTokens); err != nil {
				return nil, fmt.Errorf("CPU per answer at 10 clients: %w", err)
			}
		}
	}

	cs := p.concurrency
	if cs == nil {
		cs = []int{1, 10, 100}
	}
	for _, step := range []struct{ c, n, warm int }{{cs[0], p.seq, p.seqWarm}, {cs[1], p.c10, 20}, {cs[2], p.c100, 3}} {
		if !p.runs("ttfb") {
			break
		}
		fmt.Fprintf(log, "TTFB at concurrency %d...\n", step.c)
		gw, fl, fake, err := r.ttfb(ctx, step.c, step.n, step.warm)
		if err != nil {
			return nil, fmt.Errorf("TTFB at concurrency %d: %w", step.c, err)
		}
		t := ttfbResult{Concurrency: step.c, Samples: len(gw),
			Fake: quantilesOf(fake), Gateway: quantilesOf(gw), Floor: quantilesOf(fl)}
		t.GatewayAdded, t.FloorAdded = t.Gateway.minus(t.Fake), t.Floor.minus(t.Fake)
		res.TTFB = append(res.TTFB, t)
	}

	if p.runs("chunk") {
		fmt.Fprintln(log, "chunk relay latency...")
		gw, fl, direct, err := r.chunkLatency(ctx, p.chunkStreams, p.chunkTokens, p.chunkInterval)
		if err != nil {
			return nil, fmt.Errorf("chunk relay: %w", err)
		}
		res.Chunk = chunkResult{Samples: len(gw), Gateway: quantilesOf(gw), Floor: quantilesOf(fl), Direct: quantilesOf(direct)}
	}

	tp := &res.Throughput
	for i := 0; i < p.tputN && p.runs("throughput"); i++ {
		if i == 0 {
			fmt.Fprintln(log, "throughput...")
		}
		for _, side := range []struct {
			t   target
			out *rate
		}{{toGateway, &tp.Gateway}, {toFloor, &tp.Floor}} {
			g, err := r.throughput(ctx, side.t, p.tputTokens)
			if err != nil {
				return nil, fmt.Errorf("throughput: %w", err)
			}
			if g.FramesPerSec > side.out.FramesPerSec {
				*side.out = g
			}
		}
		d, err := r.throughputDirect(ctx, p.tputTokens)
		if err != nil {
			return nil, fmt.Errorf("throughput: %w", err)
		}
		tp.Direct.FramesPerSec = max(tp.Direct.FramesPerSec, d.FramesPerSec)
	}
	tp.AddedAllocsPerFrame = tp.Gateway.AllocsPerFrame - tp.Floor.AllocsPerFrame

	if p.many > 0 && p.runs("many") {
		fmt.Fprintf(log, "%d concurrent streams of %d chunks every %v...\n", p.many, p.manyTokens, p.manyInterval)
		m := &manyResult{Streams: p.many, Tokens: p.manyTokens, IntervalMS: float64(p.manyInterval.Microseconds()) / 1e3}
		if m.Gateway, err = r.manyStreams(ctx, toGateway, p.many, p.manyTokens, p.manyInterval); err == nil {
			m.Floor, err = r.manyStreams(ctx, toFloor, p.many, p.manyTokens, p.manyInterval)
		}
		if err != nil {
			return nil, fmt.Errorf("%d streams: %w", p.many, err)
		}
		res.Many = m
	}

	if o.cold && p.runs("coldstart") {
		fmt.Fprintln(log, "cold start (go test -bench ColdStart ./cmd/chatbot)...")
		c, err := runColdStart(ctx, p.coldRuns)
		if err != nil {
			res.ColdError = err.Error()
		} else {
			res.ColdStart = &c
		}
	}
	if st, err := os.Stat(o.zip); err == nil {
		res.ZipBytes = st.Size()
	}
	res.LoadAfter = loadAvg()
	res.Rows = table(res, o.zip)
	return res, nil
}

// fileOnce writes its one Write to a file.
type fileOnce struct{ path string }

func (f *fileOnce) Write(p []byte) (int, error) { return len(p), os.WriteFile(f.path, p, 0o644) }

func us(d time.Duration) float64 { return float64(d.Nanoseconds()) / 1e3 }

// command is how this run was started, for the record beside its figures.
func command() string {
	name := filepath.Base(os.Args[0])
	if strings.Contains(os.Args[0], "go-build") {
		name = "go run ./cmd/chatbench" // go run's temporary binary
	}
	return strings.Join(append([]string{name}, os.Args[1:]...), " ")
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
