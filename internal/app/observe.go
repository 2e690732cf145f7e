package app

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/price"
	"github.com/chatbot-gateway/chatbot/internal/telemetry"
)

// loadPrices reads the price table: the built-in one, replaced or extended
// by the JSON file PRICES_FILE. AWS_REGION picks the rows of the Region
// group the gateway calls Bedrock from.
func loadPrices(e *env) (*price.Table, string) {
	region := e.str("AWS_REGION", "")
	t := price.Default()
	path := e.str("PRICES_FILE", "")
	if path == "" {
		return t, region
	}
	data, err := os.ReadFile(path)
	if err != nil {
		e.fail("PRICES_FILE", err)
		return t, region
	}
	ext, err := t.With(data)
	if err != nil {
		e.fail("PRICES_FILE", err)
		return t, region
	}
	return ext, region
}

// loadTelemetry decides from the standard OpenTelemetry variables whether
// to trace: on when an OTLP endpoint is named, unless the SDK or the trace
// exporter is switched off. The exporter itself reads the rest
// (OTEL_EXPORTER_OTLP_HEADERS, _TIMEOUT, _COMPRESSION; OTEL_SERVICE_NAME,
// OTEL_RESOURCE_ATTRIBUTES).
func loadTelemetry(e *env) telemetry.Config {
	c := telemetry.Config{ServiceName: "chatbot"}
	// The traces URL wins; the base URL gets the signal's path, as the
	// OTLP exporter specification says.
	for _, v := range []struct{ name, path string }{
		{"OTEL_EXPORTER_OTLP_ENDPOINT", "/v1/traces"}, {"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT", ""},
	} {
		s := e.str(v.name, "")
		if s == "" {
			continue
		}
		if u, err := url.Parse(s); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			e.bad(v.name, s, "an http:// or https:// URL", nil)
			continue
		}
		c.Endpoint = strings.TrimSuffix(s, "/") + v.path
		if v.path == "" {
			c.Endpoint = s
		}
	}
	endpoint := c.Endpoint != ""
	switch p := e.str("OTEL_EXPORTER_OTLP_PROTOCOL", "http/protobuf"); p {
	case "http/protobuf":
	default:
		e.bad("OTEL_EXPORTER_OTLP_PROTOCOL", p, "http/protobuf (the only OTLP transport built in)", nil)
	}
	exporter := e.str("OTEL_TRACES_EXPORTER", "otlp")
	switch exporter {
	case "otlp", "none":
	default:
		e.bad("OTEL_TRACES_EXPORTER", exporter, "otlp or none", nil)
	}
	disabled := e.boolean("OTEL_SDK_DISABLED", false)
	c.Enabled = endpoint && exporter == "otlp" && !disabled
	return c
}

// flushing exports a request's spans before its handler returns: on Lambda
// the invocation ends with the response, and the environment may freeze
// with spans still buffered.
func flushing(h http.Handler, t *telemetry.Tracer, log func(error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(w, r)
		ctx, cancel := context.WithTimeout(context.WithoutCancel(r.Context()), flushTimeout)
		defer cancel()
		if err := t.Flush(ctx); err != nil {
			log(err)
		}
	})
}

// flushTimeout bounds the export at the end of a request: a collector that
// does not answer must not hold the invocation open.
const flushTimeout = 2 * time.Second
