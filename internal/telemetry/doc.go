// Package telemetry sends OpenTelemetry traces of the gateway's requests
// and model calls to an OTLP endpoint (a collector, such as the one the
// AWS Distro for OpenTelemetry Lambda layer runs on localhost).
//
// Tracing is off unless configured; off, New returns a nil *Tracer and the
// gateway starts no spans at all, so the request path costs nothing more.
// On, each request gets a server span (continuing an incoming W3C
// traceparent) and each model attempt a client span named "chat {model}"
// carrying the OpenTelemetry GenAI semantic conventions: a retry, a
// fallback model or a failover is a span of its own.
//
// The exporter is the official OTLP/HTTP protobuf exporter, which reads the
// standard OTEL_EXPORTER_OTLP_* variables itself (endpoint, headers,
// timeout, compression); internal/app decides whether tracing is on.
// The package knows nothing of HTTP routing or of the chat wire formats.
package telemetry
