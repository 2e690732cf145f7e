package metrics_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/metrics"
)

var testNow = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// observe runs one record through a fresh emitter and returns the line.
func observe(tb testing.TB, rec *gateway.Record, opts ...metrics.Option) []byte {
	tb.Helper()
	var buf bytes.Buffer
	opts = append([]metrics.Option{metrics.WithTimeFunc(func() time.Time { return testNow })}, opts...)
	metrics.New(&buf, "Chatbot", opts...).Observe(rec)
	return buf.Bytes()
}

// metricValues returns the metrics the line's directive declares, by name.
func metricValues(tb testing.TB, root map[string]any) map[string]float64 {
	tb.Helper()
	dir := root["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)
	out := map[string]float64{}
	for _, d := range dir["Metrics"].([]any) {
		name := d.(map[string]any)["Name"].(string)
		v, err := root[name].(json.Number).Float64()
		if err != nil {
			tb.Fatalf("metric %s: %v", name, err)
		}
		out[name] = v
	}
	return out
}

func TestObserve(t *testing.T) {
	t.Parallel()
	const chat = "/v1/chat/completions"
	tests := []struct {
		name      string
		rec       gateway.Record
		want      map[string]float64
		wantModel string
		wantRoute string
		wantProps map[string]any // context members beyond metrics
	}{
		{
			name: "complete stream",
			rec: gateway.Record{ID: "r1", Method: "POST", Path: chat, Route: chat, Status: 200, Model: "eliza",
				FirstToken: 120 * time.Millisecond, Duration: 1500 * time.Millisecond, OutputTokens: 42, Outcome: "complete"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 0, "Errors4xx": 0, "TimeToFirstToken": 120, "Duration": 1500, "OutputTokens": 42},
			wantModel: "eliza", wantRoute: chat,
			wantProps: map[string]any{"request_id": "r1", "status": "200", "outcome": "complete"},
		},
		{
			name: "fallback",
			rec: gateway.Record{ID: "r2", Path: chat, Route: chat, Status: 200, Model: "eliza", Fallback: "throttled",
				FirstToken: 800 * time.Millisecond, Duration: 2 * time.Second, OutputTokens: 7, Outcome: "complete"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 0, "Errors4xx": 0, "TimeToFirstToken": 800, "Duration": 2000, "OutputTokens": 7, "Fallbacks": 1},
			wantModel: "eliza", wantRoute: chat,
			wantProps: map[string]any{"fallback_reason": "throttled", "outcome": "complete"},
		},
		{
			name: "failover",
			rec: gateway.Record{ID: "r5", Path: chat, Route: chat, Status: 200, Model: "backup", Failovers: 1,
				FirstToken: 300 * time.Millisecond, Duration: 3 * time.Second, OutputTokens: 9, Outcome: "complete"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 0, "Errors4xx": 0, "TimeToFirstToken": 300, "Duration": 3000, "OutputTokens": 9, "Failovers": 1},
			wantModel: "backup", wantRoute: chat,
			wantProps: map[string]any{"outcome": "complete"},
		},
		{
			name: "in-band stream error",
			rec: gateway.Record{ID: "r3", Path: chat, Route: chat, Status: 200, Model: "us.anthropic.claude-3-5-haiku-20241022-v1:0",
				FirstToken: 300 * time.Millisecond, Duration: 4 * time.Second, OutputTokens: 3, Outcome: "error", ErrorCode: "model_error"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 1, "Errors4xx": 0, "TimeToFirstToken": 300, "Duration": 4000, "OutputTokens": 3, "StreamErrors": 1},
			wantModel: "us.anthropic.claude-3-5-haiku-20241022-v1:0", wantRoute: chat,
			wantProps: map[string]any{"error_code": "model_error", "outcome": "error", "status": "200"},
		},
		{
			name: "401 refusal",
			rec: gateway.Record{ID: "r4", Path: chat, Route: chat, Status: 401, AuthRefusal: "missing_token", ErrorCode: "missing_token",
				Duration: 250 * time.Microsecond, Outcome: "error"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 0, "Errors4xx": 1, "Duration": 0.25, "AuthRefusals": 1},
			wantModel: "none", wantRoute: chat,
			wantProps: map[string]any{"auth_refusal": "missing_token", "status": "401"},
		},
		{
			name: "400 bad request",
			rec: gateway.Record{ID: "r5", Path: chat, Route: chat, Status: 400, ErrorCode: "invalid_request",
				Duration: 1234567 * time.Nanosecond, Outcome: "error"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 0, "Errors4xx": 1, "Duration": 1.234},
			wantModel: "none", wantRoute: chat,
			wantProps: map[string]any{"error_code": "invalid_request", "status": "400"},
		},
		{
			name:      "500",
			rec:       gateway.Record{ID: "r6", Path: chat, Route: chat, Status: 500, Model: "eliza", Duration: time.Second, Outcome: "error", ErrorCode: "server_error"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 1, "Errors4xx": 0, "Duration": 1000, "OutputTokens": 0},
			wantModel: "eliza", wantRoute: chat,
			wantProps: map[string]any{"status": "500"},
		},
		{
			name:      "panic before the stream",
			rec:       gateway.Record{ID: "r7", Path: "/v1/models", Route: "/v1/models", Status: 500, Duration: time.Millisecond, Outcome: "panic"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 1, "Errors4xx": 0, "Duration": 1},
			wantModel: "none", wantRoute: "/v1/models",
			wantProps: map[string]any{"outcome": "panic"},
		},
		{
			name: "panic mid-stream",
			rec: gateway.Record{ID: "r8", Path: chat, Route: chat, Status: 200, Model: "eliza", FirstToken: 5 * time.Millisecond,
				Duration: 9 * time.Millisecond, OutputTokens: 2, Outcome: "panic"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 1, "Errors4xx": 0, "TimeToFirstToken": 5, "Duration": 9, "OutputTokens": 2, "StreamErrors": 1},
			wantModel: "eliza", wantRoute: chat,
			wantProps: map[string]any{"outcome": "panic"},
		},
		{
			name: "client gone",
			rec: gateway.Record{ID: "r9", Path: chat, Route: chat, Status: 200, Model: "eliza", FirstToken: 50 * time.Millisecond,
				Duration: 3 * time.Second, OutputTokens: 10, Outcome: "client_gone"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 0, "Errors4xx": 0, "TimeToFirstToken": 50, "Duration": 3000, "OutputTokens": 10},
			wantModel: "eliza", wantRoute: chat,
			wantProps: map[string]any{"outcome": "client_gone"},
		},
		{
			name:      "client gone before the status",
			rec:       gateway.Record{ID: "r10", Path: chat, Route: chat, Status: 0, Model: "eliza", Duration: time.Second, Outcome: "client_gone"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 0, "Errors4xx": 0, "Duration": 1000, "OutputTokens": 0},
			wantModel: "eliza", wantRoute: chat,
			wantProps: map[string]any{"status": "0"},
		},
		{
			name:      "unknown path",
			rec:       gateway.Record{ID: "r11", Method: "GET", Path: "/wp-login.php", Status: 404, ErrorCode: "not_found", Outcome: "error"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 0, "Errors4xx": 1, "Duration": 0},
			wantModel: "none", wantRoute: "other",
		},
		{
			name:      "health check",
			rec:       gateway.Record{ID: "r12", Method: "GET", Path: "/healthz", Route: "/healthz", Status: 200, Outcome: "complete"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 0, "Errors4xx": 0, "Duration": 0},
			wantModel: "none", wantRoute: "/healthz",
		},
		{
			name: "rate limited",
			rec: gateway.Record{ID: "r13", Path: chat, Route: chat, Status: 429, Model: "eliza", RateLimited: "requests_per_minute_exceeded",
				ErrorCode: "requests_per_minute_exceeded", Outcome: "error"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 0, "Errors4xx": 1, "Duration": 0, "OutputTokens": 0, "RateLimited": 1},
			wantModel: "eliza", wantRoute: chat,
			wantProps: map[string]any{"rate_limited": "requests_per_minute_exceeded", "status": "429"},
		},
		{
			name: "admitted although the rate limit store failed",
			rec: gateway.Record{ID: "r14", Path: chat, Route: chat, Status: 200, Model: "eliza", QuotaStoreError: true, FinishReason: "stop",
				Outcome: "complete"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 0, "Errors4xx": 0, "Duration": 0, "OutputTokens": 0, "QuotaStoreErrors": 1},
			wantModel: "eliza", wantRoute: chat,
			wantProps: map[string]any{"finish_reason": "stop"},
		},
		{
			name: "guardrail intervened",
			rec: gateway.Record{ID: "r15", Path: chat, Route: chat, Status: 200, Model: "m", FinishReason: "content_filter", OutputTokens: 9,
				Outcome: "complete"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 0, "Errors4xx": 0, "Duration": 0, "OutputTokens": 9, "ContentFiltered": 1},
			wantModel: "m", wantRoute: chat,
			wantProps: map[string]any{"finish_reason": "content_filter"},
		},
		{
			name: "hostile strings stay inside their members",
			rec: gateway.Record{ID: "a\"b\\c\nd\x00e\xff", Path: "/v1/chat/completions/../x", Status: 403,
				AuthRefusal: `","Requests":99,"x":"`, Outcome: "error"},
			want:      map[string]float64{"Requests": 1, "Errors5xx": 0, "Errors4xx": 1, "Duration": 0, "AuthRefusals": 1},
			wantModel: "none", wantRoute: "other",
			wantProps: map[string]any{"request_id": "a\"b\\c\nd\x00e\uFFFD", "auth_refusal": `","Requests":99,"x":"`},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			root := mustEMF(t, observe(t, &tt.rec))
			aws := root["_aws"].(map[string]any)
			if got := aws["Timestamp"].(json.Number).String(); got != fmt.Sprint(testNow.UnixMilli()) {
				t.Errorf("Timestamp = %s, want %d", got, testNow.UnixMilli())
			}
			dir := aws["CloudWatchMetrics"].([]any)[0].(map[string]any)
			if ns := dir["Namespace"]; ns != "Chatbot" {
				t.Errorf("Namespace = %v", ns)
			}
			if got, _ := json.Marshal(dir["Dimensions"]); string(got) != `[[],["Model"],["Route"]]` {
				t.Errorf("Dimensions = %s", got)
			}
			if got := metricValues(t, root); !maps.Equal(got, tt.want) {
				t.Errorf("metrics = %v\nwant      %v", got, tt.want)
			}
			if root["Model"] != tt.wantModel || root["Route"] != tt.wantRoute {
				t.Errorf("Model, Route = %v, %v; want %v, %v", root["Model"], root["Route"], tt.wantModel, tt.wantRoute)
			}
			for k, want := range tt.wantProps {
				if got := fmt.Sprint(root[k]); got != want {
					t.Errorf("%s = %q, want %q", k, got, want)
				}
			}
			for _, k := range []string{"sub", "Subject", "subject"} {
				if _, ok := root[k]; ok {
					t.Errorf("line carries %q", k)
				}
			}
		})
	}
}

// TestMetricNamesMatchTerraform keeps the names the alarms and dashboard
// read in step with the ones emitted.
func TestMetricNamesMatchTerraform(t *testing.T) {
	t.Parallel()
	rec := gateway.Record{Path: "/v1/chat/completions", Status: 200, Model: "m", Fallback: "throttled", AuthRefusal: "x",
		FirstToken: time.Millisecond, Outcome: "error", RateLimited: "x", QuotaStoreError: true, FinishReason: "content_filter"}
	got := slices.Sorted(maps.Keys(metricValues(t, mustEMF(t, observe(t, &rec)))))
	want := []string{"AuthRefusals", "ContentFiltered", "Duration", "Errors4xx", "Errors5xx", "Fallbacks", "OutputTokens",
		"QuotaStoreErrors", "RateLimited", "Requests", "StreamErrors", "TimeToFirstToken"}
	if !slices.Equal(got, want) {
		t.Errorf("metric names = %v, want %v", got, want)
	}
}

func TestObserveUnits(t *testing.T) {
	t.Parallel()
	rec := gateway.Record{Path: "/v1/chat/completions", Status: 200, Model: "m", Fallback: "f", AuthRefusal: "x",
		FirstToken: time.Millisecond, Outcome: "error"}
	root := mustEMF(t, observe(t, &rec))
	dir := root["_aws"].(map[string]any)["CloudWatchMetrics"].([]any)[0].(map[string]any)
	for _, d := range dir["Metrics"].([]any) {
		def := d.(map[string]any)
		want := "Count"
		if def["Name"] == "TimeToFirstToken" || def["Name"] == "Duration" {
			want = "Milliseconds" // the ttft-p99 alarm filters on this unit
		}
		if def["Unit"] != want {
			t.Errorf("%v: Unit = %v, want %s", def["Name"], def["Unit"], want)
		}
	}
}

func TestEachServedRouteIsItsOwnDimension(t *testing.T) {
	t.Parallel()
	for _, path := range []string{"/v1/chat/completions", "/v1/responses", "/v1/models", "/v1/tokens", "/healthz", "/"} {
		rec := gateway.Record{Method: "POST", Path: path, Route: path, Status: 200}
		if got := mustEMF(t, observe(t, &rec))["Route"]; got != path {
			t.Errorf("Route of %s = %v, want the path", path, got)
		}
	}
}

func TestNamespaceIsEscaped(t *testing.T) {
	t.Parallel()
	var buf bytes.Buffer
	metrics.New(&buf, `My "App"`).Observe(&gateway.Record{Status: 200})
	var v struct {
		AWS struct {
			CloudWatchMetrics []struct{ Namespace string }
		} `json:"_aws"`
	}
	if err := json.Unmarshal(buf.Bytes(), &v); err != nil {
		t.Fatalf("%v\n%s", err, buf.Bytes())
	}
	if got := v.AWS.CloudWatchMetrics[0].Namespace; got != `My "App"` {
		t.Errorf("Namespace = %q", got)
	}
}

// lineWriter is deliberately unsynchronised: with -race, two Observe calls
// writing at once are reported. It records each Write call.
type lineWriter struct{ writes [][]byte }

func (w *lineWriter) Write(p []byte) (int, error) {
	w.writes = append(w.writes, bytes.Clone(p))
	return len(p), nil
}

func TestObserveConcurrent(t *testing.T) {
	t.Parallel()
	const goroutines, each = 16, 200
	w := &lineWriter{}
	e := metrics.New(w, "Chatbot")
	var wg sync.WaitGroup
	for g := range goroutines {
		wg.Go(func() {
			for i := range each {
				e.Observe(&gateway.Record{ID: fmt.Sprintf("g%d-%d", g, i), Path: "/v1/chat/completions",
					Status: 200, Model: strings.Repeat("m", 1+i%50), FirstToken: time.Millisecond,
					Duration: time.Duration(i) * time.Millisecond, OutputTokens: i, Outcome: "complete"})
			}
		})
	}
	wg.Wait()
	if len(w.writes) != goroutines*each {
		t.Fatalf("%d writes, want %d", len(w.writes), goroutines*each)
	}
	ids := map[string]bool{}
	for _, line := range w.writes {
		root := mustEMF(t, line)
		ids[root["request_id"].(string)] = true
	}
	if len(ids) != goroutines*each {
		t.Errorf("%d distinct request ids, want %d: a pooled buffer was shared", len(ids), goroutines*each)
	}
}
