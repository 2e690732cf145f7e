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
	"log/slog"
	"net"
	"net/http"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/chatbot-gateway/chatbot/internal/app"
	"github.com/chatbot-gateway/chatbot/internal/auth/authtest"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
)

// modelID is a Llama 3 model: its stream has no preamble chunks, so the
// fake's first frame is the first token and both TTFBs mean the same thing.
const modelID = "meta.llama3-70b-instruct-v1:0"

// fakeBody is a Llama request body the fake accepts when called directly.
var fakeBody = []byte(`{"prompt":"<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhello<|eot_id|>","max_gen_len":1024}`)

// rig is the fake Bedrock, a JWKS issuer and the gateway, on loopback.
type rig struct {
	fake    *fakebedrock.Server
	issuer  *authtest.Issuer
	gateway *http.Server
	gwURL   string
	token   string
	client  *http.Client
}

func newRig(ctx context.Context) (*rig, error) {
	r := &rig{
		fake: fakebedrock.New(fakebedrock.WithoutAuthCheck()),
		client: &http.Client{Transport: &http.Transport{
			MaxIdleConns: 512, MaxIdleConnsPerHost: 512, DisableCompression: true,
		}},
	}
	var err error
	if r.issuer, err = authtest.StartIssuer(); err != nil {
		return nil, err
	}
	if r.token, err = authtest.SignToken(r.issuer.Key(), r.issuer.AccessClaims(time.Now()), nil); err != nil {
		return nil, err
	}
	env := r.issuer.Env("access")
	env["REQUIRE_CONTENT_SHA256"] = "true"
	env["BEDROCK_MODEL_ID"] = modelID
	env["CHATBOT_WEB_DIR"] = os.DevNull // API only
	// The fake stops at the token limit as Bedrock does; the throughput
	// streams are longer than the default cap.
	env["CHATBOT_MAX_TOKENS"] = "1048576"
	cfg, err := app.Load(authtest.Getenv(env), false)
	if err != nil {
		return nil, err
	}
	h, err := app.New(ctx, cfg,
		app.WithLogger(slog.New(slog.DiscardHandler)),
		app.WithAWSOptions(
			config.WithRegion("us-east-1"),
			config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDBENCH", "bench-secret", "")),
			config.WithBaseEndpoint(r.fake.URL),
			config.WithSharedConfigFiles([]string{}),
			config.WithSharedCredentialsFiles([]string{})))
	if err != nil {
		return nil, err
	}
	r.gateway, r.gwURL, err = serve(h)
	return r, err
}

func serve(h http.Handler) (*http.Server, string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, "", err
	}
	s := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = s.Serve(ln) }()
	return s, "http://" + ln.Addr().String(), nil
}

func (r *rig) Close() {
	_ = r.gateway.Close()
	r.issuer.Close()
	r.fake.Close()
	r.client.CloseIdleConnections()
}

var chatBody = []byte(`{"model":"` + modelID + `","stream":true,"messages":[{"role":"user","content":"hello"}]}`)

var chatHash = func() string {
	s := sha256.Sum256(chatBody)
	return hex.EncodeToString(s[:])
}()

// postGateway starts a streaming chat completion, authenticated and hashed.
func (r *rig) postGateway(ctx context.Context) (*http.Response, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, r.gwURL+"/v1/chat/completions", bytes.NewReader(chatBody))
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

// ttfbGateway is the time from sending a request to the arrival of the
// first data frame (the first token).
func (r *rig) ttfbGateway(ctx context.Context) (time.Duration, error) {
	start := time.Now()
	resp, err := r.postGateway(ctx)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return 0, fmt.Errorf("read gateway stream: %w", err)
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

var errShort = errors.New("stream ended early")
