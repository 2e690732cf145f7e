package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

// replay is an HTTP client for the AWS SDK that answers every call with
// the same recorded fake Bedrock stream, from memory: the SDK's request
// pipeline and event-stream decoding run as against the network, but no
// socket, fake or transport goroutine adds allocations of its own.
type replay struct {
	header http.Header
	body   atomic.Pointer[[]byte]
}

// record makes the fake answer tokens text chunks once and keeps the bytes.
func (r *replay) record(tb testing.TB, tokens int) {
	tb.Helper()
	h := fakebedrock.NewHandler(fakebedrock.WithoutAuthCheck(), fakebedrock.WithScenario(fakebedrock.Tokens(tokens)))
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(http.MethodPost, "/model/"+modelID+"/invoke-with-response-stream", bytes.NewReader(fakeBody)))
	if rec.Code != http.StatusOK {
		tb.Fatalf("fake answered %d: %s", rec.Code, rec.Body)
	}
	b := rec.Body.Bytes()
	r.header = rec.Header().Clone()
	r.body.Store(&b)
}

func (r *replay) Do(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		_, _ = io.Copy(io.Discard, req.Body)
		_ = req.Body.Close()
	}
	return &http.Response{StatusCode: http.StatusOK, Header: r.header, Request: req,
		Body: io.NopCloser(bytes.NewReader(*r.body.Load()))}, nil
}

// frameCounter is a ResponseWriter that drops the body and counts its
// writes; it flushes as net/http's own writer does.
type frameCounter struct {
	h      http.Header
	status int
	writes int
	last   []byte
}

func (f *frameCounter) Header() http.Header { return f.h }
func (f *frameCounter) WriteHeader(s int) {
	if f.status == 0 {
		f.status = s
	}
}
func (f *frameCounter) Write(p []byte) (int, error) {
	f.WriteHeader(http.StatusOK)
	f.writes++
	f.last = append(f.last[:0], p...)
	return len(p), nil
}
func (f *frameCounter) Flush() {}

// TestRelayAllocsPerFrame holds the gateway to its allocation budget on
// the whole Bedrock path: JWT and payload-hash checks, the request, the
// real AWS SDK call, the event-stream reader, the family's chunk decoder,
// chunk encoding and SSE framing. Allocation counts are deterministic, so
// unlike a time this cannot pass or fail with the machine's load. The cost
// of one more text frame is the difference between a long and a short
// answer. A frame may cost at most targetAllocsPerFrame in all, SDK
// included; the floor (floor.go) reads the stream with the same reader, so
// the gateway's figure less the floor's is what the gateway adds, and it
// may add none.
func TestRelayAllocsPerFrame(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates on its own; make test-allocs runs this without it")
	}
	const short, long = 50, 250
	rp, gw, fl, answer := replayRig(t)
	perFrame := func(h http.Handler) float64 {
		rp.record(t, short)
		a := testing.AllocsPerRun(20, func() { answer(t, h, short) })
		rp.record(t, long)
		b := testing.AllocsPerRun(20, func() { answer(t, h, long) })
		return (b - a) / (long - short)
	}
	g, f := perFrame(gw), perFrame(fl)
	t.Logf("allocations per relayed text frame: gateway %.2f, floor %.2f, added %.2f (budget %d in all, %d added)",
		g, f, g-f, targetAllocsPerFrame, targetAddedAllocs)
	if g > targetAllocsPerFrame {
		t.Errorf("a relayed frame costs %.2f allocations through the gateway; the budget is %d in all", g, targetAllocsPerFrame)
	}
	// Half an allocation: the counts are averages over whole answers.
	if g-f >= targetAddedAllocs+0.5 {
		t.Errorf("the gateway adds %.2f allocations per relayed frame over the floor's %.2f; the budget is %d", g-f, f, targetAddedAllocs)
	}
}

// replayRig builds the gateway and the floor over one replay client, and
// answer, which streams one answer of tokens text chunks through h and
// checks it.
func replayRig(tb testing.TB) (rp *replay, gw, fl http.Handler, answer func(tb testing.TB, h http.Handler, tokens int)) {
	tb.Helper()
	// A CA bundle from the environment needs the SDK's own HTTP client;
	// the replay speaks no TLS.
	tb.Setenv("AWS_CA_BUNDLE", "")
	issuer := authtest.NewIssuer(tb)
	token := issuer.AccessToken(tb)
	rp = &replay{}
	rp.record(tb, 1)
	awsOpts := []func(*config.LoadOptions) error{
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDBENCH", "bench-secret", "")),
		config.WithBaseEndpoint("http://bedrock.replay"),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
		config.WithHTTPClient(rp),
	}
	ctx := context.Background()
	gw, err := newGateway(ctx, authtest.Getenv(gatewayEnv(issuer)), awsOpts...)
	if err != nil {
		tb.Fatal(err)
	}
	fl, err = newFloor(ctx, awsOpts...)
	if err != nil {
		tb.Fatal(err)
	}
	answer = func(tb testing.TB, h http.Handler, tokens int) {
		req := httptest.NewRequest(http.MethodPost, "/v1/chat/completions", bytes.NewReader(chatBody))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Authorization", "Bearer "+token)
		req.Header.Set("X-Amz-Content-Sha256", chatHash)
		w := &frameCounter{h: http.Header{}}
		h.ServeHTTP(w, req)
		// The text chunks, the finish chunk and [DONE].
		if w.status != http.StatusOK || w.writes != tokens+2 || !strings.HasSuffix(string(w.last), "data: [DONE]\n\n") {
			tb.Fatalf("answer: status %d, %d frames (want %d), last %q", w.status, w.writes, tokens+2, w.last)
		}
	}
	return rp, gw, fl, answer
}

// BenchmarkRelayPath is the whole Bedrock path of one answer, in memory
// (see replay), through the gateway and through the floor in turn, so that
// both see the same machine: one op is one answer of 200 text chunks
// through each. It reports the time per relayed frame of each and their
// ratio.
func BenchmarkRelayPath(b *testing.B) {
	const tokens = 200
	rp, gw, fl, answer := replayRig(b)
	rp.record(b, tokens)
	var tg, tf time.Duration
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		answer(b, gw, tokens)
		mid := time.Now()
		answer(b, fl, tokens)
		tg, tf = tg+mid.Sub(start), tf+time.Since(mid)
	}
	frames := float64(b.N * (tokens + 2))
	b.ReportMetric(float64(tg.Nanoseconds())/frames, "gateway-ns/frame")
	b.ReportMetric(float64(tf.Nanoseconds())/frames, "floor-ns/frame")
	b.ReportMetric(float64(tg)/float64(tf), "ratio")
}
