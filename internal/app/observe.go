package app

import (
	"cmp"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"strconv"
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
// exporter is switched off. The rest follows the OpenTelemetry
// specification's environment variables (the exporter's and the SDK's):
// headers, timeout and compression (a _TRACES_ form wins over the general
// one), service name and resource attributes, and the sampler.
func loadTelemetry(e *env) telemetry.Config {
	c := telemetry.Config{}
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

	headers := "OTEL_EXPORTER_OTLP_TRACES_HEADERS"
	if e.str(headers, "") == "" {
		headers = "OTEL_EXPORTER_OTLP_HEADERS"
	}
	var err error
	if c.Headers, err = pairs(e.str(headers, "")); err != nil {
		e.fail(headers, err) // the value may hold a key: never quoted
	}
	timeout := "OTEL_EXPORTER_OTLP_TRACES_TIMEOUT"
	if e.str(timeout, "") == "" {
		timeout = "OTEL_EXPORTER_OTLP_TIMEOUT"
	}
	c.Timeout = time.Duration(e.integer(timeout, telemetry.DefaultTimeout.Milliseconds(), 1, 600_000)) * time.Millisecond
	compression := "OTEL_EXPORTER_OTLP_TRACES_COMPRESSION"
	if e.str(compression, "") == "" {
		compression = "OTEL_EXPORTER_OTLP_COMPRESSION"
	}
	switch v := e.str(compression, "none"); v {
	case "gzip", "none":
		c.Gzip = v == "gzip"
	default:
		e.bad(compression, v, "gzip or none", nil)
	}
	if c.Resource, err = pairs(e.str("OTEL_RESOURCE_ATTRIBUTES", "")); err != nil {
		e.bad("OTEL_RESOURCE_ATTRIBUTES", e.str("OTEL_RESOURCE_ATTRIBUTES", ""), "key=value pairs separated by commas", err)
	}
	// OTEL_SERVICE_NAME wins over service.name in the attributes.
	c.ServiceName = e.str("OTEL_SERVICE_NAME", cmp.Or(c.Resource["service.name"], "chatbot"))
	c.Sampler = e.str("OTEL_TRACES_SAMPLER", telemetry.SamplerParentAlwaysOn)
	switch c.Sampler {
	case telemetry.SamplerAlwaysOn, telemetry.SamplerAlwaysOff, telemetry.SamplerRatio,
		telemetry.SamplerParentAlwaysOn, telemetry.SamplerParentAlwaysOff, telemetry.SamplerParentRatio:
	default:
		e.bad("OTEL_TRACES_SAMPLER", c.Sampler, "always_on, always_off, traceidratio or their parentbased_ forms", nil)
	}
	c.SamplerRatio = 1
	if v := e.str("OTEL_TRACES_SAMPLER_ARG", ""); v != "" && (c.Sampler == telemetry.SamplerRatio || c.Sampler == telemetry.SamplerParentRatio) {
		r, err := strconv.ParseFloat(v, 64)
		if err != nil || r < 0 || r > 1 {
			e.bad("OTEL_TRACES_SAMPLER_ARG", v, "a ratio from 0 to 1", nil)
		}
		c.SamplerRatio = r
	}
	return c
}

// pairs reads the OpenTelemetry list format of headers and resource
// attributes: key=value pairs separated by commas, values
// percent-encoded.
func pairs(s string) (map[string]string, error) {
	if s == "" {
		return nil, nil
	}
	out := map[string]string{}
	for i, item := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(item, "=")
		k = strings.TrimSpace(k)
		if strings.TrimSpace(item) == "" {
			continue
		}
		if !ok || k == "" {
			return nil, fmt.Errorf("item %d is not key=value", i+1)
		}
		val, err := url.PathUnescape(strings.TrimSpace(v))
		if err != nil {
			return nil, fmt.Errorf("item %d: the value is not percent-encoded text", i+1)
		}
		out[k] = val
	}
	return out, nil
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
