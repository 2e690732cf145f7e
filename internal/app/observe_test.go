package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/app"
)

func TestLoadPricesFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	good := filepath.Join(dir, "good.json")
	bad := filepath.Join(dir, "bad.json")
	if err := os.WriteFile(good, []byte(`{"rows":[{"model":"cohere.command-r-v1:0","route":"any","input":0.5,"output":1.5,"source":"contract","date":"2026-12-01"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(bad, []byte(`{"rows":[{"model":"cohere.command-r-v1:0","route":"any","input":-2,"output":1.5,"source":"contract","date":"2026-12-01"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := app.Load(getenv(map[string]string{"PRICES_FILE": good, "AWS_REGION": "us-west-2"}), false)
	if err != nil {
		t.Fatal(err)
	}
	if p, ok := c.Prices.Lookup("cohere.command-r-v1:0", c.Region); !ok || p.Input != 0.5 {
		t.Errorf("added row: %+v, %v", p, ok)
	}
	if _, ok := c.Prices.Lookup("us.anthropic.claude-haiku-4-5-20251001-v1:0", c.Region); !ok {
		t.Error("the built-in rows are gone")
	}
	for _, tc := range []struct{ name, path, want string }{
		{name: "bad row", path: bad, want: "PRICES_FILE: invalid price table: row 1 (cohere.command-r-v1:0 any): input -2"},
		{name: "missing file", path: filepath.Join(dir, "none.json"), want: "PRICES_FILE: open"},
	} {
		_, err := app.Load(getenv(map[string]string{"PRICES_FILE": tc.path}), false)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: err = %v; want %q", tc.name, err, tc.want)
		}
	}
}

func TestLoadTelemetry(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		env  map[string]string
		on   bool
		err  string
	}{
		{name: "off by default", env: nil},
		{name: "endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318"}, on: true},
		{name: "traces endpoint", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "https://otel.example.com/v1/traces"}, on: true},
		{name: "SDK disabled", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318", "OTEL_SDK_DISABLED": "true"}},
		{name: "exporter none", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4318", "OTEL_TRACES_EXPORTER": "none"}},
		{name: "gRPC", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "http://localhost:4317", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"},
			err: "OTEL_EXPORTER_OTLP_PROTOCOL"},
		{name: "not a URL", env: map[string]string{"OTEL_EXPORTER_OTLP_ENDPOINT": "localhost:4318"}, err: "OTEL_EXPORTER_OTLP_ENDPOINT"},
		{name: "another exporter", env: map[string]string{"OTEL_TRACES_EXPORTER": "zipkin"}, err: "OTEL_TRACES_EXPORTER"},
		{name: "headers not pairs", env: map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "Authorization"}, err: "OTEL_EXPORTER_OTLP_HEADERS"},
		{name: "timeout not ms", env: map[string]string{"OTEL_EXPORTER_OTLP_TIMEOUT": "10s"}, err: "OTEL_EXPORTER_OTLP_TIMEOUT"},
		{name: "compression", env: map[string]string{"OTEL_EXPORTER_OTLP_TRACES_COMPRESSION": "zstd"}, err: "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"},
		{name: "sampler", env: map[string]string{"OTEL_TRACES_SAMPLER": "jaeger_remote"}, err: "OTEL_TRACES_SAMPLER"},
		{name: "ratio", env: map[string]string{"OTEL_TRACES_SAMPLER": "traceidratio", "OTEL_TRACES_SAMPLER_ARG": "2"}, err: "OTEL_TRACES_SAMPLER_ARG"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c, err := app.Load(getenv(tc.env), false)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err = %v; want one naming %s", err, tc.err)
				}
				return
			}
			if err != nil || c.Telemetry.Enabled != tc.on {
				t.Errorf("Telemetry = %+v, %v; want on %v", c.Telemetry, err, tc.on)
			}
		})
	}
}

// TestLoadTelemetrySettings: the standard variables reach the tracer's
// configuration, a _TRACES_ form winning over the general one and
// OTEL_SERVICE_NAME over the resource attributes' service.name; a header
// value that does not parse is refused without being quoted.
func TestLoadTelemetrySettings(t *testing.T) {
	t.Parallel()
	c, err := app.Load(getenv(map[string]string{
		"OTEL_EXPORTER_OTLP_ENDPOINT":       "http://127.0.0.1:4318/",
		"OTEL_EXPORTER_OTLP_HEADERS":        "x-general=1",
		"OTEL_EXPORTER_OTLP_TRACES_HEADERS": "Authorization=Bearer%20abc, x-team = chat",
		"OTEL_EXPORTER_OTLP_TIMEOUT":        "5000", "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT": "1500",
		"OTEL_EXPORTER_OTLP_COMPRESSION": "gzip",
		"OTEL_RESOURCE_ATTRIBUTES":       "service.name=from-attrs,deployment.environment=prod",
		"OTEL_TRACES_SAMPLER":            "parentbased_traceidratio", "OTEL_TRACES_SAMPLER_ARG": "0.5",
	}), false)
	if err != nil {
		t.Fatal(err)
	}
	tc := c.Telemetry
	if !tc.Enabled || tc.Endpoint != "http://127.0.0.1:4318/v1/traces" || tc.Timeout != 1500*time.Millisecond || !tc.Gzip ||
		tc.Headers["Authorization"] != "Bearer abc" || tc.Headers["x-team"] != "chat" || tc.Headers["x-general"] != "" ||
		tc.ServiceName != "from-attrs" || tc.Resource["deployment.environment"] != "prod" ||
		tc.Sampler != "parentbased_traceidratio" || tc.SamplerRatio != 0.5 {
		t.Errorf("Telemetry = %+v", tc)
	}
	c, err = app.Load(getenv(map[string]string{"OTEL_RESOURCE_ATTRIBUTES": "service.name=from-attrs", "OTEL_SERVICE_NAME": "named"}), false)
	if err != nil || c.Telemetry.ServiceName != "named" {
		t.Errorf("ServiceName = %q, %v; want OTEL_SERVICE_NAME's", c.Telemetry.ServiceName, err)
	}
	_, err = app.Load(getenv(map[string]string{"OTEL_EXPORTER_OTLP_HEADERS": "Authorization=Bearer%zzsecret"}), false)
	if err == nil || strings.Contains(err.Error(), "secret") {
		t.Errorf("err = %v; want a refusal that does not quote the value", err)
	}
}
