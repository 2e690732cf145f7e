package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"time"
)

// procStatusKB reads a "kB" field of /proc/self/status (0 when absent, as
// on systems without /proc).
func procStatusKB(field string) int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, field+":"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}

// resetPeakRSS sets VmHWM back to the current RSS (Linux: clear_refs 5),
// so that each memory step reports its own peak.
func resetPeakRSS() bool {
	return os.WriteFile("/proc/self/clear_refs", []byte("5"), 0) == nil
}

// loadAvg is the first field of /proc/loadavg, or "" when unknown.
func loadAvg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return ""
	}
	return strings.Join(strings.Fields(string(b))[:3], " ")
}

// coldStart is BenchmarkColdStart's result: the real binary started under
// a fake Lambda Runtime API until its first SSE byte.
type coldStart struct {
	MillisToFirstByte float64 `json:"ms_to_first_sse_byte"`
	PeakRSSMB         float64 `json:"peak_rss_mb"`
	Runs              int     `json:"runs"`
}

// runColdStart runs BenchmarkColdStart of cmd/chatbot runs times.
func runColdStart(ctx context.Context, runs int) (coldStart, error) {
	ctx, cancel := context.WithTimeout(ctx, 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "go", "test", "-run", "^$", "-bench", "^BenchmarkColdStart$",
		"-benchtime", strconv.Itoa(runs)+"x", "-count", "1", "./cmd/chatbot")
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		return coldStart{}, fmt.Errorf("go test -bench ColdStart: %w\n%s", err, out.Bytes())
	}
	return parseColdStart(out.Bytes())
}

// parseColdStart reads the benchmark line of go test -bench output:
// "BenchmarkColdStart-2  5  0 ns/op  21.3 ms/first-sse-byte  17.9 MB-peak-rss".
func parseColdStart(out []byte) (coldStart, error) {
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) < 2 || !strings.HasPrefix(f[0], "BenchmarkColdStart") {
			continue
		}
		var c coldStart
		c.Runs, _ = strconv.Atoi(f[1])
		found := 0
		for i := 2; i+1 < len(f); i += 2 {
			v, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "ms/first-sse-byte":
				c.MillisToFirstByte, found = v, found+1
			case "MB-peak-rss":
				c.PeakRSSMB, found = v, found+1
			}
		}
		if found == 2 {
			return c, nil
		}
	}
	return coldStart{}, fmt.Errorf("no BenchmarkColdStart result in:\n%s", out)
}
