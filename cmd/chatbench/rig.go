package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

// modelID is a Llama 3 model: its stream has no preamble chunks, so the
// fake's first frame is the first token and all TTFBs mean the same thing.
const modelID = "meta.llama3-70b-instruct-v1:0"

// maxTokens is the gateway's cap on an answer's tokens (CHATBOT_MAX_TOKENS)
// and the floor's max_gen_len: the fake stops at the request's limit as
// Bedrock does, and the throughput streams are long.
const maxTokens = 1 << 20

// fakeBody is a Llama request body the fake accepts when called directly.
var fakeBody = []byte(`{"prompt":"<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhello<|eot_id|>","max_gen_len":1048576}`)

// rig is the fake Bedrock and a JWKS issuer in this process, and the
// gateway and the floor each in a process of its own, all on loopback.
type rig struct {
	fake    *fakebedrock.Server
	issuer  *authtest.Issuer
	gateway *child
	floor   *child
	token   string
	client  *http.Client
}

// target is where a request goes.
type target int

const (
	toGateway target = iota
	toFloor
)

// profiles names the files the server processes' profiles go to ("" for
// none); the floor's get a ".floor" suffix.
type profiles struct{ cpu, mem, goroutines string }

func newRig(ctx context.Context, prof profiles) (_ *rig, err error) {
	r := &rig{
		fake: fakebedrock.New(fakebedrock.WithoutAuthCheck()),
		client: &http.Client{Transport: &http.Transport{
			MaxIdleConns: 1024, MaxIdleConnsPerHost: 1024, DisableCompression: true,
		}},
	}
	defer func() {
		if err != nil {
			r.Close()
		}
	}()
	if r.issuer, err = authtest.StartIssuer(); err != nil {
		return nil, err
	}
	if r.token, err = authtest.SignToken(r.issuer.Key(), r.issuer.AccessClaims(time.Now()), nil); err != nil {
		return nil, err
	}
	env := gatewayEnv(r.issuer)
	env[fakeURLEnv] = r.fake.URL
	floorEnv := map[string]string{fakeURLEnv: r.fake.URL}
	if prof.cpu != "" {
		env[cpuProfileEnv], floorEnv[cpuProfileEnv] = prof.cpu, prof.cpu+".floor"
	}
	if prof.mem != "" {
		env[memProfileEnv], floorEnv[memProfileEnv] = prof.mem, prof.mem+".floor"
	}
	if r.gateway, err = startChild(ctx, "gateway", env); err != nil {
		return nil, err
	}
	if r.floor, err = startChild(ctx, "floor", floorEnv); err != nil {
		return nil, err
	}
	return r, nil
}

// gatewayEnv configures the gateway as on Lambda: JWT auth from the
// issuer, the payload hash required, metrics on, and the Bedrock model.
func gatewayEnv(issuer *authtest.Issuer) map[string]string {
	env := issuer.Env("access")
	env["REQUIRE_CONTENT_SHA256"] = "true"
	env["BEDROCK_MODEL_ID"] = modelID
	env["CHATBOT_WEB_DIR"] = os.DevNull // API only
	env["CHATBOT_MAX_TOKENS"] = strconv.Itoa(maxTokens)
	env["METRICS_ENABLED"] = "true"
	return env
}

// newGateway assembles the gateway as the chatbot command does, from the
// environment through getenv; its log lines and metrics are formatted and
// dropped.
func newGateway(ctx context.Context, getenv func(string) string, awsOpts ...func(*config.LoadOptions) error) (http.Handler, error) {
	cfg, err := app.Load(getenv, false)
	if err != nil {
		return nil, err
	}
	return app.New(ctx, cfg, app.WithOutput(io.Discard), app.WithAWSOptions(awsOpts...))
}

func (r *rig) Close() {
	for _, c := range []*child{r.gateway, r.floor} {
		if c != nil {
			c.close()
		}
	}
	if r.issuer != nil {
		r.issuer.Close()
	}
	r.fake.Close()
	r.client.CloseIdleConnections()
}

func (r *rig) server(t target) *child {
	if t == toFloor {
		return r.floor
	}
	return r.gateway
}

var chatBody = []byte(`{"model":"` + modelID + `","stream":true,"messages":[{"role":"user","content":"hello"}]}`)

var chatHash = func() string {
	s := sha256.Sum256(chatBody)
	return hex.EncodeToString(s[:])
}()

// post starts a streaming chat completion at t, authenticated and hashed
// (the floor ignores both).
func (r *rig) post(ctx context.Context, t target) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.server(t).url+"/v1/chat/completions", bytes.NewReader(chatBody))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Authorization", "Bearer "+r.token)
	req.Header.Set("X-Amz-Content-Sha256", chatHash)
	return r.do(req)
}

// postFake calls the fake directly, as the SDK would.
func (r *rig) postFake(ctx context.Context) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost,
		r.fake.URL+"/model/"+modelID+"/invoke-with-response-stream", bytes.NewReader(fakeBody))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/vnd.amazon.eventstream")
	return r.do(req)
}

func (r *rig) do(req *http.Request) (*http.Response, error) {
	resp, err := r.client.Do(req)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		resp.Body.Close()
		return nil, fmt.Errorf("%s %s: status %d: %s", req.Method, req.URL.Path, resp.StatusCode, b)
	}
	return resp, nil
}

// ttfbSSE is the time from sending a request to t to the arrival of the
// first data frame (the first token).
func (r *rig) ttfbSSE(ctx context.Context, t target) (time.Duration, error) {
	start := time.Now()
	resp, err := r.post(ctx, t)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return 0, fmt.Errorf("read stream: %w", err)
		}
		if bytes.HasPrefix(line, []byte("data: ")) {
			d := time.Since(start)
			_, err := io.Copy(io.Discard, br)
			return d, err
		}
	}
}

// ttfbFake is the time from sending a request to the fake to the first
// byte of its first event-stream frame.
func (r *rig) ttfbFake(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	resp, err := r.postFake(ctx)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	var b [1]byte
	if _, err := io.ReadFull(resp.Body, b[:]); err != nil {
		return 0, fmt.Errorf("read fake stream: %w", err)
	}
	d := time.Since(start)
	_, err = io.Copy(io.Discard, resp.Body)
	return d, err
}

// countFrames reads an SSE stream to its end and counts its data frames.
func countFrames(body io.Reader) (int, error) {
	br := bufio.NewReaderSize(body, 64<<10)
	n := 0
	for {
		line, err := br.ReadSlice('\n')
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if bytes.HasPrefix(line, []byte("data: ")) {
			n++
		}
	}
}

var errShort = errors.New("stream ended early")
