package terraform_test

import (
	"maps"
	"strconv"
	"testing"
	"time"

	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// TestStreamTable checks the table is laid out as the gateway's DynamoDB
// stream store expects: on demand, TTL, encrypted, created when enabled.
func TestStreamTable(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	tbl := m.find(t, "resource", "aws_dynamodb_table", "streams")
	for attr, want := range map[string]string{
		"count":        "var.enable_stream_resume ? 1 : 0",
		"billing_mode": `"PAY_PER_REQUEST"`,
		"hash_key":     `"` + streambuf.KeyAttribute + `"`,
		"range_key":    `"` + streambuf.SortAttribute + `"`,
	} {
		if got := m.attr(t, tbl, attr); got != want {
			t.Errorf("table %s = %s; want %s", attr, got, want)
		}
	}
	types := map[string]string{}
	for _, a := range nested(tbl, "attribute") {
		types[literalString(t, a, "name")] = literalString(t, a, "type")
	}
	if len(types) != 2 || types[streambuf.KeyAttribute] != "S" || types[streambuf.SortAttribute] != "N" {
		t.Errorf("key attributes = %v; want %s S and %s N", types, streambuf.KeyAttribute, streambuf.SortAttribute)
	}
	ttl := one(t, tbl, "ttl")
	if literalString(t, ttl, "attribute_name") != streambuf.TTLAttribute || !literal(t, ttl, "enabled").True() {
		t.Errorf("ttl = %s, enabled %s; want %s, true", m.attr(t, ttl, "attribute_name"), m.attr(t, ttl, "enabled"), streambuf.TTLAttribute)
	}
	sse := one(t, tbl, "server_side_encryption")
	if got := m.attr(t, sse, "kms_key_arn"); got != `var.stream_table_kms_key_arn == "" ? null : var.stream_table_kms_key_arn` {
		t.Errorf("server_side_encryption.kms_key_arn = %s", got)
	}
}

// TestStreamPolicy checks the function may only read and write items of
// its stream table, invoke only itself, and use the table's key only
// through DynamoDB.
func TestStreamPolicy(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	doc := m.find(t, "data", "aws_iam_policy_document", "streams")
	for _, b := range doc.Body.Blocks {
		if b.Type == "statement" {
			t.Errorf("an unconditional statement (%s); every grant depends on enable_stream_resume", literalString(t, b, "sid"))
		}
	}
	type want struct {
		forEach   string
		actions   []string
		resources string
	}
	wants := map[string]want{
		"KeepStreams": {"var.enable_stream_resume ? [1] : []",
			[]string{"dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"},
			"[aws_dynamodb_table.streams[0].arn]"},
		"InvokeSelfForBackgroundResponses": {"var.enable_stream_resume ? [1] : []",
			[]string{"lambda:InvokeFunction"},
			`[aws_lambda_function.gateway.arn, "${aws_lambda_function.gateway.arn}:*"]`},
		"UseStreamTableKey": {`var.enable_stream_resume && var.stream_table_kms_key_arn != "" ? [1] : []`,
			[]string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"},
			"[var.stream_table_kms_key_arn]"},
	}
	seen := map[string]*hclsyntax.Block{}
	for _, d := range doc.Body.Blocks {
		if d.Type != "dynamic" {
			continue
		}
		c := one(t, d, "content")
		sid := literalString(t, c, "sid")
		w, ok := wants[sid]
		if !ok {
			t.Errorf("unexpected statement %s", sid)
			continue
		}
		seen[sid] = c
		if got := m.attr(t, d, "for_each"); got != w.forEach {
			t.Errorf("%s for_each = %s; want %s", sid, got, w.forEach)
		}
		if literalString(t, c, "effect") != "Allow" {
			t.Errorf("%s: effect %s", sid, m.attr(t, c, "effect"))
		}
		if got := literalStrings(t, c, "actions"); !equalStrings(got, w.actions) {
			t.Errorf("%s actions = %q; want %q", sid, got, w.actions)
		}
		if got := m.attr(t, c, "resources"); got != w.resources {
			t.Errorf("%s resources = %s; want %s", sid, got, w.resources)
		}
	}
	if len(seen) != len(wants) {
		t.Errorf("have statements %v; want %d", sortedKeys(seen), len(wants))
	}
	if c := seen["UseStreamTableKey"]; c != nil {
		cond := one(t, c, "condition")
		if m.attr(t, cond, "variable") != `"kms:ViaService"` || m.attr(t, cond, "values") != `["dynamodb.${var.region}.amazonaws.com"]` {
			t.Errorf("UseStreamTableKey condition = %s %s", m.attr(t, cond, "variable"), m.attr(t, cond, "values"))
		}
	}
	p := m.find(t, "resource", "aws_iam_role_policy", "streams")
	if m.attr(t, p, "role") != "aws_iam_role.lambda.id" || m.attr(t, p, "policy") != "data.aws_iam_policy_document.streams.json" ||
		m.attr(t, p, "count") != "var.enable_stream_resume ? 1 : 0" {
		t.Error("the stream policy must be the document above, on the function's role, when enabled")
	}
}

// TestStreamEnvironment checks the function is told the table and TTL
// under the names the gateway reads, in a form it parses.
func TestStreamEnvironment(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	env := map[string]string{}
	for _, item := range objectItems(t, m.locals()["stream_environment"]) {
		env[item.key] = m.text(t, item.value)
	}
	want := map[string]string{
		"STREAM_TABLE":            `var.enable_stream_resume ? aws_dynamodb_table.streams[0].name : ""`,
		"STREAM_TTL":              `"${var.stream_ttl_minutes}m"`,
		"BEDROCK_FALLBACK_MODELS": `join(",", var.bedrock_fallback_models)`,
		"FAILOVER":                `length(var.bedrock_fallback_models) > 0 ? var.failover : "off"`,
	}
	if !maps.Equal(env, want) {
		t.Errorf("stream_environment = %v; want %v", env, want)
	}
}

func TestStreamVariables(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	for _, tc := range []struct {
		variable string
		value    cty.Value
		ok       bool
	}{
		{"stream_ttl_minutes", cty.NumberIntVal(60), true},
		{"stream_ttl_minutes", cty.NumberIntVal(0), false},
		{"stream_ttl_minutes", cty.NumberIntVal(10081), false},
		{"stream_ttl_minutes", cty.NumberFloatVal(1.5), false},
		{"stream_table_kms_key_arn", cty.StringVal(""), true},
		{"stream_table_kms_key_arn", cty.StringVal("arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"), true},
		{"stream_table_kms_key_arn", cty.StringVal("alias/mine"), false},
		{"bedrock_fallback_models", cty.ListVal([]cty.Value{cty.StringVal("us.anthropic.claude-3-haiku-20240307-v1:0")}), true},
		{"bedrock_fallback_models", cty.ListVal([]cty.Value{cty.StringVal("*")}), false},
		{"failover", cty.StringVal("off"), true},
		{"failover", cty.StringVal("true"), false},
	} {
		msg := validate(t, m.find(t, "variable", tc.variable), tc.value)
		if tc.ok != (msg == "") {
			t.Errorf("var.%s = %#v: ok %v, message %q", tc.variable, tc.value, tc.ok, msg)
		}
	}
}

// TestBackgroundInvokeConfig: a background job's asynchronous invocation
// is never retried (the gateway claims each job once and ends it itself),
// and its event is dropped once it is older than the gateway waits for it
// (gateway.DefaultJobMaxAge), after which the response reads as failed.
func TestBackgroundInvokeConfig(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	c := m.find(t, "resource", "aws_lambda_function_event_invoke_config", "background")
	for attr, want := range map[string]string{
		"count":                        "var.enable_stream_resume ? 1 : 0",
		"function_name":                "aws_lambda_function.gateway.function_name",
		"maximum_retry_attempts":       "0",
		"maximum_event_age_in_seconds": strconv.Itoa(int(gateway.DefaultJobMaxAge / time.Second)),
	} {
		if got := m.attr(t, c, attr); got != want {
			t.Errorf("event invoke config %s = %s; want %s", attr, got, want)
		}
	}
}
