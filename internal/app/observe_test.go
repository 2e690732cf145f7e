package app_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

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
