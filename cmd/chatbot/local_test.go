package main_test

import (
	"bufio"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
	"github.com/chatbot-gateway/chatbot/internal/sse/ssetest"
)

// freeAddr returns a loopback address no one listens on right now.
func freeAddr(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startLocal runs the binary as a local server and waits until it listens.
func startLocal(t *testing.T, env map[string]string) (string, *exec.Cmd, *syncBuffer) {
	t.Helper()
	addr := freeAddr(t)
	cmd, out := startBinary(t, env, "CHATBOT_ADDR="+addr, "CHATBOT_WEB_DIR="+t.TempDir()+"/none")
	url := "http://" + addr
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(url + "/healthz")
		if err == nil {
			resp.Body.Close()
			return url, cmd, out
		}
		if time.Now().After(deadline) {
			t.Fatalf("server did not start: %v\n%s", err, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// bedrockEnv is the environment that points the binary's Bedrock model
// at the fake at url, with static credentials and no instance metadata.
func bedrockEnv(url, model string) map[string]string {
	return map[string]string{
		"BEDROCK_MODEL_ID":                 model,
		"AWS_ENDPOINT_URL_BEDROCK_RUNTIME": url,
		"AWS_REGION":                       "us-east-1",
		"AWS_ACCESS_KEY_ID":                "AKIDEXAMPLE",
		"AWS_SECRET_ACCESS_KEY":            "secret",
		"AWS_EC2_METADATA_DISABLED":        "true",
	}
}

// postOK posts a JSON body to url and fails the test unless the answer is a 200.
func postOK(t *testing.T, url, body string) *http.Response {
	t.Helper()
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != 200 {
		resp.Body.Close()
		t.Fatalf("status %d", resp.StatusCode)
	}
	return resp
}

// streamModels posts a streaming chat and returns the text and the model
// named in each chunk, and whether [DONE] ended the stream.
func streamModels(t *testing.T, url, body string) (text string, models map[string]bool, done bool) {
	t.Helper()
	resp := postOK(t, url+"/v1/chat/completions", body)
	defer resp.Body.Close()
	evs, err := ssetest.NewReader(bufio.NewReader(resp.Body)).All()
	if err != nil {
		t.Fatal(err)
	}
	models = map[string]bool{}
	var b strings.Builder
	for _, ev := range evs {
		if ev.Data == "[DONE]" {
			done = true
			continue
		}
		c, err := gatewaytest.Decode(ev.Data)
		if err != nil {
			t.Fatal(err)
		}
		models[c.Model] = true
		b.WriteString(gatewaytest.Text([]gatewaytest.Chunk{c}))
	}
	return b.String(), models, done
}

// TestLocalBedrockThenFallback runs the real binary against the fake
// Bedrock: it streams the fake's tokens, and once the fake is gone, ELIZA
// answers instead.
func TestLocalBedrockThenFallback(t *testing.T) {
	t.Parallel()
	const model = "anthropic.claude-haiku-4-5-20251001-v1:0"
	fake := fakebedrock.New(fakebedrock.WithScenario(fakebedrock.Scenario{Words: []string{"Hello", " from", " Bedrock."}}))
	defer fake.Close()
	url, _, out := startLocal(t, bedrockEnv(fake.URL, model))
	body := `{"stream":true,"messages":[{"role":"user","content":"I feel tired"}]}`
	text, models, done := streamModels(t, url, body)
	if !done || text != "Hello from Bedrock." || !models[model] || len(models) != 1 {
		t.Fatalf("with Bedrock up: text=%q models=%v done=%v", text, models, done)
	}
	if n := len(fake.Requests()); n != 1 {
		t.Errorf("fake saw %d requests, want 1", n)
	}

	fake.Close()
	text, models, done = streamModels(t, url, body)
	if !done || text == "" || !models["eliza"] || len(models) != 1 {
		t.Fatalf("with Bedrock down: text=%q models=%v done=%v", text, models, done)
	}
	// The request's log line is written just after its last frame.
	deadline := time.Now().Add(10 * time.Second)
	for !strings.Contains(out.String(), `"fallback":"connection_failed"`) {
		if time.Now().After(deadline) {
			t.Fatalf("the request log does not record the fallback reason:\n%s", out.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestLocalRefusesAuthOffOnPublicAddress(t *testing.T) {
	t.Parallel()
	cmd := exec.Command(binary)
	cmd.Env = []string{"CHATBOT_ADDR=0.0.0.0:0", "HOME=" + t.TempDir()}
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Fatalf("started with auth off on 0.0.0.0:\n%s", out)
	}
	if !strings.Contains(string(out), "loopback") {
		t.Errorf("message does not explain the refusal:\n%s", out)
	}
}

func TestLocalGracefulShutdown(t *testing.T) {
	t.Parallel()
	url, cmd, _ := startLocal(t, map[string]string{"ELIZA_WORD_DELAY": "100ms"})
	resp, err := http.Post(url+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"stream":true,"messages":[{"role":"user","content":"I remember my mother and my father and my brother"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := ssetest.NewReader(resp.Body)
	if _, err := r.Next(); err != nil {
		t.Fatal(err)
	}
	// SIGTERM mid-stream: the open stream is allowed to finish.
	if err := cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	evs, err := r.All()
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) == 0 || evs[len(evs)-1].Data != "[DONE]" {
		t.Errorf("stream open at shutdown did not finish: %v", evs)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("exit after SIGTERM: %v", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("server still running 15s after SIGTERM")
	}
	if _, err := http.Get(url + "/healthz"); err == nil {
		t.Errorf("server still accepts connections after shutdown")
	}
}

// TestLocalWordsArriveOverTime checks what `make run` promises: with ELIZA
// paced, curl sees the words arrive one by one, not in one burst.
func TestLocalWordsArriveOverTime(t *testing.T) {
	t.Parallel()
	url, _, _ := startLocal(t, map[string]string{"ELIZA_WORD_DELAY": "40ms"})
	resp, err := http.Post(url+"/v1/chat/completions", "application/json",
		strings.NewReader(`{"stream":true,"messages":[{"role":"user","content":"I am unhappy about my father and his work"}]}`))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	evs, err := ssetest.NewReader(resp.Body).All()
	if err != nil {
		t.Fatal(err)
	}
	if len(evs) < 5 || evs[len(evs)-1].Data != "[DONE]" {
		t.Fatalf("events = %v", evs)
	}
	words := evs[:len(evs)-2] // content frames, without the finish chunk and [DONE]
	spread := words[len(words)-1].At.Sub(words[0].At)
	if min := time.Duration(len(words)-1) * 20 * time.Millisecond; spread < min {
		t.Errorf("%d words arrived within %v, want them at least %v apart", len(words), spread, min)
	}
}
