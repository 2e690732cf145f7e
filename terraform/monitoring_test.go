package terraform_test

import (
	"strings"
	"testing"

	"github.com/chatbot-gateway/chatbot/internal/metrics"
)

// TestAlarms checks the operational alarms read the metrics the gateway
// emits and notify the optional topic.
func TestAlarms(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	tests := []struct {
		name      string
		namespace string
		metrics   []string
		statistic string
		runbook   string // the alarm's section in docs/operations.md
	}{
		{name: "error_rate", namespace: "var.metrics_namespace", metrics: []string{metrics.MetricRequests, metrics.MetricErrors5xx}, runbook: "error-rate"},
		{name: "fallback_rate", namespace: "var.metrics_namespace", metrics: []string{metrics.MetricRequests, metrics.MetricFallbacks}, runbook: "fallback-rate"},
		{name: "failover_rate", namespace: "var.metrics_namespace", metrics: []string{metrics.MetricRequests, metrics.MetricFailovers}, runbook: "failover-rate"},
		{name: "ttft_p99", namespace: "var.metrics_namespace", metrics: []string{metrics.MetricTimeToFirstToken}, statistic: "p99", runbook: "time-to-first-token"},
		{name: "model_config_errors", namespace: "var.metrics_namespace", metrics: []string{metrics.MetricModelConfigErrs}, runbook: "model-configuration-errors"},
		{name: "throttles", namespace: `"AWS/Lambda"`, metrics: []string{"Throttles"}, runbook: "throttles"},
		{name: "function_errors", namespace: `"AWS/Lambda"`, metrics: []string{"Errors"}, runbook: "function-errors"},
	}
	for _, tc := range tests {
		a := m.find(t, "resource", "aws_cloudwatch_metric_alarm", tc.name)
		for _, attr := range []string{"alarm_actions", "ok_actions"} {
			if got := m.attr(t, a, attr); got != "local.alarm_actions" {
				t.Errorf("%s: %s = %s", tc.name, attr, got)
			}
		}
		if got := literalString(t, a, "treat_missing_data"); got != "notBreaching" {
			t.Errorf("%s: treat_missing_data = %q; quiet periods are not outages", tc.name, got)
		}
		// The runbook is written once, in docs/; the docs tests check the
		// anchor names a heading there.
		if d, want := m.attr(t, a, "alarm_description"), " See docs/operations.md#"+tc.runbook+`"`; !strings.HasSuffix(d, want) {
			t.Errorf("%s: description %s does not end with a link to its runbook section (%s)", tc.name, d, want)
		}
		var read []string
		if queries := nested(a, "metric_query"); len(queries) > 0 {
			returned := 0
			for _, q := range queries {
				if r, ok := q.Body.Attributes["return_data"]; ok {
					if v, _ := r.Expr.Value(nil); v.True() {
						returned++
					}
				}
				for _, mb := range nested(q, "metric") {
					if got := m.attr(t, mb, "namespace"); got != tc.namespace {
						t.Errorf("%s: namespace = %s", tc.name, got)
					}
					read = append(read, literalString(t, mb, "metric_name"))
				}
			}
			if returned != 1 {
				t.Errorf("%s: %d queries return data, want 1", tc.name, returned)
			}
		} else {
			if got := m.attr(t, a, "namespace"); got != tc.namespace {
				t.Errorf("%s: namespace = %s", tc.name, got)
			}
			read = append(read, literalString(t, a, "metric_name"))
		}
		if !equalStrings(read, tc.metrics) {
			t.Errorf("%s: metrics %q, want %q", tc.name, read, tc.metrics)
		}
		if tc.statistic != "" {
			if got := literalString(t, a, "extended_statistic"); got != tc.statistic {
				t.Errorf("%s: extended_statistic = %q", tc.name, got)
			}
		}
		if tc.namespace == `"AWS/Lambda"` {
			if got := m.attr(t, a, "dimensions"); got != "{ FunctionName = aws_lambda_function.gateway.function_name }" {
				t.Errorf("%s: dimensions = %s", tc.name, got)
			}
		}
	}
}

func TestAlarmTopicIsOptional(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	for _, r := range []struct{ typ, name string }{
		{typ: "aws_sns_topic", name: "alarms"},
		{typ: "aws_sns_topic_subscription", name: "alarm_email"},
	} {
		b := m.find(t, "resource", r.typ, r.name)
		if got := m.attr(t, b, "count"); got != `var.alarm_email == "" ? 0 : 1` {
			t.Errorf("%s.%s count = %s", r.typ, r.name, got)
		}
	}
	sub := m.find(t, "resource", "aws_sns_topic_subscription", "alarm_email")
	if literalString(t, sub, "protocol") != "email" || m.attr(t, sub, "endpoint") != "var.alarm_email" {
		t.Error("subscription must e-mail var.alarm_email")
	}
	if got := m.text(t, m.locals()["alarm_actions"].Expr); got != `var.alarm_email == "" ? [] : [aws_sns_topic.alarms[0].arn]` {
		t.Errorf("alarm_actions = %s", got)
	}
}

func TestDashboardShowsTheAlarmSeries(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	d := m.find(t, "resource", "aws_cloudwatch_dashboard", "gateway")
	body := m.attr(t, d, "dashboard_body")
	if !strings.HasPrefix(body, "jsonencode(") {
		t.Fatalf("dashboard_body = %.40s..., want jsonencode", body)
	}
	// The gateway's metrics by the names it emits them under; Throttles and
	// ConcurrentExecutions are Lambda's.
	for _, metric := range []string{metrics.MetricRequests, metrics.MetricErrors5xx, metrics.MetricErrors4xx, metrics.MetricTimeToFirstToken,
		metrics.MetricDuration, metrics.MetricOutputTokens, metrics.MetricFallbacks, metrics.MetricFailovers, metrics.MetricStreamErrors,
		metrics.MetricAuthRefusals, "Throttles", "ConcurrentExecutions", metrics.MetricRateLimited, metrics.MetricQuotaStoreErrors,
		metrics.MetricContentFiltered} {
		if !strings.Contains(body, `"`+metric+`"`) {
			t.Errorf("dashboard lacks %s", metric)
		}
	}
}
