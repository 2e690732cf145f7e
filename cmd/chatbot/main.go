package main

import (
	"context"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambdaurl"
)

func main() {
	if len(os.Args) > 1 {
		os.Exit(subcommand(os.Args[1:]))
	}
	stdout := &lockedWriter{w: os.Stdout}
	log := slog.New(slog.NewJSONHandler(stdout, &slog.HandlerOptions{Level: logLevel()}))
	slog.SetDefault(log)
	api := os.Getenv("AWS_LAMBDA_RUNTIME_API")
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	start := time.Now()
	h, s, err := build(ctx, os.Getenv, api != "", log, stdout)
	if err != nil {
		log.Error("invalid configuration", "error", err.Error())
		if api != "" {
			reportInitError(api, err)
		}
		fmt.Fprintln(os.Stderr, "chatbot:", err)
		os.Exit(1)
	}
	log.Info("ready", "init_ms", float64(time.Since(start).Microseconds())/1000, "lambda", api != "")
	if api != "" {
		stop() // Lambda manages the process's lifetime.
		lambdaurl.Start(h)
		return
	}
	if err := serve(ctx, s.addr, h, log); err != nil {
		fmt.Fprintln(os.Stderr, "chatbot:", err)
		os.Exit(1)
	}
}

// logLevel reads LOG_LEVEL early, so that configuration errors are logged
// at the level asked for; loadSettings reports a bad value.
func logLevel() slog.Level {
	var l slog.Level
	if l.UnmarshalText([]byte(os.Getenv("LOG_LEVEL"))) != nil {
		return slog.LevelInfo
	}
	return l
}
