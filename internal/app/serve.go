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

const (
	// shutdownGrace is how long open streams may run on after a signal.
	shutdownGrace = 5 * time.Second
	// headerTimeout bounds reading a request's headers (or ReadTimeout, if
	// shorter).
	headerTimeout = 10 * time.Second
	// maxHeaderBytes bounds a request's headers: a JWT is at most 16 KiB, and
	// a browser's headers a few KiB more.
	maxHeaderBytes = 64 << 10
)

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
	srv := NewServer(cfg, h)
	srv.BaseContext = func(net.Listener) context.Context { return base }
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

// NewServer returns the local server for h with cfg's limits: a request
// must arrive within cfg.ReadTimeout, headers and body together (the
// headers within headerTimeout, if shorter), and its headers must fit in
// maxHeaderBytes. The body is read before the credential is checked, so
// without these a client that trickles bytes could hold connections and
// memory without one. A body that is late fails the handler's read with
// os.ErrDeadlineExceeded (the gateway answers 408), and net/http then
// closes the connection rather than parse the rest as a new request.
//
// ReadTimeout does not cut long answers: net/http lifts the read deadline
// once the body has been read, before its background read for a client
// that goes away (TestLongStreamOutlivesReadTimeout holds it to that). No
// WriteTimeout is set, since it would cut SSE streams.
func NewServer(cfg Config, h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadTimeout:       cfg.ReadTimeout,
		ReadHeaderTimeout: min(headerTimeout, cfg.ReadTimeout),
		MaxHeaderBytes:    maxHeaderBytes,
		IdleTimeout:       120 * time.Second,
	}
}
