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
			c := ln.dial()
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
			DialContext: func(context.Context, string, string) (net.Conn, error) { return ln.dial(), nil },
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
			c := ln.dial()
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

// servePipe serves srv on in-memory connections until the test ends.
func servePipe(t *testing.T, srv *http.Server) *pipeListener {
	t.Helper()
	ln := newPipeListener()
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

// pipeListener serves in-memory connections (net.Pipe), which a synctest
// bubble can wait on; a real socket never counts as waiting.
type pipeListener struct {
	conns chan net.Conn
	done  chan struct{}
	once  sync.Once
}

func newPipeListener() *pipeListener {
	return &pipeListener{conns: make(chan net.Conn), done: make(chan struct{})}
}

func (l *pipeListener) dial() net.Conn {
	client, server := net.Pipe()
	l.conns <- server
	return client
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.done:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return nil
}

func (l *pipeListener) Addr() net.Addr { return pipeAddr{} }

type pipeAddr struct{}

func (pipeAddr) Network() string { return "pipe" }
func (pipeAddr) String() string  { return "gateway.pipe" }
