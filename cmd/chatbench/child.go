package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"runtime/debug"
	"runtime/pprof"
	"strings"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// The gateway and the floor each run in a process of their own (this
// program, started again with serveEnv set), so that the CPU time, heap
// allocations, RSS and goroutines of each are its own and not the fake's or
// the client's.
const (
	serveEnv      = "CHATBENCH_SERVE"      // "gateway" or "floor"
	fakeURLEnv    = "CHATBENCH_FAKE_URL"   // the fake Bedrock's base URL
	cpuProfileEnv = "CHATBENCH_CPUPROFILE" // where the child writes its CPU profile
	memProfileEnv = "CHATBENCH_MEMPROFILE" // where it writes its allocation profile
	readyPrefix   = "chatbench-child "
)

// childStats is what a server process reports about itself.
type childStats struct {
	Goroutines int    `json:"goroutines"`
	Mallocs    uint64 `json:"mallocs"`
	CPUNanos   int64  `json:"cpu_ns"` // user + system time so far
	RSSKB      int64  `json:"rss_kb"`
	HWMKB      int64  `json:"hwm_kb"` // peak RSS since the last reset
	HWMReset   bool   `json:"hwm_reset"`
	HeapKB     int64  `json:"heap_inuse_kb"`
	StackKB    int64  `json:"stack_inuse_kb"`
	NumGC      uint32 `json:"num_gc"`
	GCPauseNs  uint64 `json:"gc_pause_ns"`
}

// serveChild is the server process: it serves kind on one loopback port
// and its statistics on another, prints both addresses, and exits when its
// standard input closes (the parent is done or gone).
func serveChild(kind string) error {
	if p := os.Getenv(cpuProfileEnv); p != "" {
		f, err := os.Create(p)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
	}
	memProfile := os.Getenv(memProfileEnv)
	if memProfile != "" {
		runtime.MemProfileRate = 1 // every allocation, to count them per site
	}
	// The SDK's default transport, kept at hand to close its idle
	// connections between steps.
	transport := awshttp.NewBuildableClient().GetTransport()
	httpClient := &http.Client{Transport: transport}
	awsOpts := []func(*config.LoadOptions) error{
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDBENCH", "bench-secret", "")),
		config.WithBaseEndpoint(os.Getenv(fakeURLEnv)),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
		config.WithHTTPClient(httpClient),
	}
	ctx := context.Background()
	var (
		h   http.Handler
		err error
	)
	switch kind {
	case "gateway":
		h, err = newGateway(ctx, os.Getenv, awsOpts...)
	case "floor":
		h, err = newFloor(ctx, awsOpts...)
	default:
		err = fmt.Errorf("%s=%q: want gateway or floor", serveEnv, kind)
	}
	if err != nil {
		return err
	}
	srv, addr, err := serve(h)
	if err != nil {
		return err
	}
	defer srv.Close()
	mux := http.NewServeMux()
	mux.HandleFunc("GET /stats", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(selfStats())
	})
	mux.HandleFunc("GET /goroutines", func(w http.ResponseWriter, _ *http.Request) {
		_ = pprof.Lookup("goroutine").WriteTo(w, 1)
	})
	// POST /reset closes the idle upstream connections, collects garbage
	// and restarts the peak RSS, so that a step starts from a clean slate.
	mux.HandleFunc("POST /reset", func(w http.ResponseWriter, _ *http.Request) {
		transport.CloseIdleConnections()
		debug.FreeOSMemory()
		reset := resetPeakRSS()
		time.Sleep(50 * time.Millisecond) // let closed connections' goroutines end
		s := selfStats()
		s.HWMReset = reset
		_ = json.NewEncoder(w).Encode(s)
	})
	stats, statsAddr, err := serve(mux)
	if err != nil {
		return err
	}
	defer stats.Close()
	fmt.Printf("%s%s %s\n", readyPrefix, addr, statsAddr)
	_, _ = io.Copy(io.Discard, os.Stdin)
	if os.Getenv(cpuProfileEnv) != "" {
		pprof.StopCPUProfile()
	}
	if memProfile != "" {
		f, err := os.Create(memProfile)
		if err != nil {
			return err
		}
		defer f.Close()
		return pprof.Lookup("allocs").WriteTo(f, 0)
	}
	return nil
}

func selfStats() childStats {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return childStats{
		Goroutines: runtime.NumGoroutine(), Mallocs: ms.Mallocs, CPUNanos: processCPU().Nanoseconds(),
		RSSKB: procStatusKB("VmRSS"), HWMKB: procStatusKB("VmHWM"),
		HeapKB: int64(ms.HeapInuse >> 10), StackKB: int64(ms.StackInuse >> 10), NumGC: ms.NumGC, GCPauseNs: ms.PauseTotalNs,
	}
}

func serve(h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.Serve(ln) }()
	return s, ln.Addr().String(), nil
}

// child is the parent's handle on a server process.
type child struct {
	kind   string
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	url    string // the server's base URL
	stats  string // the statistics server's base URL
	client *http.Client
	exited chan struct{}
	err    error // how it exited, once exited is closed
}

// startChild starts this program again as a kind server, with env added to
// a minimal environment.
func startChild(ctx context.Context, kind string, env map[string]string) (*child, error) {
	exe, err := os.Executable()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(exe)
	cmd.Env = []string{serveEnv + "=" + kind, "PATH=" + os.Getenv("PATH"), "HOME=" + os.TempDir()}
	for _, k := range []string{"GOMAXPROCS", "GOGC", "GOMEMLIMIT", "GODEBUG"} {
		if v, ok := os.LookupEnv(k); ok {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
	}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	c := &child{kind: kind, cmd: cmd, client: &http.Client{Timeout: 30 * time.Second}, exited: make(chan struct{})}
	if c.stdin, err = cmd.StdinPipe(); err != nil {
		return nil, err
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	ready := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if line, ok := strings.CutPrefix(sc.Text(), readyPrefix); ok {
				ready <- line
				break
			}
		}
		_, _ = io.Copy(io.Discard, out)
		c.err = cmd.Wait()
		close(c.exited)
	}()
	select {
	case line := <-ready:
		addr, stats, _ := strings.Cut(line, " ")
		c.url, c.stats = "http://"+addr, "http://"+stats
		return c, nil
	case <-c.exited:
		return nil, fmt.Errorf("%s server exited before it was ready: %v", kind, c.err)
	case <-time.After(time.Minute):
		c.close()
		return nil, fmt.Errorf("%s server not ready after a minute", kind)
	case <-ctx.Done():
		c.close()
		return nil, ctx.Err()
	}
}

// snapshot asks the server for its statistics; reset first restarts them
// (see POST /reset).
func (c *child) snapshot(ctx context.Context, reset bool) (childStats, error) {
	method, path := http.MethodGet, "/stats"
	if reset {
		method, path = http.MethodPost, "/reset"
	}
	req, err := http.NewRequestWithContext(ctx, method, c.stats+path, nil)
	if err != nil {
		return childStats{}, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return childStats{}, fmt.Errorf("%s stats: %w", c.kind, err)
	}
	defer resp.Body.Close()
	var s childStats
	if err := json.NewDecoder(resp.Body).Decode(&s); err != nil {
		return childStats{}, fmt.Errorf("%s stats: %w", c.kind, err)
	}
	return s, nil
}

// goroutines returns the server's goroutines, grouped by stack.
func (c *child) goroutines(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.stats+"/goroutines", nil)
	if err != nil {
		return nil, err
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

// close ends the server (its standard input closes) and waits for it: it
// writes its profiles first.
func (c *child) close() {
	_ = c.stdin.Close()
	select {
	case <-c.exited:
	case <-time.After(30 * time.Second):
		_ = c.cmd.Process.Kill()
		<-c.exited
	}
	if c.err != nil {
		fmt.Fprintf(os.Stderr, "chatbench: %s server: %v\n", c.kind, c.err)
	}
}
