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
// The package is its own small tracer and OTLP/HTTP exporter (protobuf
// encoding, written from opentelemetry-proto) rather than the
// OpenTelemetry SDK: the gateway needs spans, W3C trace context, the
// standard samplers and an export it can flush before a Lambda invocation
// ends, and the SDK with its exporter brought gRPC and the protobuf
// runtime: about 150 packages, over a third of the compile time of the
// gateway's dependencies and 7 MB of its binary. Every export in
// the tests is decoded with the OTLP project's own generated types, which
// fail on any field the schema does not have. internal/app reads the
// standard OTEL_* variables. The package knows nothing of HTTP routing or
// of the chat wire formats.
package telemetry
