package app_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/chatbot-gateway/chatbot/internal/bedrock/fakebedrock"
	"github.com/chatbot-gateway/chatbot/internal/gateway/gatewaytest"
	"github.com/chatbot-gateway/chatbot/internal/telemetry/otlptest"
)

// TestTracesOfAStreamedAnswer: with an OTLP endpoint on loopback, a
// streamed answer whose Bedrock model is throttled, retried once, and
// then answered by ELIZA produces a server span parented to the incoming
// traceparent and one client span per model attempt, with the GenAI
// attributes, exported before the response ended.
func TestTracesOfAStreamedAnswer(t *testing.T) {
	t.Parallel()
	recv := otlptest.Start(t)
	fake := fakebedrock.New(fakebedrock.WithScenario(fakebedrock.Scenario{Status: 429, ErrorType: "ThrottlingException", Message: "slow down"}))
	t.Cleanup(fake.Close)
	h, _ := gatewayOn(t, map[string]string{
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": recv.TracesURL(), "OTEL_SERVICE_NAME": "ignored-by-load",
		"BEDROCK_MAX_RETRIES": "1", "BEDROCK_RETRY_BUDGET": "50ms",
	}, awsAt(fake.URL)...)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)

	const traceID, parent = "0af7651916cd43dd8448eb211c80319c", "b7ad6b7169203331"
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/chat/completions",
		strings.NewReader(`{"stream":true,"messages":[{"role":"user","content":"hello"}]}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("traceparent", "00-"+traceID+"-"+parent+"-01")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	chunks, done, err := gatewaytest.ReadStream(resp.Body)
	resp.Body.Close()
	if err != nil || !done || len(chunks) == 0 || chunks[0].Model != "eliza" {
		t.Fatalf("answer: %v, done %v, %+v", err, done, chunks)
	}

	// The spans were flushed before the response ended: no waiting.
	spans, errs := recv.Spans()
	if len(errs) > 0 {
		t.Fatalf("receiver: %v", errs)
	}
	var server *otlptest.Span
	var bedrock, eliza []otlptest.Span
	for i, s := range spans {
		if s.TraceID != traceID {
			t.Errorf("span %q in trace %s; want %s", s.Name, s.TraceID, traceID)
		}
		switch {
		case s.Kind == tracepb.Span_SPAN_KIND_SERVER:
			server = &spans[i]
		case s.Attrs["gen_ai.provider.name"] == "aws.bedrock":
			bedrock = append(bedrock, s)
		case s.Attrs["gen_ai.request.model"] == "eliza":
			eliza = append(eliza, s)
		}
	}
	if server == nil || server.ParentSpanID != parent || server.Name != "POST /v1/chat/completions" ||
		server.Attrs["http.response.status_code"] != int64(200) {
		t.Fatalf("server span %+v (all: %+v)", server, spans)
	}
	if len(bedrock) != 2 || len(eliza) != 1 {
		t.Fatalf("%d Bedrock attempts and %d ELIZA spans; want the first try and its retry, then the fallback: %+v", len(bedrock), len(eliza), spans)
	}
	for _, s := range append(bedrock, eliza...) {
		if s.Kind != tracepb.Span_SPAN_KIND_CLIENT || s.ParentSpanID != server.SpanID ||
			s.Name != "chat "+s.Attrs["gen_ai.request.model"].(string) || s.Attrs["gen_ai.operation.name"] != "chat" {
			t.Errorf("attempt span %+v", s)
		}
	}
	for _, s := range bedrock {
		if s.Status != tracepb.Status_STATUS_CODE_ERROR || s.Attrs["gen_ai.request.model"] != haiku {
			t.Errorf("throttled attempt %+v", s)
		}
	}
	e := eliza[0]
	if e.Attrs["chatbot.fallback_reason"] == nil || e.Attrs["gen_ai.response.model"] != "eliza" ||
		e.Attrs["gen_ai.response.id"] == nil || e.Attrs["gen_ai.usage.output_tokens"] == nil ||
		e.Attrs["gen_ai.usage.input_tokens"] == nil || e.Attrs["gen_ai.response.time_to_first_chunk"] == nil {
		t.Errorf("ELIZA span attributes %v", e.Attrs)
	}
	if fr, _ := e.Attrs["gen_ai.response.finish_reasons"].([]any); len(fr) != 1 || fr[0] != "stop" {
		t.Errorf("finish_reasons %v", e.Attrs["gen_ai.response.finish_reasons"])
	}
	if e.Start.Before(bedrock[1].End.Add(-time.Millisecond)) {
		t.Errorf("the fallback started before the last Bedrock attempt ended")
	}
}
