package terraform_test

import (
	"maps"
	"strconv"
	"testing"
	"time"

	"github.com/zclconf/go-cty/cty"

	"github.com/chatbot-gateway/chatbot/internal/gateway"
	"github.com/chatbot-gateway/chatbot/internal/streambuf"
)

// TestStreamTable checks the table is laid out as the gateway's DynamoDB
// stream store expects: on demand, TTL, encrypted, created when enabled.
func TestStreamTable(t *testing.T) {
	t.Parallel()
	checkTable(t, loadModule(t, "."), "streams", table{
		count:  "var.enable_stream_resume ? 1 : 0",
		hash:   streambuf.KeyAttribute,
		sort:   streambuf.SortAttribute,
		keys:   map[string]string{streambuf.KeyAttribute: "S", streambuf.SortAttribute: "N"},
		ttl:    streambuf.TTLAttribute,
		kmsKey: "var.stream_table_kms_key_arn",
	})
}

// TestStreamPolicy checks the function may only read and write items of
// its stream table, invoke only itself, and use the table's key only
// through DynamoDB.
func TestStreamPolicy(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	bySid := checkGrants(t, m, "streams", map[string]grant{
		"KeepStreams": {"var.enable_stream_resume ? [1] : []",
			[]string{"dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:Query"},
			"[aws_dynamodb_table.streams[0].arn]"},
		"InvokeSelfForBackgroundResponses": {"var.enable_stream_resume ? [1] : []",
			[]string{"lambda:InvokeFunction"},
			`[aws_lambda_function.gateway.arn, "${aws_lambda_function.gateway.arn}:*"]`},
		"UseStreamTableKey": {`var.enable_stream_resume && var.stream_table_kms_key_arn != "" ? [1] : []`,
			[]string{"kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"},
			"[var.stream_table_kms_key_arn]"},
	})
	checkKeyViaDynamoDB(t, m, bySid["UseStreamTableKey"])
	checkRolePolicy(t, m, "streams", "var.enable_stream_resume ? 1 : 0")
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
		// Entries as bedrock_models takes them, as the gateway reads them.
		{"bedrock_fallback_models", cty.ListVal([]cty.Value{cty.StringVal("converse:cohere.command-r-plus-v1:0"),
			cty.StringVal("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6")}), true},
		{"bedrock_fallback_models", cty.ListVal([]cty.Value{cty.StringVal("bedrock:us.anthropic.claude-haiku-4-5-20251001-v1:0")}), false},
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
