package terraform_test

import (
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/typeexpr"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/gocty"
)

// TestVariablesDeclared checks every variable is typed, described and, unless
// it is a bool, validated.
func TestVariablesDeclared(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "github-oidc"} {
		m := loadModule(t, dir)
		for _, v := range m.all("variable", "") {
			name := dir + ": var." + v.Labels[0]
			typ := variableType(t, v)
			if d, ok := v.Body.Attributes["description"]; !ok {
				t.Errorf("%s has no description", name)
			} else if s, _ := d.Expr.Value(nil); s.IsNull() || len(strings.TrimSpace(s.AsString())) < 10 {
				t.Errorf("%s: description too short", name)
			}
			if typ != cty.Bool && len(nested(v, "validation")) == 0 {
				t.Errorf("%s has no validation", name)
			}
		}
	}
}

// TestVariableDefaultsPassValidation evaluates every validation against the
// default value: a broken regex or condition fails here, not at plan time.
func TestVariableDefaultsPassValidation(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "github-oidc"} {
		m := loadModule(t, dir)
		for _, v := range m.all("variable", "") {
			d, ok := v.Body.Attributes["default"]
			if !ok {
				continue
			}
			val, diags := d.Expr.Value(nil)
			if diags.HasErrors() {
				t.Fatalf("var.%s default: %s", v.Labels[0], diags.Error())
			}
			if msg := validate(t, v, val); msg != "" {
				t.Errorf("%s: default of var.%s fails validation: %s", dir, v.Labels[0], msg)
			}
		}
	}
}

// TestVariableValidation checks that validations accept good values and
// refuse bad ones.
func TestVariableValidation(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	checkValidations(t, m, []validationCase{
		{variable: "region", value: "eu-central-1", ok: true},
		{variable: "region", value: "US-EAST-1"},
		{variable: "project", value: "Chat Bot"},
		{variable: "lambda_zip_path", value: "dist/bootstrap"},
		{variable: "lambda_memory_mb", value: 64},
		{variable: "lambda_timeout_seconds", value: 901},
		{variable: "reserved_concurrency", value: 0},
		{variable: "reserved_concurrency", value: 10, ok: true},
		{variable: "log_retention_days", value: 10},
		{variable: "log_retention_days", value: 90, ok: true},
		{variable: "log_level", value: "trace"},
		{variable: "bedrock_model_id", value: "anthropic.claude-3-haiku-20240307-v1:0", ok: true},
		{variable: "bedrock_model_id", value: "us.anthropic.claude-sonnet-4-5-20250929-v1:0", ok: true},
		{variable: "bedrock_model_id", value: "*"},
		{variable: "bedrock_model_id", value: "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc", ok: true},
		{variable: "bedrock_model_id", value: "arn:aws:bedrock:us-east-1:123456789012:provisioned-model/abc"},
		{variable: "bedrock_model_id", value: "converse:cohere.command-r-plus-v1:0", ok: true},
		{variable: "bedrock_model_id", value: "chat:cohere.command-r-plus-v1:0"},
		{variable: "bedrock_models", value: strs("invoke:us.anthropic.claude-haiku-4-5-20251001-v1:0", "converse:amazon.nova-lite-v1:0"), ok: true},
		{variable: "bedrock_api", value: "converse", ok: true},
		{variable: "bedrock_api", value: "chat"},
		{variable: "fallback_on", value: "any", ok: true},
		{variable: "fallback_on", value: "always"},
		{variable: "bedrock_models", value: strs("anthropic.claude-3-haiku-20240307-v1:0", "*")},
		{variable: "system_prompt", value: strings.Repeat("x", 3000)},
		{variable: "allowed_origins", value: strs("https://chat.example.com", "http://localhost:3000"), ok: true},
		{variable: "allowed_origins", value: strs("https://chat.example.com/")},
		{variable: "allowed_origins", value: strs("*")},
		{variable: "allowed_cidrs", value: strs("203.0.113.0/24", "2001:db8::/32"), ok: true},
		{variable: "allowed_cidrs", value: strs("10.0.0.0/33")},
		{variable: "price_class", value: "PriceClass_50"},
		{variable: "origin_read_timeout", value: 30},
		{variable: "acm_certificate_arn", value: "arn:aws:acm:eu-west-1:123456789012:certificate/x"},
		{variable: "cognito_user_pool_id", value: "us-east-1_AbC123", ok: true},
		{variable: "cognito_user_pool_id", value: "pool"},
		{variable: "cognito_token_use", value: "refresh"},
		{variable: "cognito_groups", value: strs("a,b")},
		{variable: "metrics_namespace", value: "AWS/Lambda"},
		{variable: "alarm_email", value: "ops@example.com", ok: true},
		{variable: "alarm_email", value: "ops"},
		{variable: "alarm_error_rate_percent", value: 0},
		{variable: "reserved_concurrency", value: -1, ok: true},
		{variable: "max_body_bytes", value: 1048576, ok: true},
		{variable: "max_body_bytes", value: 512},
		{variable: "max_body_bytes", value: 7 << 20},
		{variable: "api_keys_secret_arn", value: "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/chat-keys-AbCdEf", ok: true},
		{variable: "api_keys_secret_arn", value: "chat-keys", ok: true},
		{variable: "api_keys_secret_arn", value: "shared/chat-keys", ok: true},
		{variable: "api_keys_secret_arn", value: "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/chat-keys"},
		{variable: "api_keys_secret_arn", value: "chat keys"},
		{variable: "api_keys_secret_arn", value: "arn:aws:s3:::bucket"},
		{variable: "api_keys_kms_key_arn", value: "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab", ok: true},
		{variable: "api_keys_kms_key_arn", value: "arn:aws:kms:us-east-1:123456789012:alias/chat"},
		{variable: "edge_zip_path", value: "terraform/functions/payload_hash.mjs"},
		{variable: "permissions_boundary_arn", value: "arn:aws:iam::123456789012:policy/chatbot-function-boundary", ok: true},
		{variable: "permissions_boundary_arn", value: "chatbot-function-boundary"},
		{variable: "adot_layer_arn", value: "arn:aws:lambda:us-east-1:901920570463:layer:aws-otel-collector-arm64-ver-0-117-0:1", ok: true},
		{variable: "adot_layer_arn", value: "arn:aws:lambda:us-east-1:901920570463:layer:aws-otel-collector-arm64-ver-0-117-0"},
		{variable: "adot_collector_config_uri", value: "s3://b.s3.us-east-1.amazonaws.com/c.yaml", ok: true},
		{variable: "adot_collector_config_uri", value: "/var/task/collector.yaml"},
		{variable: "alarm_daily_spend_usd", value: 25.5, ok: true},
		{variable: "alarm_daily_spend_usd", value: -1},
	})
}

// TestEveryVariableIsUsed catches variables that are declared but wired to
// nothing.
func TestEveryVariableIsUsed(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "github-oidc"} {
		m := loadModule(t, dir)
		var all strings.Builder
		for _, b := range m.blocks {
			if b.Type != "variable" {
				all.Write(b.Range().SliceBytes(m.src[b.Range().Filename]))
			}
		}
		for _, v := range m.all("variable", "") {
			if !strings.Contains(all.String(), "var."+v.Labels[0]) {
				t.Errorf("%s: var.%s is never used", dir, v.Labels[0])
			}
		}
	}
}

func variableType(tb testing.TB, v *hclsyntax.Block) cty.Type {
	tb.Helper()
	a, ok := v.Body.Attributes["type"]
	if !ok {
		tb.Fatalf("var.%s has no type", v.Labels[0])
	}
	ty, diags := typeexpr.TypeConstraint(a.Expr)
	if diags.HasErrors() {
		tb.Fatalf("var.%s type: %s", v.Labels[0], diags.Error())
	}
	return ty
}

// validate converts val to the variable's type and evaluates its validation
// conditions the way Terraform does; it returns the first failure.
func validate(tb testing.TB, v *hclsyntax.Block, val cty.Value) string {
	tb.Helper()
	name := v.Labels[0]
	val, err := convert.Convert(val, variableType(tb, v))
	if err != nil {
		return "type: " + err.Error()
	}
	ctx := &hcl.EvalContext{
		Variables: map[string]cty.Value{"var": cty.ObjectVal(map[string]cty.Value{name: val})},
		Functions: functions(),
	}
	for _, rule := range nested(v, "validation") {
		c, ok := rule.Body.Attributes["condition"]
		if !ok {
			tb.Fatalf("var.%s: validation without condition", name)
		}
		if _, ok := rule.Body.Attributes["error_message"]; !ok {
			tb.Fatalf("var.%s: validation without error_message", name)
		}
		res, diags := c.Expr.Value(ctx)
		diags = append(diags, logicOperandErrors(c.Expr, ctx)...)
		if diags.HasErrors() {
			return "condition error: " + diags.Error()
		}
		if res.IsNull() || !res.Type().Equals(cty.Bool) {
			tb.Fatalf("var.%s: condition is not a bool", name)
		}
		if res.False() {
			msg, _ := rule.Body.Attributes["error_message"].Expr.Value(nil)
			return msg.AsString()
		}
	}
	return ""
}

// validationCase is a value for a variable, and whether its validations
// accept it.
type validationCase struct {
	variable string
	value    any
	ok       bool
}

// strs is a list of strings as a variable's value.
func strs(s ...string) any { return s }

// checkValidations checks each case against the validations of m's
// variable.
func checkValidations(t *testing.T, m *module, tests []validationCase) {
	t.Helper()
	for _, tc := range tests {
		v := m.find(t, "variable", tc.variable)
		ty, err := gocty.ImpliedType(tc.value)
		if err != nil {
			t.Fatal(err)
		}
		val, err := gocty.ToCtyValue(tc.value, ty)
		if err != nil {
			t.Fatal(err)
		}
		msg := validate(t, v, val)
		if tc.ok && msg != "" {
			t.Errorf("var.%s = %v refused: %s", tc.variable, tc.value, msg)
		}
		if !tc.ok && msg == "" {
			t.Errorf("var.%s = %v accepted", tc.variable, tc.value)
		}
	}
}

// TestGitHubOIDCVariableValidation checks the deploy role's own inputs.
func TestGitHubOIDCVariableValidation(t *testing.T) {
	t.Parallel()
	m := loadModule(t, "github-oidc")
	checkValidations(t, m, []validationCase{
		{variable: "role_name", value: "chatbot-github-deploy", ok: true},
		{variable: "role_name", value: "chatbot-dev-lambda"},
		{variable: "role_name", value: "chatbot-dev-edge"},
		{variable: "environments", value: strs("dev", "prod"), ok: true},
		{variable: "environments", value: strs()},
		{variable: "environments", value: strs("*")},
		{variable: "kms_key_arns", value: strs("arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"), ok: true},
		{variable: "kms_key_arns", value: strs("*")},
		{variable: "api_keys_secret_arns", value: strs("arn:aws:secretsmanager:us-east-1:123456789012:secret:x-AbCdEf"), ok: true},
		{variable: "api_keys_secret_arns", value: strs("*")},
		{variable: "api_keys_secret_arns", value: strs("arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/chat-keys")},
		{variable: "origin_access_control_ids", value: strs("E2QWRUHAPOMQZL"), ok: true},
		{variable: "origin_access_control_ids", value: strs("*")},
		{variable: "origin_request_policy_ids", value: strs("216adef6-5c7f-47e4-b989-5492eafa07d3"), ok: true},
		{variable: "origin_request_policy_ids", value: strs("*")},
		{variable: "branch", value: "release/*"},
	})
}
