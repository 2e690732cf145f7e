package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// shutdownGrace is how long open streams may run on after a signal.
const shutdownGrace = 5 * time.Second

// Serve runs h as the local server on cfg.Addr until ctx ends, then shuts down gracefully:
// new connections are refused, open streams get shutdownGrace to finish,
// and those still open are then ended with an in-band error.
func Serve(ctx context.Context, cfg Config, h http.Handler, log *slog.Logger) error {
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		return fmt.Errorf("listen: %w", err)
	}
	base, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	srv := &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 10 * time.Second,
		IdleTimeout:       120 * time.Second,
		BaseContext:       func(net.Listener) context.Context { return base },
	}
	url := "http://" + ln.Addr().String()
	log.Info("listening", "url", url)
	fmt.Printf("chatbot gateway listening on %s\n", url)

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down", "grace", shutdownGrace.String())
	sctx, scancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer scancel()
	if err := srv.Shutdown(sctx); err != nil {
		// Grace is over: end the remaining streams with an in-band error,
		// then give them a moment to write it.
		cancel(gateway.ErrShuttingDown)
		fctx, fcancel := context.WithTimeout(context.Background(), time.Second)
		defer fcancel()
		if err := srv.Shutdown(fctx); err != nil {
			_ = srv.Close()
		}
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}
