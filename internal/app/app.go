package app

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"os"
	"slices"
	"sync"
	"time"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/aws/aws-sdk-go-v2/config"

	"github.com/chatbot-gateway/chatbot/internal/auth"
	"github.com/chatbot-gateway/chatbot/internal/bedrock"
	"github.com/chatbot-gateway/chatbot/internal/chatcompletions"
	"github.com/chatbot-gateway/chatbot/internal/eliza"
	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/metrics"
	"github.com/chatbot-gateway/chatbot/internal/price"
	"github.com/chatbot-gateway/chatbot/internal/responses"
	"github.com/chatbot-gateway/chatbot/internal/telemetry"
)

// ElizaID is the built-in model's id, the default without Bedrock and the
// fallback with it.
const ElizaID = eliza.ID

type options struct {
	log       *slog.Logger
	out       io.Writer
	models    []gateway.ModelEntry
	awsOpts   []func(*config.LoadOptions) error
	gatewayFn func(*gateway.Config)
	quotaNow  func() time.Time
}

// Option changes how New assembles the gateway; the defaults suit production.
type Option func(*options)

// WithLogger sets the logger (default: JSON lines at Config.LogLevel on the
// output).
func WithLogger(l *slog.Logger) Option { return func(o *options) { o.log = l } }

// WithOutput sets where log lines and metrics go (default os.Stdout, where
// CloudWatch reads both). Writes of whole lines are serialised.
func WithOutput(w io.Writer) Option { return func(o *options) { o.out = w } }

// WithModels adds models to those the configuration names, after Bedrock's
// and before ELIZA. They are never the default. Tests use it for models
// that misbehave on purpose.
func WithModels(m ...gateway.ModelEntry) Option {
	return func(o *options) { o.models = append(o.models, m...) }
}

// WithAWSOptions adds options to every AWS SDK configuration New loads
// (Bedrock, Secrets Manager): an endpoint, credentials, an HTTP client.
func WithAWSOptions(fns ...func(*config.LoadOptions) error) Option {
	return func(o *options) { o.awsOpts = append(o.awsOpts, fns...) }
}

// WithGatewayConfig lets fn change the gateway's configuration last, for
// hooks that have no variable (a clock in tests).
func WithGatewayConfig(fn func(*gateway.Config)) Option {
	return func(o *options) { o.gatewayFn = fn }
}

// New assembles the gateway from cfg: its models (Bedrock, ELIZA), the auth
// guard, metrics and the chat page. It does the expensive work once, for
// the life of the process: AWS SDK clients, the issuer's key set, the API
// key secret.
func New(ctx context.Context, cfg Config, opts ...Option) (http.Handler, error) {
	o := options{out: os.Stdout}
	for _, opt := range opts {
		opt(&o)
	}
	out := SyncWriter(o.out)
	if o.log == nil {
		o.log = NewLogger(out, cfg.LogLevel)
	}
	el, err := eliza.New(eliza.Options{WordDelay: cfg.ElizaWordDelay})
	if err != nil {
		return nil, fmt.Errorf("load eliza: %w", err)
	}
	state, err := newStateStore(ctx, cfg.State, time.Now, o.awsOpts)
	if err != nil {
		return nil, err
	}
	gcfg := gateway.Config{
		Formats:       []gateway.Format{chatcompletions.Format{}, responses.Format{Store: state}},
		DefaultModel:  ElizaID,
		FallbackModel: ElizaID,
		Fallback:      bedrock.FallbackPolicy(cfg.FallbackOn),
		// The reason of a configuration error, for its ERROR line.
		ConfigErrorReason: bedrock.ConfigErrorReason,
		MaxBodyBytes:      cfg.MaxBodyBytes,
		Limits:            cfg.limits(),
		Heartbeat:         cfg.Heartbeat,
		DeadlineMargin:    cfg.DeadlineMargin,
		AllowedOrigins:    cfg.AllowedOrigins,
		// With auth off (local mode, loopback only) a page under another
		// name that resolves to 127.0.0.1 must not reach the gateway.
		LoopbackOnly: !cfg.Lambda && !cfg.authEnabled(),
		Logger:       o.log,
	}
	if cfg.Metrics.Enabled {
		gcfg.Observe = metrics.New(out, cfg.Metrics.Namespace).Observe
	}
	if err := keepStreams(ctx, cfg.Stream, &o, &gcfg); err != nil {
		return nil, err
	}
	switch {
	case !cfg.Lambda && gcfg.Streams != nil:
		// A background answer runs in a goroutine, bounded like any
		// other (its limits are held until it ends).
		gcfg.Detach = func(produce func()) { go produce() }
	case gcfg.Streams != nil && cfg.Stream.Function != "":
		// On Lambda the invocation ends with its response: the answer
		// is an asynchronous invocation of the function itself.
		if gcfg.Handoff, err = handoff(ctx, cfg.Stream.Function, &o); err != nil {
			return nil, err
		}
	}
	var endpoint string
	if cfg.Bedrock.Enabled() {
		bcfg := cfg.Bedrock
		// The chain's models are built like the others; a request may
		// also name them.
		bcfg.Models = slices.Concat(bcfg.Models, cfg.Failover.Models)
		models, err := bedrock.NewModels(ctx, bcfg, o.awsOpts...)
		if err != nil {
			return nil, err
		}
		endpoint = bedrockEndpoint(ctx, models, cfg.Bedrock.DefaultModel)
		gcfg.Chain, gcfg.Failover = cfg.Failover.Models, cfg.Failover.MidStream
		for _, id := range bcfg.ModelIDs() {
			gcfg.Models = append(gcfg.Models, gateway.ModelEntry{ID: id, OwnedBy: "amazon-bedrock", Model: models[id]})
		}
		gcfg.DefaultModel = cfg.Bedrock.DefaultModel
	}
	gcfg.Models = append(gcfg.Models, o.models...)
	gcfg.Models = append(gcfg.Models, gateway.ModelEntry{ID: ElizaID, OwnedBy: "chatbot", Model: el})

	acfg := cfg.Auth
	if cfg.APIKeysSecretARN != "" {
		parked, err := addSecretKeys(ctx, &acfg, cfg.APIKeysSecretARN, o.awsOpts)
		if err != nil {
			return nil, err
		}
		if parked {
			o.log.Info("the API key secret holds no key yet: browser tokens are off until make apikey adds one")
		}
		if err := errors.Join(authErrors(acfg.Validate())...); err != nil {
			return nil, err
		}
	}
	guard, err := auth.New(ctx, acfg, auth.WithLogger(o.log))
	if err != nil {
		return nil, err
	}
	gcfg.Auth, gcfg.Tokens = Authenticator(guard), Minter(guard)
	lim, err := newLimiter(ctx, cfg, &o)
	if err != nil {
		return nil, err
	}
	if lim != nil { // a nil *Limiter in the interface would not be nil
		gcfg.Limiter = Limiter(lim)
	}
	gcfg.Usage = usageReporter{lim}
	if prices := cfg.Prices; prices != nil {
		gcfg.Price = func(model string) (price.Price, bool) { return prices.Lookup(model, cfg.Region) }
	}
	if cfg.Lambda {
		gcfg.RequestID = lambdaRequestID
	} else {
		gcfg.Static = staticSite(cfg.WebDir)
		if !pageBuilt(cfg.WebDir) {
			o.log.Info("chat page not built yet; / says it is building until it is", "web_dir", cfg.WebDir)
		}
	}
	tracer, err := telemetry.New(cfg.Telemetry)
	if err != nil {
		return nil, err
	}
	gcfg.Tracer = tracer
	if o.gatewayFn != nil {
		o.gatewayFn(&gcfg)
	}
	h, err := gateway.New(gcfg)
	if err != nil {
		return nil, err
	}
	logStartup(o.log, cfg, endpoint)
	if tracer == nil {
		return h, nil
	}
	return withJobs{Handler: flushing(h, tracer, func(err error) {
		o.log.Warn("could not export the request's spans", "error", err.Error())
	}), jobs: h}, nil
}

// NewLogger returns the gateway's logger: JSON lines at level on w.
func NewLogger(w io.Writer, level slog.Level) *slog.Logger {
	return slog.New(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: level}))
}

// lambdaRequestID makes the log line's request id the Lambda invocation's.
func lambdaRequestID(r *http.Request) string {
	if lc, ok := lambdacontext.FromContext(r.Context()); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	return "unknown"
}

// SyncWriter returns w with each Write serialised, so whole lines from
// several writers do not interleave.
func SyncWriter(w io.Writer) io.Writer {
	if s, ok := w.(*syncWriter); ok {
		return s
	}
	return &syncWriter{w: w}
}

// syncWriter serialises whole-line writes from the logger and the metrics
// emitter, which share standard output (CloudWatch reads both from it).
type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
