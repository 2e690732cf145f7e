package telemetry

import (
	"bytes"
	"compress/gzip"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sort"
	"strings"
	"sync"
	"time"
)

// ScopeName is the instrumentation scope of every span.
const ScopeName = "github.com/chatbot-gateway/chatbot"

// SchemaURL is the semantic conventions version the attribute names
// follow (the GenAI ones are still in development there).
const SchemaURL = "https://opentelemetry.io/schemas/1.41.0"

// DefaultTimeout bounds one export, as OTEL_EXPORTER_OTLP_TIMEOUT's
// default does.
const DefaultTimeout = 10 * time.Second

// maxQueue caps the spans held between exports (the SDK batch
// processor's default queue size): past it, spans are dropped and
// counted, never allowed to grow memory.
const maxQueue = 2048

// Config turns tracing on and says where spans go. internal/app fills it
// from the standard OTEL_* variables.
type Config struct {
	Enabled bool
	// Endpoint is the full URL spans are posted to (…/v1/traces).
	Endpoint string
	// Headers go with every export (OTEL_EXPORTER_OTLP_HEADERS).
	Headers map[string]string
	// Timeout bounds one export; 0 is DefaultTimeout.
	Timeout time.Duration
	// Gzip compresses exports (OTEL_EXPORTER_OTLP_COMPRESSION=gzip).
	Gzip bool
	// ServiceName is service.name; Resource holds the other resource
	// attributes (OTEL_RESOURCE_ATTRIBUTES).
	ServiceName string
	Resource    map[string]string
	// Sampler is an OTEL_TRACES_SAMPLER name ("" is parent-based always
	// on); SamplerRatio the ratio samplers' argument.
	Sampler      string
	SamplerRatio float64
}

// Tracer records the gateway's spans and exports them over OTLP/HTTP
// with protobuf encoding. A nil *Tracer traces nothing.
type Tracer struct {
	cfg      Config
	client   *http.Client
	resource []attr
	sampler  sampler

	mu      sync.Mutex
	pending []*Span // ended, not yet exported
	dropped int

	exporting sync.Mutex // one export at a time, in order
}

// New builds a tracer, or returns nil when cfg leaves tracing off.
func New(cfg Config) (*Tracer, error) {
	if !cfg.Enabled {
		return nil, nil
	}
	if cfg.Endpoint == "" {
		return nil, errors.New("tracing needs an OTLP endpoint")
	}
	s, err := newSampler(cfg.Sampler, cfg.SamplerRatio)
	if err != nil {
		return nil, err
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	t := &Tracer{cfg: cfg, sampler: s, client: &http.Client{Timeout: cfg.Timeout}}
	keys := make([]string, 0, len(cfg.Resource))
	for k := range cfg.Resource {
		if k != "service.name" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	t.resource = append(t.resource, attr{"service.name", cfg.ServiceName},
		attr{"telemetry.sdk.name", "chatbot"}, attr{"telemetry.sdk.language", "go"})
	for _, k := range keys {
		t.resource = append(t.resource, attr{k, cfg.Resource[k]})
	}
	return t, nil
}

func (t *Tracer) queue(s *Span) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if len(t.pending) >= maxQueue {
		t.dropped++
		return
	}
	t.pending = append(t.pending, s)
}

// Flush exports the spans that have ended. On Lambda it must run before
// the invocation ends: a frozen environment sends nothing, and one that
// is never thawed loses what it held. Spans that cannot be exported are
// dropped (the error says how many): a collector that is down must not
// grow the gateway's memory.
func (t *Tracer) Flush(ctx context.Context) error {
	if t == nil {
		return nil
	}
	t.exporting.Lock()
	defer t.exporting.Unlock()
	t.mu.Lock()
	spans, dropped := t.pending, t.dropped
	t.pending, t.dropped = nil, 0
	t.mu.Unlock()
	var errs []error
	if dropped > 0 {
		errs = append(errs, fmt.Errorf("%d spans dropped: more than %d waited for export", dropped, maxQueue))
	}
	if len(spans) > 0 {
		if err := t.post(ctx, encodeRequest(t.resource, ScopeName, spans)); err != nil {
			errs = append(errs, fmt.Errorf("export %d spans: %w", len(spans), err))
		}
	}
	return errors.Join(errs...)
}

// Shutdown exports what is left.
func (t *Tracer) Shutdown(ctx context.Context) error { return t.Flush(ctx) }

// post sends one export request as the OTLP/HTTP specification says:
// POST, application/x-protobuf, optionally gzip, success is any 2xx.
func (t *Tracer) post(ctx context.Context, body []byte) error {
	enc := ""
	if t.cfg.Gzip {
		var buf bytes.Buffer
		zw := gzip.NewWriter(&buf)
		_, _ = zw.Write(body)
		if err := zw.Close(); err != nil {
			return err
		}
		body, enc = buf.Bytes(), "gzip"
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, t.cfg.Endpoint, bytes.NewReader(body))
	if err != nil {
		return err
	}
	for k, v := range t.cfg.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/x-protobuf")
	req.Header.Set("User-Agent", "chatbot-otlp")
	if enc != "" {
		req.Header.Set("Content-Encoding", enc)
	}
	resp, err := t.client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, 200))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("collector answered %s: %q", resp.Status, strings.TrimSpace(string(msg)))
	}
	return nil
}

// StartServer starts the span of one request, continuing the caller's
// trace when the request carries a W3C traceparent.
func (t *Tracer) StartServer(r *http.Request, route string) (context.Context, *Span) {
	if t == nil {
		return r.Context(), nil
	}
	ctx := r.Context()
	if p, ok := remoteParent(r.Header); ok {
		ctx = context.WithValue(ctx, remoteKey{}, p)
	}
	return t.start(ctx, r.Method+" "+route, kindServer, time.Now(),
		attr{"http.request.method", r.Method}, attr{"http.route", route}, attr{"url.path", r.URL.Path})
}

// EndServer ends a request's span with its status and, for a failure, why.
func EndServer(span *Span, status int, errorCode string, cause error) {
	span.set(attr{"http.response.status_code", int64(status)})
	if errorCode != "" {
		span.set(attr{"error.type", errorCode})
	}
	if status >= 500 || cause != nil && status < 400 {
		msg := errorCode
		if cause != nil {
			msg = cause.Error()
		}
		span.fail(msg)
	}
	span.finish(time.Now())
}
