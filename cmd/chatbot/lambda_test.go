package main_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/internal/sse/ssetest"
)

// binary is the real chatbot binary, built once for the host architecture
// with the test models compiled in (-tags chatbot_testhooks).
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "chatbot-wire")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "bootstrap")
	build := exec.Command("go", "build", "-tags", "lambda.norpc chatbot_testhooks",
		"-ldflags", "-X main.version="+stampedVersion, "-o", binary, ".")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build bootstrap:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// startBootstrap runs the binary against rt with env added to a minimal
// environment. It is killed when the test ends.
func startBootstrap(t testing.TB, rt *fakeRuntime, env map[string]string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	return startBinary(t, env, "AWS_LAMBDA_RUNTIME_API="+rt.addr(), "AWS_LAMBDA_FUNCTION_NAME=chatbot", "AWS_REGION=us-east-1")
}

// startBinary runs the binary with base and env as its whole environment,
// its output collected. It is killed when the test ends.
func startBinary(t testing.TB, env map[string]string, base ...string) (*exec.Cmd, *syncBuffer) {
	t.Helper()
	cmd := exec.Command(binary)
	cmd.Env = append(base, "HOME="+t.TempDir(), "PATH=/usr/bin:/bin")
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	out := &syncBuffer{}
	cmd.Stdout, cmd.Stderr = out, out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
	})
	return cmd, out
}

type wire struct {
	rt     *fakeRuntime
	issuer *authtest.Issuer
	out    *syncBuffer
	token  string
}

func newWire(t *testing.T, env map[string]string) *wire {
	t.Helper()
	issuer := authtest.NewIssuer(t)
	all := issuer.Env("access")
	for k, v := range env {
		all[k] = v
	}
	rt := newFakeRuntime(t)
	_, out := startBootstrap(t, rt, all)
	return &wire{rt: rt, issuer: issuer, out: out, token: issuer.AccessToken(t)}
}

// chat invokes POST /v1/chat/completions with a valid token and hash.
func (w *wire) chat(t *testing.T, id, body string, b64 bool, deadline time.Time) *response {
	t.Helper()
	headers := map[string]string{
		"content-type":         "application/json",
		"x-authorization":      "Bearer " + w.token,
		"x-amz-content-sha256": authtest.PayloadHash([]byte(body)),
	}
	sent := body
	if b64 {
		sent = base64.StdEncoding.EncodeToString([]byte(body))
	}
	return w.rt.invoke(t, id, deadline, functionURLRequest("POST", "/v1/chat/completions", headers, sent, b64))
}

type frame struct {
	data string
	at   time.Time
}

// frames parses a streamed SSE body and dates each event by when its last
// byte reached the runtime.
func frames(t *testing.T, res *response) (prelude, []frame) {
	t.Helper()
	p, body, start := res.split(t)
	evs, err := ssetest.NewReader(strings.NewReader(string(body))).All()
	if err != nil {
		t.Fatalf("parse SSE: %v", err)
	}
	var out []frame
	offset := start
	rest := string(body)
	for _, ev := range evs {
		// Each of our events ends at the next blank line.
		i := strings.Index(rest, "data: ")
		j := strings.Index(rest[i:], "\n\n")
		offset += i + j + 2
		rest = rest[i+j+2:]
		out = append(out, frame{data: ev.Data, at: res.arrivedBy(offset)})
	}
	return p, out
}

func TestLambdaWire(t *testing.T) {
	t.Parallel()
	w := newWire(t, map[string]string{"ELIZA_WORD_DELAY": "40ms"})
	far := time.Now().Add(10 * time.Minute)
	body := `{"stream":true,"messages":[{"role":"user","content":"I am unhappy about my father and his work"}]}`

	t.Run("streams incrementally", func(t *testing.T) {
		res := w.chat(t, "inv-plain", body, false, far)
		if res.contentType != "application/vnd.awslambda.http-integration-response" {
			t.Errorf("content type = %q", res.contentType)
		}
		if res.contentLength != -1 || res.errorPosted {
			t.Errorf("response posted with length %d (error %v), want a chunked stream", res.contentLength, res.errorPosted)
		}
		p, fs := frames(t, res)
		if p.StatusCode != 200 || !strings.HasPrefix(p.Headers["Content-Type"], "text/event-stream") {
			t.Fatalf("prelude = %+v", p)
		}
		if len(fs) < 5 || fs[len(fs)-1].data != "[DONE]" {
			t.Fatalf("frames = %v, want content then [DONE]", fs)
		}
		// Words are paced 40ms apart: streamed, the first and last content
		// frames arrive well apart; buffered, they would arrive together.
		content := fs[:len(fs)-2]
		spread := content[len(content)-1].at.Sub(content[0].at)
		if min := time.Duration(len(content)-1) * 20 * time.Millisecond; spread < min {
			t.Errorf("%d content frames arrived within %v, want at least %v apart: not streamed", len(content), spread, min)
		}
		distinct := map[time.Time]bool{}
		for _, f := range content {
			distinct[f.at] = true
		}
		if len(distinct) < 3 {
			t.Errorf("frames arrived in %d reads, want at least 3", len(distinct))
		}
	})

	t.Run("base64 body", func(t *testing.T) {
		p, fs := frames(t, w.chat(t, "inv-b64", body, true, far))
		if p.StatusCode != 200 || fs[len(fs)-1].data != "[DONE]" {
			t.Errorf("prelude %+v, last frame %q", p, fs[len(fs)-1].data)
		}
	})

	t.Run("missing token is 401 with JSON", func(t *testing.T) {
		res := w.rt.invoke(t, "inv-401", far, functionURLRequest("POST", "/v1/chat/completions",
			map[string]string{"content-type": "application/json", "x-amz-content-sha256": authtest.PayloadHash([]byte(body))}, body, false))
		p, rest, _ := res.split(t)
		if p.StatusCode != 401 || p.Headers["Www-Authenticate"] == "" {
			t.Errorf("prelude = %+v, want 401 with WWW-Authenticate", p)
		}
		var e struct {
			Error struct{ Type, Code string } `json:"error"`
		}
		if err := json.Unmarshal(rest, &e); err != nil || e.Error.Type != "authentication_error" {
			t.Errorf("body %q: %v", rest, err)
		}
	})

	t.Run("bad payload hash is 400", func(t *testing.T) {
		res := w.rt.invoke(t, "inv-hash", far, functionURLRequest("POST", "/v1/chat/completions", map[string]string{
			"content-type": "application/json", "x-authorization": "Bearer " + w.token,
			"x-amz-content-sha256": authtest.PayloadHash([]byte("another body")),
		}, body, false))
		if p, _, _ := res.split(t); p.StatusCode != 400 {
			t.Errorf("status = %d, want 400", p.StatusCode)
		}
	})

	t.Run("malformed JSON is 400", func(t *testing.T) {
		if p, _, _ := w.chat(t, "inv-400", `{"messages":`, false, far).split(t); p.StatusCode != 400 {
			t.Errorf("status = %d, want 400", p.StatusCode)
		}
	})

	t.Run("panic is survived", func(t *testing.T) {
		_, fs := frames(t, w.chat(t, "inv-panic", `{"model":"test-panic","stream":true,"messages":[{"role":"user","content":"x"}]}`, false, far))
		last := fs[len(fs)-1].data
		if !strings.Contains(last, `"error"`) || strings.Contains(last, "test-panic model") {
			t.Errorf("last frame after a panic = %q, want a generic in-band error", last)
		}
		// The same process answers the next invocation.
		if _, fs := frames(t, w.chat(t, "inv-after-panic", body, false, far)); fs[len(fs)-1].data != "[DONE]" {
			t.Errorf("no complete answer after the panic")
		}
	})

	t.Run("deadline margin ends the stream in-band", func(t *testing.T) {
		start := time.Now()
		deadline := start.Add(2*time.Second + 400*time.Millisecond) // DEADLINE_MARGIN is 2s
		_, fs := frames(t, w.chat(t, "inv-deadline", `{"model":"test-slow","stream":true,"messages":[{"role":"user","content":"x"}]}`, false, deadline))
		last := fs[len(fs)-1]
		if !strings.Contains(last.data, "deadline_exceeded") {
			t.Fatalf("last frame = %q, want a deadline_exceeded error", last.data)
		}
		if !last.at.Before(deadline) {
			t.Errorf("error frame arrived at %v, after the deadline", last.at.Sub(start))
		}
		if len(fs) < 3 {
			t.Errorf("only %d frames before the deadline", len(fs))
		}
	})

	t.Run("log and metric lines carry the invocation id", func(t *testing.T) {
		var logLine, emfLine bool
		for _, line := range strings.Split(w.out.String(), "\n") {
			if !strings.Contains(line, `"request_id":"inv-plain"`) {
				continue
			}
			logLine = logLine || strings.Contains(line, `"msg":"request"`)
			emfLine = emfLine || strings.Contains(line, `"_aws":{`) && strings.Contains(line, `"Requests":1`)
		}
		if !logLine || !emfLine {
			t.Errorf("request log line %v, EMF metrics line %v for the invocation; output:\n%s", logLine, emfLine, w.out.String())
		}
		if strings.Contains(w.out.String(), w.token) {
			t.Errorf("the token appears in the logs")
		}
	})
}

func TestLambdaInitError(t *testing.T) {
	t.Parallel()
	rt := newFakeRuntime(t)
	cmd, out := startBootstrap(t, rt, nil) // no auth configured: Lambda refuses to start
	select {
	case ie := <-rt.initErr:
		msg, _ := ie.body["errorMessage"].(string)
		if ie.errorType != "Runtime.ConfigError" || ie.body["errorType"] != "Runtime.ConfigError" || msg == "" {
			t.Errorf("init error = %+v", ie)
		}
		if !strings.Contains(strings.ToLower(msg), "auth") && !strings.Contains(msg, "COGNITO") {
			t.Errorf("init error message %q does not say what is missing", msg)
		}
	case <-time.After(30 * time.Second):
		t.Fatalf("no /runtime/init/error; output:\n%s", out.String())
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err == nil {
			t.Errorf("process exited 0 after an init error")
		}
	case <-time.After(10 * time.Second):
		t.Errorf("process still running after an init error")
	}
}
