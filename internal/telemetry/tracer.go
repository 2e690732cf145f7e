package telemetry

import (
	"context"
	"fmt"
	"net/http"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.41.0"
	"go.opentelemetry.io/otel/trace"
)

// ScopeName is the instrumentation scope of every span.
const ScopeName = "github.com/chatbot-gateway/chatbot"

// Config turns tracing on (internal/app sets Enabled when an OTLP endpoint
// is configured through the standard OTEL_* variables).
type Config struct {
	Enabled bool
	// ServiceName is service.name unless OTEL_SERVICE_NAME says otherwise.
	ServiceName string
	// Endpoint is the full URL spans are posted to (…/v1/traces), as
	// internal/app resolves it from OTEL_EXPORTER_OTLP_TRACES_ENDPOINT or
	// OTEL_EXPORTER_OTLP_ENDPOINT; empty: the exporter's own resolution.
	Endpoint string
}

// Tracer starts the gateway's spans. A nil *Tracer traces nothing.
type Tracer struct {
	tp   *sdktrace.TracerProvider
	tr   trace.Tracer
	prop propagation.TextMapPropagator
}

// New builds a tracer exporting over OTLP/HTTP, or returns nil when cfg
// leaves tracing off. opts go to the exporter after the environment's
// settings (tests point it at their receiver).
func New(ctx context.Context, cfg Config, opts ...otlptracehttp.Option) (*Tracer, error) {
	if !cfg.Enabled {
		return nil, nil
	}
	if cfg.Endpoint != "" {
		opts = append([]otlptracehttp.Option{otlptracehttp.WithEndpointURL(cfg.Endpoint)}, opts...)
	}
	exp, err := otlptracehttp.New(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("create OTLP exporter: %w", err)
	}
	res, err := resource.New(ctx,
		resource.WithAttributes(semconv.ServiceName(cfg.ServiceName)),
		resource.WithFromEnv(), // OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES win
		resource.WithTelemetrySDK())
	if err != nil {
		return nil, fmt.Errorf("describe resource: %w", err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithResource(res))
	return &Tracer{tp: tp, tr: tp.Tracer(ScopeName), prop: propagation.TraceContext{}}, nil
}

// Flush exports the spans of requests that have ended. On Lambda it must
// run before the invocation ends: a frozen environment sends nothing, and
// one that is never thawed loses what it held.
func (t *Tracer) Flush(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.tp.ForceFlush(ctx)
}

// Shutdown exports what is left and stops the exporter.
func (t *Tracer) Shutdown(ctx context.Context) error {
	if t == nil {
		return nil
	}
	return t.tp.Shutdown(ctx)
}

// StartServer starts the span of one request, continuing the caller's
// trace when the request carries a W3C traceparent.
func (t *Tracer) StartServer(r *http.Request, route string) (context.Context, trace.Span) {
	ctx := t.prop.Extract(r.Context(), propagation.HeaderCarrier(r.Header))
	return t.tr.Start(ctx, r.Method+" "+route, trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(
			semconv.HTTPRequestMethodKey.String(r.Method),
			semconv.HTTPRoute(route),
			semconv.URLPath(r.URL.Path)))
}

// EndServer ends a request's span with its status and, for a failure, why.
func EndServer(span trace.Span, status int, errorCode string, cause error) {
	span.SetAttributes(semconv.HTTPResponseStatusCode(status))
	if errorCode != "" {
		span.SetAttributes(semconv.ErrorTypeKey.String(errorCode))
	}
	if status >= 500 || cause != nil && status < 400 {
		msg := errorCode
		if cause != nil {
			msg = cause.Error()
		}
		span.SetStatus(codes.Error, msg)
	}
	span.End()
}

// attr keys of this gateway's own, outside the GenAI conventions.
var (
	attrAttempt = attribute.Key("chatbot.attempt")
	attrReason  = attribute.Key("chatbot.fallback_reason")
	attrCost    = attribute.Key("chatbot.cost_usd")
)
