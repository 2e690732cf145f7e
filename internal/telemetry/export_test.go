package telemetry_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/telemetry"
	"github.com/chatbot-gateway/chatbot/internal/telemetry/otlptest"
)

// serve starts and ends one server span for a request with the given
// traceparent ("" for none), and flushes.
func serve(t *testing.T, tr *telemetry.Tracer, traceparent string) error {
	t.Helper()
	req := httptest.NewRequest("GET", "/v1/models", nil)
	if traceparent != "" {
		req.Header.Set("traceparent", traceparent)
	}
	_, span := tr.StartServer(req, "/v1/models")
	telemetry.EndServer(span, 200, "", nil)
	return tr.Flush(context.Background())
}

func tracer(t *testing.T, cfg telemetry.Config) (*telemetry.Tracer, *otlptest.Receiver) {
	t.Helper()
	recv := otlptest.Start(t)
	cfg.Enabled, cfg.Endpoint = true, recv.TracesURL()
	tr, err := telemetry.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return tr, recv
}

// TestTraceparent: a valid W3C traceparent is continued; a malformed one
// starts a new trace (the recommendation's rule), and its sampled flag
// decides under the default parent-based sampler.
func TestTraceparent(t *testing.T) {
	t.Parallel()
	const trace, parent = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	for _, tc := range []struct {
		name, header, sampler string
		spans                 int
		continued             bool
	}{
		{name: "sampled", header: "00-" + trace + "-" + parent + "-01", spans: 1, continued: true},
		{name: "a later version with more fields", header: "01-" + trace + "-" + parent + "-01-extra", spans: 1, continued: true},
		{name: "not sampled", header: "00-" + trace + "-" + parent + "-00"},
		{name: "not sampled, always_on", header: "00-" + trace + "-" + parent + "-00", sampler: telemetry.SamplerAlwaysOn, spans: 1, continued: true},
		{name: "none", spans: 1},
		{name: "uppercase", header: "00-" + strings.ToUpper(trace) + "-" + parent + "-01", spans: 1},
		{name: "zero trace id", header: "00-" + strings.Repeat("0", 32) + "-" + parent + "-01", spans: 1},
		{name: "version ff", header: "ff-" + trace + "-" + parent + "-01", spans: 1},
		{name: "version 00 with more", header: "00-" + trace + "-" + parent + "-01-extra", spans: 1},
		{name: "short", header: "00-" + trace[:30] + "-" + parent + "-01", spans: 1},
		{name: "always_off", sampler: telemetry.SamplerAlwaysOff},
		{name: "ratio 0", sampler: telemetry.SamplerParentRatio},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			tr, recv := tracer(t, telemetry.Config{ServiceName: "t", Sampler: tc.sampler})
			if err := serve(t, tr, tc.header); err != nil {
				t.Fatal(err)
			}
			spans, errs := recv.Spans()
			if len(errs) > 0 || len(spans) != tc.spans {
				t.Fatalf("%d spans (%v); want %d", len(spans), errs, tc.spans)
			}
			if tc.spans == 0 {
				return
			}
			s := spans[0]
			if got := s.TraceID == trace && s.ParentSpanID == parent; got != tc.continued {
				t.Errorf("trace %s parent %s: continued %v; want %v", s.TraceID, s.ParentSpanID, got, tc.continued)
			}
			if !tc.continued && (s.ParentSpanID != "" || len(s.TraceID) != 32 || s.TraceID == strings.Repeat("0", 32)) {
				t.Errorf("a new trace: trace %q parent %q", s.TraceID, s.ParentSpanID)
			}
		})
	}
}

// TestRatioSampler samples about the ratio asked, deciding by trace id.
func TestRatioSampler(t *testing.T) {
	t.Parallel()
	tr, recv := tracer(t, telemetry.Config{Sampler: telemetry.SamplerRatio, SamplerRatio: 0.25})
	const n = 2000
	for range n {
		req := httptest.NewRequest("GET", "/", nil)
		_, span := tr.StartServer(req, "/")
		telemetry.EndServer(span, 200, "", nil)
	}
	if err := tr.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}
	spans, _ := recv.Spans()
	if got := len(spans); got < n/4-150 || got > n/4+150 {
		t.Errorf("%d of %d traces sampled; want about a quarter", got, n)
	}
}

// TestExportSettings: the configured headers go with every export, gzip
// is applied when asked, and the resource carries the service name and
// the resource attributes.
func TestExportSettings(t *testing.T) {
	t.Parallel()
	tr, recv := tracer(t, telemetry.Config{ServiceName: "gw", Gzip: true,
		Headers: map[string]string{"Authorization": "Bearer secret-token"}, Resource: map[string]string{"deployment.environment": "test"}})
	if err := serve(t, tr, ""); err != nil {
		t.Fatal(err)
	}
	spans, errs := recv.Spans()
	h := recv.Headers()
	if len(errs) > 0 || len(spans) != 1 || len(h) != 1 {
		t.Fatalf("spans %d, errs %v, requests %d", len(spans), errs, len(h))
	}
	if h[0].Get("Authorization") != "Bearer secret-token" || h[0].Get("Content-Encoding") != "gzip" ||
		h[0].Get("Content-Type") != "application/x-protobuf" {
		t.Errorf("export headers %v", h[0])
	}
	if spans[0].Service != "gw" {
		t.Errorf("service.name %q", spans[0].Service)
	}
}

// TestCollectorFailures: a collector that refuses an export gets its
// spans dropped and the failure said (status and its message); nothing is
// kept to grow memory, and the next export carries only new spans. Past
// the queue's size, spans are dropped and counted.
func TestCollectorFailures(t *testing.T) {
	t.Parallel()
	tr, recv := tracer(t, telemetry.Config{})
	recv.SetStatus(http.StatusServiceUnavailable)
	err := serve(t, tr, "")
	if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "refused by the test") {
		t.Fatalf("Flush = %v; want the collector's 503 and its message", err)
	}
	recv.SetStatus(0)
	if err := serve(t, tr, ""); err != nil {
		t.Fatal(err)
	}
	if spans, _ := recv.Spans(); len(spans) != 1 {
		t.Fatalf("%d spans after recovery; want the new one only", len(spans))
	}

	for range 2048 + 3 {
		_, span := tr.StartServer(httptest.NewRequest("GET", "/", nil), "/")
		telemetry.EndServer(span, 200, "", nil)
	}
	err = tr.Flush(context.Background())
	if err == nil || !strings.Contains(err.Error(), "3 spans dropped") {
		t.Fatalf("Flush = %v; want 3 spans dropped", err)
	}
	if spans, _ := recv.Spans(); len(spans) != 1+2048 {
		t.Errorf("%d spans; want the queue's 2048 exported", len(spans)-1)
	}
}

// TestNewRefuses a sampler it does not know and tracing without an
// endpoint.
func TestNewRefuses(t *testing.T) {
	t.Parallel()
	for _, cfg := range []telemetry.Config{{Enabled: true}, {Enabled: true, Endpoint: "http://127.0.0.1:1/v1/traces", Sampler: "jaeger_remote"}} {
		if tr, err := telemetry.New(cfg); err == nil || tr != nil {
			t.Errorf("New(%+v) = %v, %v; want an error", cfg, tr, err)
		}
	}
}
