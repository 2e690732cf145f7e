package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/big"
	"net"
	"net/http"
	"time"

	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/golang-jwt/jwt/v5"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/eliza"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
)

// modelID is a Llama 3 model: its stream has no preamble chunks, so the
// fake's first frame is the first token and both TTFBs mean the same thing.
const modelID = "meta.llama3-70b-instruct-v1:0"

const clientID = "chatbench-client"

// fakeBody is a Llama request body the fake accepts when called directly.
var fakeBody = []byte(`{"prompt":"<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhello<|eot_id|>","max_gen_len":1024}`)

// rig is the fake Bedrock, a JWKS issuer and the gateway, on loopback.
type rig struct {
	fake    *fakebedrock.Server
	issuer  *http.Server
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
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		return nil, err
	}
	issURL, err := r.serveIssuer(&key.PublicKey)
	if err != nil {
		return nil, err
	}
	now := time.Now()
	tok := jwt.NewWithClaims(jwt.SigningMethodRS256, jwt.MapClaims{
		"sub": "bench-user", "iss": issURL, "client_id": clientID, "token_use": "access",
		"cognito:groups": []any{"users"}, "username": "bench",
		"iat": now.Unix(), "exp": now.Add(time.Hour).Unix(),
	})
	tok.Header["kid"] = "bench"
	if r.token, err = tok.SignedString(key); err != nil {
		return nil, err
	}
	env := map[string]string{
		"OIDC_ISSUER": issURL, "OIDC_JWKS_URL": issURL + "/jwks.json",
		"COGNITO_CLIENT_IDS": clientID, "COGNITO_TOKEN_USE": "access",
		"REQUIRE_CONTENT_SHA256": "true",
		"BEDROCK_MODEL_ID":       modelID,
	}
	getenv := func(k string) string { return env[k] }
	quiet := slog.New(slog.DiscardHandler)
	acfg, err := auth.LoadConfig(getenv, false)
	if err != nil {
		return nil, err
	}
	guard, err := auth.New(ctx, acfg, auth.WithLogger(quiet))
	if err != nil {
		return nil, err
	}
	bcfg, err := bedrock.LoadConfig(getenv)
	if err != nil {
		return nil, err
	}
	models, err := bedrock.NewModels(ctx, bcfg,
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(credentials.NewStaticCredentialsProvider("AKIDBENCH", "bench-secret", "")),
		config.WithBaseEndpoint(r.fake.URL),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}))
	if err != nil {
		return nil, err
	}
	el, err := eliza.New(eliza.Options{})
	if err != nil {
		return nil, err
	}
	h, err := gateway.New(gateway.Config{
		Models: []gateway.ModelEntry{
			{ID: modelID, OwnedBy: "amazon-bedrock", Model: models[modelID]},
			{ID: "eliza", OwnedBy: "chatbot", Model: el},
		},
		FallbackModel: "eliza",
		Fallback:      bedrock.FallbackReason,
		Auth:          guard,
		Logger:        quiet,
	})
	if err != nil {
		return nil, err
	}
	r.gateway, r.gwURL, err = serve(guard.CORS(h))
	return r, err
}

// serveIssuer publishes pub as the only key of a JWKS and returns the
// issuer URL.
func (r *rig) serveIssuer(pub *rsa.PublicKey) (string, error) {
	b64 := base64.RawURLEncoding.EncodeToString
	jwks, err := json.Marshal(map[string]any{"keys": []map[string]any{{
		"kty": "RSA", "kid": "bench", "alg": "RS256", "use": "sig",
		"n": b64(pub.N.Bytes()), "e": b64(big.NewInt(int64(pub.E)).Bytes()),
	}}})
	if err != nil {
		return "", err
	}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /jwks.json", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(jwks)
	})
	var url string
	r.issuer, url, err = serve(mux)
	return url, err
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
	_ = r.issuer.Close()
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
