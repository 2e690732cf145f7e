package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/loopback"
)

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "fakebedrock:", err)
		os.Exit(1)
	}
}

// scenarios are the names -scenario accepts.
var scenarios = map[string]func(tokens int, interval time.Duration) fakebedrock.Scenario{
	"ok": func(n int, d time.Duration) fakebedrock.Scenario { return fakebedrock.Scenario{Tokens: n, Interval: d} },
	"stamp": func(n int, d time.Duration) fakebedrock.Scenario {
		return fakebedrock.Scenario{Tokens: n, Interval: d, Stamp: true}
	},
	"throttled":     func(int, time.Duration) fakebedrock.Scenario { return fakebedrock.Throttled() },
	"access-denied": func(int, time.Duration) fakebedrock.Scenario { return fakebedrock.AccessDenied() },
	"not-found":     func(int, time.Duration) fakebedrock.Scenario { return fakebedrock.NotFound() },
	"invalid": func(int, time.Duration) fakebedrock.Scenario {
		return fakebedrock.Invalid("invalid request from the fake")
	},
	"unavailable": func(int, time.Duration) fakebedrock.Scenario { return fakebedrock.Unavailable() },
	"stream-error": func(n int, d time.Duration) fakebedrock.Scenario {
		s := fakebedrock.InStream("modelStreamErrorException", n/2)
		s.Tokens, s.Interval = n, d
		return s
	},
	"cut": func(n int, d time.Duration) fakebedrock.Scenario {
		s := fakebedrock.CutAfter(n, n/2)
		s.Interval = d
		return s
	},
	"silent": func(int, time.Duration) fakebedrock.Scenario { return fakebedrock.Silent() },
	"stall": func(n int, d time.Duration) fakebedrock.Scenario {
		s := fakebedrock.StallAfter(n, n/2)
		s.Interval = d
		return s
	},
	"huge-frame": func(n int, d time.Duration) fakebedrock.Scenario {
		s := fakebedrock.HugeFrameAfter(n/2, 16<<20)
		s.Interval = d
		return s
	},
}

func run(args []string) error {
	fs := flag.NewFlagSet("fakebedrock", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:0", "listen address (loopback only)")
	tokens := fs.Int("tokens", 20, "text chunks per answer")
	interval := fs.Duration("interval", 50*time.Millisecond, "pause between chunks")
	rate := fs.Float64("rate", 0, "chunks per second (overrides -interval when > 0)")
	name := fs.String("scenario", "ok", "ok|stamp|throttled|access-denied|not-found|invalid|unavailable|stream-error|cut|silent|stall|huge-frame")
	guardrail := fs.String("guardrail", "", "act as the guardrail ID:VERSION on calls that name it (see -guardrail-word)")
	word := fs.String("guardrail-word", "forbidden", "the word the guardrail blocks, in a prompt or in an answer (e.g. tok3)")
	blocked := fs.String("guardrail-message", "Sorry, the model cannot answer this question.", "the guardrail's message")
	var perModel []string
	fs.Func("model-scenario", "MODEL_ID=SCENARIO: answer that model's calls with another scenario (repeatable)", func(v string) error {
		perModel = append(perModel, v)
		return nil
	})
	if err := fs.Parse(args); err != nil {
		return err
	}
	opts := []fakebedrock.Option{}
	if *guardrail != "" {
		id, version, ok := strings.Cut(*guardrail, ":")
		if !ok || id == "" || version == "" {
			return fmt.Errorf("-guardrail %q: want ID:VERSION", *guardrail)
		}
		opts = append(opts, fakebedrock.WithGuardrail(fakebedrock.Guardrail{ID: id, Version: version, Word: *word, Message: *blocked}))
	}
	if *rate > 0 {
		*interval = time.Duration(float64(time.Second) / *rate)
	}
	mk, ok := scenarios[*name]
	if !ok {
		return fmt.Errorf("unknown -scenario %q", *name)
	}
	for _, v := range perModel {
		id, sc, _ := strings.Cut(v, "=")
		mkm, ok := scenarios[sc]
		if id == "" || !ok {
			return fmt.Errorf("-model-scenario %q: want MODEL_ID=SCENARIO with a known scenario", v)
		}
		opts = append(opts, fakebedrock.WithModelScenario(id, mkm(*tokens, *interval)))
	}
	host, _, err := net.SplitHostPort(*addr)
	if err != nil {
		return fmt.Errorf("parse -addr: %w", err)
	}
	if !loopback.Host(host) {
		return fmt.Errorf("-addr %s: only loopback addresses are allowed", *addr)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	srv := &http.Server{
		Handler:           fakebedrock.NewHandler(append(opts, fakebedrock.WithScenario(mk(*tokens, *interval)))...),
		ReadHeaderTimeout: 10 * time.Second,
	}
	fmt.Printf("http://%s\n", ln.Addr())

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return nil
}
