package terraform_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"

	"github.com/chatbot-gateway/chatbot/internal/metrics"
	"github.com/chatbot-gateway/chatbot/internal/quota"
)

// TestQuotaTable checks the table is laid out as the gateway's DynamoDB
// store expects, on demand, with TTL, created only when a limit is set.
func TestQuotaTable(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	tbl := checkTable(t, m, "quota", table{
		count: "local.quota_enabled ? 1 : 0",
		hash:  quota.KeyAttribute,
		keys:  map[string]string{quota.KeyAttribute: "S"},
		ttl:   quota.TTLAttribute,
	})
	if got := m.attr(t, one(t, tbl, "point_in_time_recovery"), "enabled"); got != "var.quota_point_in_time_recovery" {
		t.Errorf("point_in_time_recovery.enabled = %s", got)
	}
}

// TestQuotaPolicy checks the function may only update and read items of
// its own table, and apply only the configured guardrail.
func TestQuotaPolicy(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	checkGrants(t, m, "quota", map[string]grant{
		"CountRateLimits": {"local.quota_enabled ? [1] : []",
			[]string{"dynamodb:UpdateItem", "dynamodb:GetItem"}, "[aws_dynamodb_table.quota[0].arn]"},
		"ApplyConfiguredGuardrail": {"local.guardrail_enabled ? [1] : []",
			[]string{"bedrock:ApplyGuardrail"}, "[local.guardrail_arn]"},
	})
	checkRolePolicy(t, m, "quota", "local.quota_enabled || local.guardrail_enabled ? 1 : 0")
}

// TestQuotaLocals evaluates the settings handed to the function: the
// overrides must parse with the gateway's own parser, and a bare
// guardrail id becomes this account's guardrail ARN.
func TestQuotaLocals(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	overrides := cty.MapVal(map[string]cty.Value{
		"group:premium": cty.MapVal(map[string]cty.Value{"rpm": cty.NumberIntVal(120), "tokens_per_day": cty.NumberIntVal(0)}),
		"key:backend":   cty.MapVal(map[string]cty.Value{"concurrent": cty.NumberIntVal(20)}),
	})
	for _, tc := range []struct {
		name       string
		rpm        int64
		overrides  cty.Value
		guardrail  string
		enabled    bool
		wantPolicy string
		wantARN    string
	}{
		{name: "nothing set", overrides: cty.MapValEmpty(cty.Map(cty.Number))},
		{name: "a default limit", rpm: 30, overrides: cty.MapValEmpty(cty.Map(cty.Number)), enabled: true},
		{name: "overrides only", overrides: overrides, enabled: true, guardrail: "gr7abc",
			wantARN: "arn:aws:bedrock:eu-west-1:123456789012:guardrail/gr7abc"},
		{name: "guardrail ARN", overrides: cty.MapValEmpty(cty.Map(cty.Number)),
			guardrail: "arn:aws:bedrock:us-east-1:123456789012:guardrail/x1", wantARN: "arn:aws:bedrock:us-east-1:123456789012:guardrail/x1"},
	} {
		got := evalLocals(t, m, map[string]cty.Value{
			"region":                    cty.StringVal("eu-west-1"),
			"rate_limit_rpm":            cty.NumberIntVal(tc.rpm),
			"rate_limit_concurrent":     cty.NumberIntVal(0),
			"rate_limit_tokens_per_day": cty.NumberIntVal(0),
			"rate_limit_overrides":      tc.overrides,
			"bedrock_guardrail_id":      cty.StringVal(tc.guardrail),
		}, map[string]cty.Value{"partition": cty.StringVal("aws"), "account_id": cty.StringVal("123456789012")})
		if e := got["quota_enabled"]; e.True() != tc.enabled {
			t.Errorf("%s: quota_enabled = %#v", tc.name, e)
		}
		if e := got["guardrail_enabled"]; e.True() != (tc.guardrail != "") {
			t.Errorf("%s: guardrail_enabled = %#v", tc.name, e)
		}
		if tc.wantARN != "" && got["guardrail_arn"].AsString() != tc.wantARN {
			t.Errorf("%s: guardrail_arn = %s", tc.name, got["guardrail_arn"].AsString())
		}
		text := got["rate_limit_overrides"].AsString()
		def := quota.Limits{RequestsPerMinute: tc.rpm}
		groups, keys, err := quota.ParseOverrides(strings.Split(text, ","), def)
		if err != nil {
			t.Fatalf("%s: RATE_LIMIT_OVERRIDES %q does not parse: %v", tc.name, text, err)
		}
		if tc.overrides.LengthInt() > 0 {
			if groups["premium"] != (quota.Limits{RequestsPerMinute: 120}) || keys["backend"] != (quota.Limits{ConcurrentStreams: 20}) {
				t.Errorf("%s: %q parsed as %v, %v", tc.name, text, groups, keys)
			}
		}
	}
}

// TestQuotaEnvironment checks the function gets every quota setting, under
// the names the gateway reads.
func TestQuotaEnvironment(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	var names []string
	env := map[string]string{}
	for _, item := range objectItems(t, m.locals()["quota_environment"]) {
		names = append(names, item.key)
		env[item.key] = m.text(t, item.value)
	}
	want := []string{"BEDROCK_GUARDRAIL_ID", "BEDROCK_GUARDRAIL_TRACE", "BEDROCK_GUARDRAIL_VERSION", "QUOTA_ON_STORE_ERROR",
		"QUOTA_TABLE", "RATE_LIMIT_CONCURRENT", "RATE_LIMIT_OVERRIDES", "RATE_LIMIT_RPM", "RATE_LIMIT_TOKENS_PER_DAY"}
	if slices.Sort(names); !slices.Equal(names, want) {
		t.Errorf("quota_environment = %q; want %q", names, want)
	}
	if got := env["QUOTA_TABLE"]; got != `local.quota_enabled ? aws_dynamodb_table.quota[0].name : ""` {
		t.Errorf("QUOTA_TABLE = %s", got)
	}
}

// TestQuotaAlarms checks the alarms read the metrics the gateway emits
// and link to their runbook.
func TestQuotaAlarms(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	for name, metric := range map[string]string{
		"quota_store_errors": metrics.MetricQuotaStoreErrors,
		"rate_limited":       metrics.MetricRateLimited,
	} {
		a := m.find(t, "resource", "aws_cloudwatch_metric_alarm", name)
		if literalString(t, a, "metric_name") != metric || m.attr(t, a, "namespace") != "var.metrics_namespace" {
			t.Errorf("%s reads %s in %s", name, m.attr(t, a, "metric_name"), m.attr(t, a, "namespace"))
		}
		for attr, want := range map[string]string{
			"count": "local.quota_enabled ? 1 : 0", "alarm_actions": "local.alarm_actions", "ok_actions": "local.alarm_actions",
			"treat_missing_data": `"notBreaching"`, "statistic": `"Sum"`,
		} {
			if got := m.attr(t, a, attr); got != want {
				t.Errorf("%s: %s = %s; want %s", name, attr, got, want)
			}
		}
		if d := m.attr(t, a, "alarm_description"); !strings.Contains(d, "See docs/limits.md#") {
			t.Errorf("%s: description %s links no runbook", name, d)
		}
	}
}

func TestQuotaVariables(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	obj := func(kv map[string]map[string]int) cty.Value {
		out := map[string]cty.Value{}
		for k, l := range kv {
			inner := map[string]cty.Value{}
			for n, v := range l {
				inner[n] = cty.NumberIntVal(int64(v))
			}
			out[k] = cty.MapVal(inner)
		}
		return cty.MapVal(out)
	}
	for _, tc := range []struct {
		variable string
		value    cty.Value
		ok       bool
	}{
		{"rate_limit_rpm", cty.NumberIntVal(60), true},
		{"rate_limit_rpm", cty.NumberIntVal(-1), false},
		{"rate_limit_rpm", cty.NumberFloatVal(1.5), false},
		{"rate_limit_concurrent", cty.NumberIntVal(1001), false},
		{"rate_limit_tokens_per_day", cty.NumberIntVal(2000000), true},
		{"rate_limit_overrides", obj(map[string]map[string]int{"group:premium": {"rpm": 120, "tokens_per_day": 0}}), true},
		{"rate_limit_overrides", obj(map[string]map[string]int{"premium": {"rpm": 1}}), false},
		{"rate_limit_overrides", obj(map[string]map[string]int{"group:a b": {"rpm": 1}}), false},
		{"rate_limit_overrides", obj(map[string]map[string]int{"key:x": {"speed": 1}}), false},
		{"rate_limit_overrides", obj(map[string]map[string]int{"key:x": {"concurrent": 5000}}), false},
		{"quota_on_store_error", cty.StringVal("deny"), true},
		{"quota_on_store_error", cty.StringVal("maybe"), false},
		{"bedrock_guardrail_id", cty.StringVal("gr7abc"), true},
		{"bedrock_guardrail_id", cty.StringVal("arn:aws:bedrock:eu-west-1:123456789012:guardrail/gr7abc"), true},
		{"bedrock_guardrail_id", cty.StringVal("*"), false},
		{"bedrock_guardrail_version", cty.StringVal("DRAFT"), true},
		{"bedrock_guardrail_version", cty.StringVal("0"), false},
		{"alarm_rate_limited_per_5min", cty.NumberIntVal(0), false},
	} {
		msg := validate(t, m.find(t, "variable", tc.variable), tc.value)
		if tc.ok != (msg == "") {
			t.Errorf("var.%s = %#v: ok %v, message %q", tc.variable, tc.value, tc.ok, msg)
		}
	}
}
