package main

import (
	"fmt"
	"io"
	"slices"
	"text/tabwriter"
)

// The targets. Ratios are to the floor in the same run, so a busy machine
// slows both sides alike; the absolute ones hold on a quiet machine.
const (
	targetCPURatio       = 1.3   // CPU per answer, gateway / floor
	targetCPUUS          = 800   // CPU per 20-chunk answer, gateway, one client
	targetCPUc10US       = 1500  // CPU per 20-chunk answer, gateway, 10 concurrent clients
	targetAllocsPerFrame = 8     // allocations per relayed frame, gateway, SDK included
	targetAddedAllocs    = 0     // allocations per relayed frame, gateway − floor
	targetGoroutines     = 5     // goroutines per open stream, gateway, in all: the floor's 4 and the kept stream's writer
	targetChunkRatio     = 1.2   // chunk relay p50, gateway / floor
	targetChunkDirect    = 1.5   // chunk relay p50, gateway / fake straight to the client
	targetTTFBc10P99US   = 2000  // added TTFB p99 at c=10, gateway
	targetFramesPerSec   = 50000 // one unpaced stream, gateway
	targetRSS200MB       = 64    // peak RSS at 200 streams, gateway process
	targetManyChunkP99MS = 50    // many streams: chunk relay p99
	targetManyTTFBP99MS  = 100   // many streams: time to the first data frame, p99
	targetManyRSSMB      = 64    // many streams: peak RSS
	targetColdStartMS    = 50
	targetColdStartRSSMB = 32
)

type row struct {
	Metric  string `json:"metric"`
	Gateway string `json:"gateway"`
	Floor   string `json:"floor,omitempty"`
	Ratio   string `json:"ratio,omitempty"`
	Target  string `json:"target,omitempty"`
	Result  string `json:"result,omitempty"` // PASS, MISS or ""
}

// table lays the results out: each figure for the gateway and the floor,
// their ratio, and the target's verdict where there is one.
func table(res *results, zip string) []row {
	var rows []row
	add := func(r row, pass *bool) {
		if pass != nil {
			r.Result = map[bool]string{true: "PASS", false: "MISS"}[*pass]
		}
		rows = append(rows, r)
	}
	check := func(ok bool) *bool { return &ok }
	usf := func(v float64) string { return fmt.Sprintf("%.1f µs", v) }
	ms := func(v float64) string { return fmt.Sprintf("%.3f ms", v/1000) }
	ratio := func(g, f float64) (string, float64) {
		if f <= 0 {
			return "", 0
		}
		return fmt.Sprintf("%.2f×", g/f), g / f
	}

	a := res.Answer
	if a.Answers() > 0 {
		rs, rv := ratio(a.Gateway.CPUUS, a.Floor.CPUUS)
		add(row{Metric: fmt.Sprintf("CPU time per answer (%d chunks)", a.Tokens), Gateway: usf(a.Gateway.CPUUS),
			Floor: usf(a.Floor.CPUUS), Ratio: rs, Target: fmt.Sprintf("≤ %d µs, ≤ %.1f× floor", targetCPUUS, targetCPURatio)},
			check(rv > 0 && rv <= targetCPURatio && a.Gateway.CPUUS <= targetCPUUS))
		rs, _ = ratio(a.Gateway.Allocs, a.Floor.Allocs)
		add(row{Metric: "allocations per answer", Gateway: fmt.Sprintf("%.0f", a.Gateway.Allocs),
			Floor: fmt.Sprintf("%.0f", a.Floor.Allocs), Ratio: rs}, nil)
	}
	if a := res.AnswerC10; a.Answers() > 0 {
		rs, _ := ratio(a.Gateway.CPUUS, a.Floor.CPUUS)
		add(row{Metric: "CPU time per answer, 10 concurrent clients", Gateway: usf(a.Gateway.CPUUS),
			Floor: usf(a.Floor.CPUUS), Ratio: rs, Target: fmt.Sprintf("≤ %d µs", targetCPUc10US)},
			check(a.Gateway.CPUUS <= targetCPUc10US))
	}
	tp := res.Throughput
	if tp.Gateway.FramesPerSec > 0 {
		add(row{Metric: "allocations per relayed frame", Gateway: fmt.Sprintf("%.1f", tp.Gateway.AllocsPerFrame),
			Floor: fmt.Sprintf("%.1f", tp.Floor.AllocsPerFrame), Ratio: fmt.Sprintf("%+.1f", tp.AddedAllocsPerFrame),
			Target: fmt.Sprintf("≤ %d, %d added", targetAllocsPerFrame, targetAddedAllocs)},
			check(tp.Gateway.AllocsPerFrame <= targetAllocsPerFrame+0.05 && tp.AddedAllocsPerFrame < targetAddedAllocs+0.5))
	}
	for _, m := range res.Memory {
		var pass *bool
		target := ""
		if m.Streams == 200 {
			pass, target = check(m.Gateway.PerStream <= targetGoroutines+0.05), fmt.Sprintf("≤ %d", targetGoroutines)
		}
		add(row{Metric: fmt.Sprintf("goroutines per open stream, %d streams", m.Streams),
			Gateway: fmt.Sprintf("%.1f", m.Gateway.PerStream), Floor: fmt.Sprintf("%.1f", m.Floor.PerStream),
			Ratio: fmt.Sprintf("%+.1f", m.Gateway.PerStream-m.Floor.PerStream), Target: target}, pass)
		if m.Streams == 200 {
			// The floor's own (net/http's and the AWS SDK's) cannot go; the
			// gateway's can.
			add(row{Metric: "  goroutines the gateway adds per open stream",
				Gateway: fmt.Sprintf("%+.1f", m.Gateway.PerStream-m.Floor.PerStream), Target: "≤ 0"},
				check(m.Gateway.PerStream-m.Floor.PerStream <= 0.05))
		}
	}
	if c := res.Chunk; c.Samples > 0 {
		rs, rv := ratio(c.Gateway.P50, c.Floor.P50)
		add(row{Metric: "chunk relay p50 (fake send → client)", Gateway: usf(c.Gateway.P50), Floor: usf(c.Floor.P50),
			Ratio: rs, Target: fmt.Sprintf("≤ %.1f× floor", targetChunkRatio)}, check(rv > 0 && rv <= targetChunkRatio))
		rs, _ = ratio(c.Gateway.P99, c.Floor.P99)
		add(row{Metric: "chunk relay p99", Gateway: usf(c.Gateway.P99), Floor: usf(c.Floor.P99), Ratio: rs}, nil)
		rs, rv = ratio(c.Gateway.P50, c.Direct.P50)
		add(row{Metric: "chunk relay p50 against the fake → client directly", Gateway: usf(c.Gateway.P50),
			Floor: usf(c.Direct.P50) + " direct", Ratio: rs, Target: fmt.Sprintf("≤ %.1f× direct", targetChunkDirect)},
			check(rv > 0 && rv <= targetChunkDirect))
		add(row{Metric: "  (fake → client directly, p50 / p99)", Gateway: fmt.Sprintf("%s / %s", usf(c.Direct.P50), usf(c.Direct.P99))}, nil)
	}
	for _, t := range res.TTFB {
		name := fmt.Sprintf("added TTFB, c=%d", t.Concurrency)
		if t.Concurrency == 1 {
			name = "added TTFB, sequential"
		}
		for _, q := range []struct {
			name string
			g, f float64
		}{{"p50", t.GatewayAdded.P50, t.FloorAdded.P50}, {"p99", t.GatewayAdded.P99, t.FloorAdded.P99}} {
			r := row{Metric: name + " " + q.name, Gateway: ms(q.g), Floor: ms(q.f)}
			r.Ratio, _ = ratio(q.g, q.f)
			var pass *bool
			if t.Concurrency == 10 && q.name == "p99" {
				r.Target, pass = fmt.Sprintf("≤ %g ms", float64(targetTTFBc10P99US)/1000), check(q.g <= targetTTFBc10P99US)
			}
			add(r, pass)
		}
		add(row{Metric: fmt.Sprintf("  (fake's own TTFB p50 / p99, c=%d)", t.Concurrency),
			Gateway: fmt.Sprintf("%s / %s", ms(t.Fake.P50), ms(t.Fake.P99))}, nil)
	}
	if tp.Gateway.FramesPerSec > 0 {
		rs, _ := ratio(tp.Gateway.FramesPerSec, tp.Floor.FramesPerSec)
		add(row{Metric: "throughput, one unpaced stream", Gateway: fmt.Sprintf("%.0f frames/s", tp.Gateway.FramesPerSec),
			Floor: fmt.Sprintf("%.0f frames/s", tp.Floor.FramesPerSec), Ratio: rs,
			Target: fmt.Sprintf("≥ %d frames/s", targetFramesPerSec)}, check(tp.Gateway.FramesPerSec >= targetFramesPerSec))
		add(row{Metric: "  (fake alone)", Gateway: fmt.Sprintf("%.0f frames/s", tp.Direct.FramesPerSec)}, nil)
		rs, _ = ratio(tp.Gateway.CPUPerFrameUS, tp.Floor.CPUPerFrameUS)
		add(row{Metric: "CPU time per relayed frame", Gateway: usf(tp.Gateway.CPUPerFrameUS),
			Floor: usf(tp.Floor.CPUPerFrameUS), Ratio: rs}, nil)
	}
	for _, m := range res.Memory {
		var pass *bool
		target := ""
		if m.Streams == 200 {
			pass, target = check(m.Gateway.PeakRSSMB <= targetRSS200MB), fmt.Sprintf("≤ %d MB", targetRSS200MB)
		}
		rs, _ := ratio(m.Gateway.PeakRSSMB, m.Floor.PeakRSSMB)
		add(row{Metric: fmt.Sprintf("peak RSS, %d streams", m.Streams), Gateway: fmt.Sprintf("%.1f MB", m.Gateway.PeakRSSMB),
			Floor: fmt.Sprintf("%.1f MB", m.Floor.PeakRSSMB), Ratio: rs, Target: target}, pass)
	}
	if m := res.Many; m != nil {
		name := fmt.Sprintf("%d streams (%d chunks × %g ms)", m.Streams, m.Tokens, m.IntervalMS)
		g, f := m.Gateway, m.Floor
		for _, q := range []struct {
			what   string
			g, f   float64
			target float64
			unit   string
		}{
			{"chunk relay p99", g.Chunk.P99 / 1000, f.Chunk.P99 / 1000, targetManyChunkP99MS, "ms"},
			{"time to first token p99", g.TTFB.P99 / 1000, f.TTFB.P99 / 1000, targetManyTTFBP99MS, "ms"},
			{"peak RSS", g.PeakRSSMB, f.PeakRSSMB, targetManyRSSMB, "MB"},
		} {
			rs, _ := ratio(q.g, q.f)
			add(row{Metric: name + ": " + q.what, Gateway: fmt.Sprintf("%.1f %s", q.g, q.unit), Floor: fmt.Sprintf("%.1f %s", q.f, q.unit),
				Ratio: rs, Target: fmt.Sprintf("≤ %g %s", q.target, q.unit)}, check(q.g > 0 && q.g <= q.target))
		}
		add(row{Metric: name + ": chunk relay p50", Gateway: ms(g.Chunk.P50), Floor: ms(f.Chunk.P50)}, nil)
		add(row{Metric: name + ": failed streams", Gateway: fmt.Sprint(g.Errors), Floor: fmt.Sprint(f.Errors), Target: "0"},
			check(g.Errors == 0))
		add(row{Metric: name + ": CPU time", Gateway: fmt.Sprintf("%.2f s", g.CPUSec), Floor: fmt.Sprintf("%.2f s", f.CPUSec)}, nil)
		add(row{Metric: "  (fake and clients: CPU time, wall time)", Gateway: fmt.Sprintf("%.2f s in %.2f s", g.LoadGenCPUSec, g.WallSec),
			Floor: fmt.Sprintf("%.2f s in %.2f s", f.LoadGenCPUSec, f.WallSec)}, nil)
		add(row{Metric: name + ": heap / stacks in use", Gateway: fmt.Sprintf("%.1f / %.1f MB", g.HeapMB, g.StackMB),
			Floor: fmt.Sprintf("%.1f / %.1f MB", f.HeapMB, f.StackMB)}, nil)
		add(row{Metric: name + ": collections, pauses", Gateway: fmt.Sprintf("%d, %.1f ms", g.GCs, g.GCPauseMS),
			Floor: fmt.Sprintf("%d, %.1f ms", f.GCs, f.GCPauseMS)}, nil)
	}
	coldTarget := fmt.Sprintf("≤ %d ms", targetColdStartMS)
	if cs := res.ColdStart; cs != nil {
		add(row{Metric: "Lambda cold start to first SSE byte", Gateway: fmt.Sprintf("%.1f ms", cs.MillisToFirstByte),
			Target: coldTarget}, check(cs.MillisToFirstByte <= targetColdStartMS))
		add(row{Metric: "Lambda cold start peak RSS", Gateway: fmt.Sprintf("%.1f MB", cs.PeakRSSMB),
			Target: fmt.Sprintf("≤ %d MB", targetColdStartRSSMB)}, check(cs.PeakRSSMB <= targetColdStartRSSMB))
	} else if res.ColdError != "" {
		add(row{Metric: "Lambda cold start", Gateway: "failed (cold_start_error in the JSON)", Target: coldTarget}, nil)
	} else {
		add(row{Metric: "Lambda cold start", Gateway: "not measured (-coldstart=false)", Target: coldTarget}, nil)
	}
	if res.ZipBytes > 0 {
		add(row{Metric: "Lambda zip size", Gateway: fmt.Sprintf("%.2f MB", float64(res.ZipBytes)/(1<<20))}, nil)
	} else {
		add(row{Metric: "Lambda zip size", Gateway: zip + " missing: run make lambda"}, nil)
	}
	return rows
}

// Answers reports how many answers were measured per server.
func (a answerResult) Answers() int { return a.Gateway.Answers }

func printTable(w io.Writer, res *results) {
	fmt.Fprintf(w, "\n%s\n%s, %s, GOMAXPROCS=%d, load average %s → %s%s\n\n", res.Command, res.Time, res.GoVersion,
		res.GOMAXPROCS, res.LoadBefore, res.LoadAfter, map[bool]string{true: " (quick)"}[res.Quick])
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\tgateway\tfloor\tratio\ttarget\t")
	for _, r := range res.Rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\n", r.Metric, r.Gateway, r.Floor, r.Ratio, r.Target, r.Result)
	}
	_ = tw.Flush()
	if slices.ContainsFunc(res.Rows, func(r row) bool { return r.Result == "MISS" }) {
		fmt.Fprintln(w, "\nMISS: a target was not met on this run. Ratios to the floor hold on a busy machine;")
		fmt.Fprintln(w, "absolute times do not (see the load average). docs/performance.md explains each miss.")
	}
}
