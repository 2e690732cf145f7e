package app_test

import (
	"bufio"
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/internal/pipenet"
)

// TestSlowBodies: many clients that send headers and then trickle a body a
// byte at a time are answered 408 and disconnected once
// CHATBOT_READ_TIMEOUT passes, and the server then holds none of their
// connections. The body is read before the credential is checked, so these
// clients need none. In a synctest bubble the clock is fake: "after the
// deadline" is exact, whatever the machine's load.
func TestSlowBodies(t *testing.T) {
	t.Parallel()
	const clients = 200
	synctest.Test(t, func(t *testing.T) {
		_, entry := authtest.APIKey(t, "k")
		cfg, err := app.Load(getenv(map[string]string{"CHATBOT_READ_TIMEOUT": "2s", "API_KEY_SHA256S": entry}), false)
		if err != nil {
			t.Fatal(err)
		}
		h, err := app.New(context.Background(), cfg, quiet)
		if err != nil {
			t.Fatal(err)
		}
		srv := app.NewServer(cfg, h)
		var open atomic.Int64
		srv.ConnState = func(_ net.Conn, s http.ConnState) {
			switch s {
			case http.StateNew:
				open.Add(1)
			case http.StateClosed, http.StateHijacked:
				open.Add(-1)
			}
		}
		ln := servePipe(t, srv)

		answers := make([]string, clients)
		var wg sync.WaitGroup
		for i := range clients {
			c := dialPipe(t, ln)
			wg.Go(func() { // the reader: the status line, then until the server closes
				status, _ := bufio.NewReader(c).ReadString('\n')
				answers[i] = strings.TrimSpace(status)
				_, _ = io.Copy(io.Discard, c)
				_ = c.Close()
			})
			wg.Go(func() { // the writer: a byte every 100ms, until the server closes
				_, err := io.WriteString(c, "POST /v1/chat/completions HTTP/1.1\r\nHost: gateway\r\n"+
					"Content-Type: application/json\r\nContent-Length: 100000\r\n\r\n")
				for err == nil {
					time.Sleep(100 * time.Millisecond)
					_, err = c.Write([]byte{' '})
				}
			})
		}

		time.Sleep(1900 * time.Millisecond)
		synctest.Wait()
		if n := open.Load(); n != clients {
			t.Fatalf("%d connections open just before the deadline, want all %d", n, clients)
		}
		time.Sleep(200 * time.Millisecond)
		synctest.Wait()
		if n := open.Load(); n != 0 {
			t.Errorf("%d connections still open after the deadline", n)
		}
		_ = srv.Close()
		wg.Wait()
		for i, a := range answers {
			if a != "HTTP/1.1 408 Request Timeout" {
				t.Fatalf("client %d was answered %q, want 408", i, a)
			}
		}
	})
}

// TestLongStreamOutlivesReadTimeout: the read deadline covers the request,
// not the answer. A stream that lasts many times CHATBOT_READ_TIMEOUT ends
// with [DONE]; http.Server.ReadTimeout would have cancelled it.
func TestLongStreamOutlivesReadTimeout(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		key, entry := authtest.APIKey(t, "k")
		cfg, err := app.Load(getenv(map[string]string{
			"CHATBOT_READ_TIMEOUT": "1s", "ELIZA_WORD_DELAY": "500ms", "API_KEY_SHA256S": entry,
		}), false)
		if err != nil {
			t.Fatal(err)
		}
		h, err := app.New(context.Background(), cfg, quiet)
		if err != nil {
			t.Fatal(err)
		}
		srv := app.NewServer(cfg, h)
		ln := servePipe(t, srv)
		client := &http.Client{Transport: &http.Transport{
			DialContext: ln.Dial,
		}}
		body := `{"stream":true,"messages":[{"role":"user","content":"I am unhappy about my father and his work"}]}`
		req, _ := http.NewRequest(http.MethodPost, "http://gateway/v1/chat/completions", strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Api-Key", key)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, err := io.ReadAll(resp.Body)
		resp.Body.Close()
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("status %d, %v", resp.StatusCode, err)
		}
		if took := time.Since(start); took < 3*time.Second {
			t.Fatalf("the answer took %v: too short to outlast the 1s read timeout", took)
		}
		if !strings.HasSuffix(string(b), "data: [DONE]\n\n") {
			t.Errorf("stream cut: %q", b)
		}
		client.CloseIdleConnections()
	})
}

// TestLargeHeaders: headers beyond the limit are refused by net/http
// (431) before the gateway runs.
func TestLargeHeaders(t *testing.T) {
	t.Parallel()
	synctest.Test(t, func(t *testing.T) {
		cfg, err := app.Load(getenv(nil), false)
		if err != nil {
			t.Fatal(err)
		}
		srv := app.NewServer(cfg, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
		ln := servePipe(t, srv)
		for _, tc := range []struct {
			size int
			want string
		}{
			{size: 32 << 10, want: "HTTP/1.1 200 OK"},
			{size: 256 << 10, want: "HTTP/1.1 431 Request Header Fields Too Large"},
		} {
			c := dialPipe(t, ln)
			go func() {
				_, _ = io.WriteString(c, "GET /healthz HTTP/1.1\r\nHost: localhost\r\nX-Big: "+strings.Repeat("a", tc.size)+"\r\n\r\n")
			}()
			status, _ := bufio.NewReader(c).ReadString('\n')
			if got := strings.TrimSpace(status); got != tc.want {
				t.Errorf("%d-byte header: %q, want %q", tc.size, got, tc.want)
			}
			_ = c.Close()
		}
	})
}

// servePipe serves srv on in-memory connections until the test ends: a
// synctest bubble can wait on those, never on a real socket.
func servePipe(t *testing.T, srv *http.Server) *pipenet.Listener {
	t.Helper()
	ln := pipenet.Listen("gateway.pipe")
	served := make(chan struct{})
	go func() {
		defer close(served)
		_ = srv.Serve(ln)
	}()
	t.Cleanup(func() {
		_ = srv.Close()
		<-served
		time.Sleep(time.Second) // net/http lingers briefly on a connection after an error answer
	})
	return ln
}

// dialPipe opens a connection to the server on ln.
func dialPipe(t *testing.T, ln *pipenet.Listener) net.Conn {
	t.Helper()
	c, err := ln.Dial(context.Background(), "pipe", "gateway.pipe")
	if err != nil {
		t.Fatal(err)
	}
	return c
}
