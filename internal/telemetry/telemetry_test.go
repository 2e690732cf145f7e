package telemetry_test

import (
	"context"
	"errors"
	"net/http/httptest"
	"testing"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"

	"github.com/chatbot-gateway/chatbot/internal/chat"
	"github.com/chatbot-gateway/chatbot/internal/telemetry"
	"github.com/chatbot-gateway/chatbot/internal/telemetry/otlptest"
)

func TestOffIsNil(t *testing.T) {
	t.Parallel()
	tr, err := telemetry.New(telemetry.Config{})
	if tr != nil || err != nil {
		t.Fatalf("New(off) = %v, %v; want nil, nil", tr, err)
	}
	// A nil tracer and a nil call are safe to use.
	ctx, c := tr.StartCall(context.Background(), telemetry.ProviderLocal, "eliza", "", time.Now)
	telemetry.Retry(ctx, errors.New("x"))
	c.FirstToken()
	c.End(telemetry.Result{})
	if err := tr.Flush(ctx); err != nil {
		t.Error(err)
	}
}

func TestSpansOfARetriedCallUnderAnIncomingTrace(t *testing.T) {
	t.Parallel()
	recv := otlptest.Start(t)
	tr, err := telemetry.New(telemetry.Config{Enabled: true, ServiceName: "chatbot-test", Endpoint: recv.TracesURL()})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = tr.Shutdown(context.Background()) })

	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	req := httptest.NewRequest("POST", "/v1/chat/completions", nil)
	req.Header.Set("traceparent", "00-"+traceID+"-"+parentID+"-01")
	req.Header.Set("tracestate", "vendor=abc")
	clock := time.Unix(1_800_000_000, 0)
	now := func() time.Time { clock = clock.Add(100 * time.Millisecond); return clock }

	ctx, server := tr.StartServer(req, "/v1/chat/completions")
	cctx, call := tr.StartCall(ctx, telemetry.ProviderBedrock, "us.anthropic.claude-haiku-4-5-20251001-v1:0", "", now)
	telemetry.Retry(cctx, chat.ErrUnavailable) // the model retried once
	call.FirstToken()
	call.End(telemetry.Result{ResponseModel: "us.anthropic.claude-haiku-4-5-20251001-v1:0", ResponseID: "chatcmpl-1",
		FinishReason: "stop", Usage: chat.Usage{PromptTokens: 10, CompletionTokens: 5, CacheReadTokens: 100}, CostUSD: 0.001, Priced: true})
	telemetry.EndServer(server, 200, "", nil)
	if err := tr.Flush(context.Background()); err != nil {
		t.Fatal(err)
	}

	spans, errs := recv.Spans()
	if len(errs) > 0 {
		t.Fatalf("receiver: %v", errs)
	}
	if len(spans) != 3 {
		t.Fatalf("%d spans: %+v; want server + 2 attempts", len(spans), spans)
	}
	var srv otlptest.Span
	var attempts []otlptest.Span
	for _, s := range spans {
		if s.TraceID != traceID || s.TraceState != "vendor=abc" {
			t.Errorf("span %s in trace %s; want the incoming %s", s.Name, s.TraceID, traceID)
		}
		switch s.Kind {
		case tracepb.Span_SPAN_KIND_SERVER:
			srv = s
		case tracepb.Span_SPAN_KIND_CLIENT:
			attempts = append(attempts, s)
		}
	}
	if srv.ParentSpanID != parentID || srv.Name != "POST /v1/chat/completions" || srv.Attrs["http.response.status_code"] != int64(200) ||
		srv.Service != "chatbot-test" {
		t.Errorf("server span %+v", srv)
	}
	if len(attempts) != 2 {
		t.Fatalf("%d client spans", len(attempts))
	}
	first, last := attempts[0], attempts[1]
	if first.Attrs["chatbot.attempt"] == int64(2) {
		first, last = last, first
	}
	for _, s := range attempts {
		if s.Name != "chat us.anthropic.claude-haiku-4-5-20251001-v1:0" || s.ParentSpanID != srv.SpanID ||
			s.Attrs["gen_ai.operation.name"] != "chat" || s.Attrs["gen_ai.provider.name"] != "aws.bedrock" ||
			s.Attrs["gen_ai.request.model"] != "us.anthropic.claude-haiku-4-5-20251001-v1:0" {
			t.Errorf("attempt span %+v", s)
		}
	}
	if first.Status != tracepb.Status_STATUS_CODE_ERROR || first.Attrs["error.type"] != "unavailable" {
		t.Errorf("retried attempt: status %v attrs %v", first.Status, first.Attrs)
	}
	want := map[string]any{
		"gen_ai.response.model": "us.anthropic.claude-haiku-4-5-20251001-v1:0", "gen_ai.response.id": "chatcmpl-1",
		"gen_ai.usage.input_tokens": int64(110), "gen_ai.usage.output_tokens": int64(5),
		"gen_ai.usage.cache_read.input_tokens": int64(100), "chatbot.cost_usd": 0.001,
		"gen_ai.response.time_to_first_chunk": 0.1,
	}
	for k, v := range want {
		if last.Attrs[k] != v {
			t.Errorf("%s = %#v; want %#v", k, last.Attrs[k], v)
		}
	}
	if fr, _ := last.Attrs["gen_ai.response.finish_reasons"].([]any); len(fr) != 1 || fr[0] != "stop" {
		t.Errorf("finish_reasons = %#v", last.Attrs["gen_ai.response.finish_reasons"])
	}
	if len(last.Events) != 1 || last.Events[0] != "gen_ai.first_chunk" || last.Status == tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("last attempt events %v status %v", last.Events, last.Status)
	}
}
