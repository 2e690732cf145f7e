package resilience_test

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"go.uber.org/goleak"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/eliza"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// The tests in this package measure goroutines and heap of the whole
// process, so none of them runs in parallel with another.
func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// Bedrock model ids, one per family the fake speaks.
const (
	anthropicID   = "anthropic.claude-haiku-4-5-20251001-v1:0"
	novaID        = "amazon.nova-lite-v1:0"
	llamaID       = "meta.llama3-70b-instruct-v1:0"
	mistralID     = "mistral.mistral-7b-instruct-v0:2"
	mistralChatID = "mistral.mistral-large-2407-v1:0"
	titanID       = "amazon.titan-text-express-v1"
)

var quiet = slog.New(slog.DiscardHandler)

// route is one gateway model backed by its own fake Bedrock, so each fault
// scenario is answered by the fake it was scripted on, whatever the order
// the concurrent requests arrive in.
type route struct {
	id        string // the gateway's model id, which clients name
	bedrockID string // selects the family of the fake's chunks
	scenario  fakebedrock.Scenario
	config    func(*bedrock.Config) // optional changes to the defaults
}

// upstream is a fake Bedrock on 127.0.0.1 that also counts the bytes it
// has written, to see whether backpressure reaches it. The fake records
// every request it gets, so a long run replaces it now and then (rotate).
type upstream struct {
	scenario fakebedrock.Scenario
	srv      *httptest.Server
	sent     atomic.Int64
	cur      atomic.Pointer[fakebedrock.Handler]
	retired  sync.WaitGroup
	leaked   atomic.Int64 // streams a retired fake saw opened and not closed
}

// countingWriter counts body bytes; Unwrap lets the fake's
// ResponseController flush and hijack the real connection.
type countingWriter struct {
	http.ResponseWriter
	n *atomic.Int64
}

func (w countingWriter) Write(p []byte) (int, error) {
	n, err := w.ResponseWriter.Write(p)
	w.n.Add(int64(n))
	return n, err
}

func (w countingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func newUpstream(tb testing.TB, s fakebedrock.Scenario) *upstream {
	tb.Helper()
	u := &upstream{scenario: s}
	u.cur.Store(fakebedrock.NewHandler(fakebedrock.WithScenario(s)))
	u.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u.cur.Load().ServeHTTP(countingWriter{w, &u.sent}, r)
	}))
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := u.WaitIdle(ctx); err != nil {
			opened, closed := u.Streams()
			tb.Errorf("fake Bedrock: %d streams opened, only %d closed", opened, closed)
		}
		u.retired.Wait()
		if n := u.leaked.Load(); n > 0 {
			tb.Errorf("fake Bedrock: %d streams of a replaced fake never closed", n)
		}
		u.srv.CloseClientConnections()
		u.srv.Close()
	})
	return u
}

// Push queues scenarios on the current fake.
func (u *upstream) Push(s ...fakebedrock.Scenario) { u.cur.Load().Push(s...) }

// Requests returns the calls the current fake received.
func (u *upstream) Requests() []fakebedrock.Request { return u.cur.Load().Requests() }

// Streams counts the current fake's opened and closed streams.
func (u *upstream) Streams() (opened, closed int) { return u.cur.Load().Streams() }

// WaitIdle waits until the current fake has no open stream.
func (u *upstream) WaitIdle(ctx context.Context) error { return u.cur.Load().WaitIdle(ctx) }

// rotate puts a fresh fake in place; the old one finishes its streams and
// is checked for unclosed ones in the background.
func (u *upstream) rotate() {
	old := u.cur.Swap(fakebedrock.NewHandler(fakebedrock.WithScenario(u.scenario)))
	u.retired.Go(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if old.WaitIdle(ctx) != nil {
			opened, closed := old.Streams()
			u.leaked.Add(int64(opened - closed))
		}
	})
}

// rig is the gateway under test with its fakes, issuer and a client.
type rig struct {
	gw       *httptest.Server
	client   *http.Client
	issuer   *authtest.Issuer
	token    string
	up       map[string]*upstream // by gateway model id
	eliza    *eliza.Model
	expected map[string]string // Bedrock model id's scripted text, by gateway model id
}

// newRig serves the real gateway with one Bedrock model per route, ELIZA
// as the model "eliza" and the fallback, and auth on: issuer JWTs and a
// required payload hash.
func newRig(tb testing.TB, routes ...route) *rig {
	tb.Helper()
	ctx := context.Background()
	r := &rig{
		issuer:   authtest.NewIssuer(tb),
		up:       map[string]*upstream{},
		expected: map[string]string{},
	}
	r.token = r.issuer.AccessToken(tb)
	env := r.issuer.Env("access")
	env["REQUIRE_CONTENT_SHA256"] = "true"
	env["CHATBOT_WEB_DIR"] = os.DevNull // API only
	// The fake stops at the token limit as Bedrock does; the firehose
	// scenarios need the highest cap there is.
	env["CHATBOT_MAX_TOKENS"] = "1048576"
	// These tests are about a client that leaves or stops reading: without
	// a stream buffer that stops the model. (With one, on by default
	// locally, the answer goes on for a later resume: internal/gateway's
	// and cmd/chatbot's resume tests cover that.)
	env["STREAM_RESUME"] = "false"
	cfg, err := app.Load(authtest.Getenv(env), false)
	if err != nil {
		tb.Fatalf("app.Load: %v", err)
	}
	r.eliza, err = eliza.New(eliza.Options{}) // ELIZA's expected answers
	if err != nil {
		tb.Fatalf("eliza.New: %v", err)
	}
	var models []gateway.ModelEntry
	creds := credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")
	for _, rt := range routes {
		u := newUpstream(tb, rt.scenario)
		bcfg := bedrock.Config{
			DefaultModel:      rt.bedrockID,
			AllowClientSystem: true,
			FirstTokenTimeout: bedrock.DefaultFirstTokenTimeout,
			MaxRetries:        bedrock.DefaultMaxRetries,
			RetryBudget:       bedrock.DefaultRetryBudget,
		}
		if rt.config != nil {
			rt.config(&bcfg)
		}
		build := func() (chat.Model, error) {
			models, err := bedrock.NewModels(ctx, bcfg,
				config.WithRegion("us-east-1"),
				config.WithCredentialsProvider(creds),
				config.WithBaseEndpoint(u.srv.URL),
				config.WithSharedConfigFiles([]string{}),
				config.WithSharedCredentialsFiles([]string{}),
				config.WithCustomCABundle(bytes.NewReader(caBundle())),
				config.WithHTTPClient(awshttp.NewBuildableClient().WithTransportOptions(sdkTransport)))
			if err != nil {
				return nil, err
			}
			return models[bcfg.DefaultModel], nil
		}
		m, err := build()
		if err != nil {
			tb.Fatalf("bedrock.NewModels: %v", err)
		}
		models = append(models, gateway.ModelEntry{ID: rt.id, OwnedBy: "amazon-bedrock", Model: m})
		r.up[rt.id] = u
		r.expected[rt.id] = script(rt.scenario)
	}
	// Each route's Bedrock model has a fake of its own, so they come in as
	// extra models; everything else is assembled as in production.
	h, err := app.New(ctx, cfg, app.WithLogger(quiet), app.WithModels(models...))
	if err != nil {
		tb.Fatalf("app.New: %v", err)
	}
	r.gw = httptest.NewServer(h)
	r.client = &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 256, DisableCompression: true}}
	tb.Cleanup(func() {
		r.gw.CloseClientConnections()
		r.gw.Close()
		r.idle()
	})
	return r
}

// idle closes the client's idle keep-alive connections, so that goroutine
// counts see only live streams.
func (r *rig) idle() {
	r.client.CloseIdleConnections()
}

// sdkTransport tunes the Bedrock client's transport. The SDK clones its
// transport whenever it is configured, so the test cannot hold on to it to
// close idle connections; a short idle timeout lets them go by themselves
// between the load and the goroutine count.
func sdkTransport(tr *http.Transport) {
	tr.MaxIdleConnsPerHost = 256
	tr.IdleConnTimeout = 200 * time.Millisecond
}

// caBundle is a PEM with one throwaway certificate. The fakes speak plain
// HTTP, so it only stands in for an AWS_CA_BUNDLE of the environment, which
// every client would otherwise parse in full.
var caBundle = sync.OnceValue(func() []byte {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		panic(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "resilience test CA"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour), IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		panic(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
})

// script is the text a scenario's fake sends, all of it.
func script(s fakebedrock.Scenario) string {
	if len(s.Words) > 0 {
		return strings.Join(s.Words, "")
	}
	var b strings.Builder
	for i := 1; i <= s.Tokens; i++ {
		b.WriteString("tok" + strconv.Itoa(i) + " ")
	}
	return b.String()
}

// post starts a streaming chat completion for model with an authenticated,
// hashed body.
func (r *rig) post(ctx context.Context, model, content string) (*http.Response, error) {
	body, err := json.Marshal(map[string]any{
		"model": model, "stream": true,
		"messages": []map[string]string{{"role": "user", "content": content}},
	})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.gw.URL+"/v1/chat/completions", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Authorization", "Bearer "+r.token)
	req.Header.Set("X-Amz-Content-Sha256", authtest.PayloadHash(body))
	return r.client.Do(req)
}

// stream posts and reads the whole answer, checking it frame by frame.
func (r *rig) stream(ctx context.Context, model, content string) (*result, error) {
	resp, err := r.post(ctx, model, content)
	if err != nil {
		return nil, fmt.Errorf("post: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return nil, fmt.Errorf("status %d: %s", resp.StatusCode, b)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
		return nil, fmt.Errorf("Content-Type %q", ct)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("read body after %d bytes: %w", len(body), err)
	}
	return checkFrames(body)
}

// goroutinesBack polls until the goroutine count is at most base+slack,
// and fails the test with the stacks when it does not get there in time.
// Keep-alive connections go back to their pool a moment after a response
// ends, so each poll closes the idle ones again.
func (r *rig) goroutinesBack(tb testing.TB, base, slack int, within time.Duration) int {
	tb.Helper()
	deadline := time.Now().Add(within)
	for {
		r.idle()
		n := runtime.NumGoroutine()
		if n <= base+slack {
			return n
		}
		if time.Now().After(deadline) {
			buf := make([]byte, 1<<20)
			buf = buf[:runtime.Stack(buf, true)]
			tb.Fatalf("%d goroutines after %v, baseline %d (+%d allowed); stacks:\n%s", n, within, base, slack, buf)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// streamsClosed polls until every stream u opened has ended.
func streamsClosed(tb testing.TB, u *upstream, want int, within time.Duration) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), within)
	defer cancel()
	err := u.WaitIdle(ctx)
	opened, closed := u.Streams()
	if err != nil || opened != closed || (want >= 0 && opened != want) {
		tb.Fatalf("fake Bedrock: %d streams opened, %d closed, want %d both (%v)", opened, closed, want, err)
	}
}

// rssKB reads the process's resident set size from /proc (0 elsewhere).
func rssKB() int64 {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			n, _ := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
			return n
		}
	}
	return 0
}
