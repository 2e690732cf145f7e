package bedrock_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"

	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/chat"
)

const haiku = "anthropic.claude-haiku-4-5-20251001-v1:0"

// sleeps records the backoff waits instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func (s *sleeps) get() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.d...)
}

// testConfig is a Config for id whose backoff is recorded by s and has no
// jitter, so waits are exact.
func testConfig(id string, s *sleeps) bedrock.Config {
	return bedrock.Config{
		DefaultModel:      id,
		AllowClientSystem: true,
		FirstTokenTimeout: 10 * time.Second,
		MaxRetries:        bedrock.DefaultMaxRetries,
		RetryBudget:       bedrock.DefaultRetryBudget,
		Sleep:             s.sleep,
		Jitter:            func(d time.Duration) time.Duration { return d },
	}
}

// awsOptions point the real SDK at url with dummy credentials.
func awsOptions(tb testing.TB, url string, creds aws.CredentialsProvider) []func(*config.LoadOptions) error {
	tb.Helper()
	if creds == nil {
		creds = credentials.NewStaticCredentialsProvider("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "")
	}
	return []func(*config.LoadOptions) error{
		config.WithRegion("us-east-1"),
		config.WithCredentialsProvider(creds),
		config.WithBaseEndpoint(url),
		config.WithSharedConfigFiles([]string{}),
		config.WithSharedCredentialsFiles([]string{}),
	}
}

// newModel returns the model cfg.DefaultModel served by srv.
func newModel(tb testing.TB, srv *fakebedrock.Server, cfg bedrock.Config) chat.Model {
	tb.Helper()
	return modelFrom(tb, cfg, awsOptions(tb, srv.URL, nil))
}

// newPipeModel returns the model cfg.DefaultModel served by p, for tests
// in a synctest bubble. The client is the SDK's default one, except that
// its connections are dialled to p.
func newPipeModel(tb testing.TB, p *fakebedrock.Pipe, cfg bedrock.Config) chat.Model {
	tb.Helper()
	client := awshttp.NewBuildableClient().WithTransportOptions(func(tr *http.Transport) {
		tr.DialContext = p.DialContext
	})
	return modelFrom(tb, cfg, append(awsOptions(tb, p.URL, nil), config.WithHTTPClient(client)))
}

func modelFrom(tb testing.TB, cfg bedrock.Config, opts []func(*config.LoadOptions) error) chat.Model {
	tb.Helper()
	models, err := bedrock.NewModels(context.Background(), cfg, opts...)
	if err != nil {
		tb.Fatalf("NewModels: %v", err)
	}
	m, ok := models[cfg.DefaultModel]
	if !ok {
		tb.Fatalf("NewModels: no model %q in %v", cfg.DefaultModel, models)
	}
	return m
}

// newFake starts a fake Bedrock that stops with the test, after checking
// that every stream it opened was closed.
func newFake(tb testing.TB, opts ...fakebedrock.Option) *fakebedrock.Server {
	tb.Helper()
	srv := fakebedrock.New(opts...)
	tb.Cleanup(func() {
		waitIdle(tb, srv.Handler)
		srv.Close()
	})
	return srv
}

// newPipeFake starts a fake Bedrock on in-memory connections, for tests in
// a synctest bubble (where its timers run on the fake clock too); it stops
// with the test, after the same check as newFake.
func newPipeFake(tb testing.TB, opts ...fakebedrock.Option) *fakebedrock.Pipe {
	tb.Helper()
	p := fakebedrock.NewPipe(opts...)
	tb.Cleanup(func() {
		waitIdle(tb, p.Handler)
		p.Close()
	})
	return p
}

// waitIdle fails the test unless every stream the fake opened ends
// within 5s.
func waitIdle(tb testing.TB, h *fakebedrock.Handler) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := h.WaitIdle(ctx); err != nil {
		opened, closed := h.Streams()
		tb.Errorf("fake: %d streams opened, %d closed: %v", opened, closed, err)
	}
}

// collect streams req and returns the emitted text.
func collect(ctx context.Context, m chat.Model, req *chat.Request) (string, chat.Result, error) {
	var b strings.Builder
	res, err := m.Stream(ctx, req, func(d chat.Delta) error {
		s := d.Text
		b.WriteString(s)
		return nil
	})
	return b.String(), res, err
}

func hello() *chat.Request {
	return &chat.Request{MaxTokens: 64, Messages: []chat.Message{{Role: chat.RoleUser, Content: "Hello"}}}
}

var errEmit = errors.New("client gone")

func asPublic(err error, pe **chat.PublicError) bool { return errors.As(err, pe) }
