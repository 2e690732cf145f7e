package pipenet_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"testing"
	"testing/synctest"

	"github.com/chatbot-gateway/chatbot/internal/pipenet"
)

// An http.Server on the listener answers a client whose transport dials it,
// inside a synctest bubble.
func TestServesHTTP(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		ln := pipenet.Listen("test.pipe")
		srv := &http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "hello "+r.Host)
		})}
		served := make(chan struct{})
		go func() {
			defer close(served)
			_ = srv.Serve(ln)
		}()
		client := &http.Client{Transport: &http.Transport{DialContext: ln.Dial}}
		resp, err := client.Get("http://anywhere.example/")
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		_ = resp.Body.Close()
		if string(body) != "hello anywhere.example" {
			t.Fatalf("body = %q", body)
		}
		client.CloseIdleConnections()
		_ = srv.Close()
		<-served
		if a := ln.Addr(); a.Network() != "pipe" || a.String() != "test.pipe" {
			t.Fatalf("Addr = %s %s", a.Network(), a)
		}
	})
}

// After Close, Dial and Accept fail at once instead of waiting forever.
func TestClosed(t *testing.T) {
	t.Parallel()
	ln := pipenet.Listen("test.pipe")
	_ = ln.Close()
	if _, err := ln.Dial(context.Background(), "pipe", "x"); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Dial after Close: %v", err)
	}
	if _, err := ln.Accept(); !errors.Is(err, net.ErrClosed) {
		t.Fatalf("Accept after Close: %v", err)
	}
}

// A Dial nobody accepts ends with its context.
func TestDialCancelled(t *testing.T) {
	t.Parallel()
	ln := pipenet.Listen("test.pipe")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := ln.Dial(ctx, "pipe", "x"); !errors.Is(err, context.Canceled) {
		t.Fatalf("Dial with a cancelled context: %v", err)
	}
}
