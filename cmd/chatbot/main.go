package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/chatbot-gateway/chatbot/internal/app"
)

// testOptions are added to the gateway only in binaries built with the
// chatbot_testhooks tag (see testhooks.go); release builds have none.
var testOptions []app.Option

func main() {
	if len(os.Args) > 1 {
		os.Exit(subcommand(os.Args[1:]))
	}
	start := time.Now()
	cfg, err := app.FromEnvironment()
	out := app.SyncWriter(os.Stdout)
	log := app.NewLogger(out, cfg.LogLevel) // a bad LOG_LEVEL leaves info
	if err == nil {
		err = run(cfg, log, out, start)
	}
	if err != nil {
		log.Error("cannot start", "error", err.Error())
		if cfg.RuntimeAPI != "" {
			reportInitError(cfg.RuntimeAPI, err)
		}
		fmt.Fprintln(os.Stderr, "chatbot:", err)
		os.Exit(1)
	}
}

// run builds the gateway once and serves it: through the Lambda Runtime API
// when on Lambda, else as the local server until SIGINT or SIGTERM.
func run(cfg app.Config, log *slog.Logger, out io.Writer, start time.Time) error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	h, err := app.New(ctx, cfg, append([]app.Option{app.WithLogger(log), app.WithOutput(out)}, testOptions...)...)
	if err != nil {
		return err
	}
	log.Info("ready", "version", version, "init_ms", float64(time.Since(start).Microseconds())/1000, "lambda", cfg.Lambda)
	if cfg.Lambda {
		stop() // Lambda manages the process's lifetime.
		lambda.StartHandlerFunc(app.LambdaEntry(h))
		return nil
	}
	return app.Serve(ctx, cfg, h, log)
}
