package terraform_test

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclwrite"
	"github.com/zclconf/go-cty/cty"
)

// TestFormatting checks every .tf file is laid out as `terraform fmt` would
// lay it out (hclwrite.Format is the formatter terraform fmt uses).
func TestFormatting(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "github-oidc"} {
		m := loadModule(t, dir)
		files := sortedKeys(m.src)
		tests, err := filepath.Glob(filepath.Join(dir, "tests", "*.tftest.hcl"))
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range append(files, tests...) {
			src, err := os.ReadFile(name)
			if err != nil {
				t.Fatal(err)
			}
			if got := hclwrite.Format(src); !bytes.Equal(got, src) {
				t.Errorf("%s is not formatted; run terraform fmt -recursive terraform", name)
			}
		}
	}
}

func TestFunctionURLRequiresIAMAndStreams(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	url := m.find(t, "resource", "aws_lambda_function_url", "gateway")
	if got := literalString(t, url, "authorization_type"); got != "AWS_IAM" {
		t.Errorf("authorization_type = %q, want AWS_IAM: anything else lets callers bypass CloudFront", got)
	}
	if got := literalString(t, url, "invoke_mode"); got != "RESPONSE_STREAM" {
		t.Errorf("invoke_mode = %q, want RESPONSE_STREAM", got)
	}
	if _, ok := url.Body.Attributes["cors"]; ok || len(nested(url, "cors")) > 0 {
		t.Error("function URL CORS is set; the gateway answers CORS itself")
	}
	if got := m.attr(t, url, "function_name"); got != "aws_lambda_function.gateway.function_name" {
		t.Errorf("function_name = %s", got)
	}
}

func TestLambdaFunction(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	fn := m.find(t, "resource", "aws_lambda_function", "gateway")
	for _, tc := range []struct {
		attr, want string
	}{
		{attr: "runtime", want: "provided.al2023"},
		{attr: "handler", want: "bootstrap"},
		{attr: "package_type", want: "Zip"},
	} {
		if got := literalString(t, fn, tc.attr); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.attr, got, tc.want)
		}
	}
	if got := literalStrings(t, fn, "architectures"); !equalStrings(got, []string{"arm64"}) {
		t.Errorf("architectures = %q, want [arm64]", got)
	}
	for _, tc := range []struct {
		attr, want string
	}{
		{attr: "filename", want: "var.lambda_zip_path"},
		{attr: "source_code_hash", want: "filebase64sha256(var.lambda_zip_path)"},
		{attr: "memory_size", want: "var.lambda_memory_mb"},
		{attr: "timeout", want: "var.lambda_timeout_seconds"},
		{attr: "reserved_concurrent_executions", want: "var.reserved_concurrency"},
		{attr: "role", want: "aws_iam_role.lambda.arn"},
	} {
		if got := m.attr(t, fn, tc.attr); got != tc.want {
			t.Errorf("%s = %s, want %s", tc.attr, got, tc.want)
		}
	}
	if got := m.attr(t, one(t, fn, "tracing_config"), "mode"); got != `var.enable_xray ? "Active" : "PassThrough"` {
		t.Errorf("tracing_config.mode = %s", got)
	}
	if got := m.attr(t, one(t, fn, "environment"), "variables"); got != "merge(local.lambda_environment, local.quota_environment, local.state_environment, local.stream_environment, local.otel_environment)" {
		t.Errorf("environment.variables = %s", got)
	}
}

// TestLambdaEnvironment checks the function gets every setting the gateway
// reads in Lambda mode, with the security-relevant ones fixed.
func TestLambdaEnvironment(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	a, ok := m.locals()["lambda_environment"]
	if !ok {
		t.Fatal("no local lambda_environment")
	}
	env := map[string]string{}
	for _, item := range objectItems(t, a) {
		env[item.key] = m.text(t, item.value)
	}
	for _, want := range []string{
		"COGNITO_USER_POOL_ID", "COGNITO_CLIENT_IDS", "COGNITO_TOKEN_USE", "COGNITO_GROUPS",
		"BEDROCK_MODEL_ID", "BEDROCK_MODELS", "SYSTEM_PROMPT", "ALLOWED_ORIGINS", "ALLOWED_CIDRS",
		"REQUIRE_CONTENT_SHA256", "CHATBOT_MAX_TOKENS", "LOG_LEVEL", "METRICS_NAMESPACE",
		"CHATBOT_MAX_BODY_BYTES", "API_KEYS_SECRET_ARN",
	} {
		if _, ok := env[want]; !ok {
			t.Errorf("lambda environment lacks %s", want)
		}
	}
	if got := env["REQUIRE_CONTENT_SHA256"]; got != `"true"` {
		t.Errorf("REQUIRE_CONTENT_SHA256 = %s, want \"true\"", got)
	}
	if got := env["API_KEYS_SECRET_ARN"]; got != "local.api_keys_secret_arn" {
		t.Errorf("API_KEYS_SECRET_ARN = %s, want local.api_keys_secret_arn", got)
	}
	if got := env["CHATBOT_MAX_BODY_BYTES"]; got != "tostring(var.max_body_bytes)" {
		t.Errorf("CHATBOT_MAX_BODY_BYTES = %s", got)
	}
	// Keys, the signing key and the origin secret travel in the secret,
	// never in the environment, which anyone allowed
	// lambda:GetFunctionConfiguration can read.
	for _, never := range []string{"API_KEY_SHA256S", "TOKEN_SIGNING_KEY", "ORIGIN_VERIFY_SECRET"} {
		if _, ok := env[never]; ok {
			t.Errorf("lambda environment sets %s; it belongs in the secret", never)
		}
	}
	for name, value := range env {
		if strings.Contains(value, "random_password") || strings.Contains(value, "origin_verify") {
			t.Errorf("lambda environment %s = %s: a secret value in the environment", name, value)
		}
	}
	for _, gone := range []string{"AUTH_MODE", "OIDC_ISSUER"} {
		if _, ok := env[gone]; ok {
			t.Errorf("lambda environment sets %s; Cognito is the only configured issuer", gone)
		}
	}
}

func TestLogGroupHasRetentionAndIsTheOnlyLogTarget(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	lg := m.find(t, "resource", "aws_cloudwatch_log_group", "lambda")
	if got := m.attr(t, lg, "retention_in_days"); got != "var.log_retention_days" {
		t.Errorf("retention_in_days = %s", got)
	}
	if got := m.attr(t, lg, "name"); got != `"/aws/lambda/${local.name}"` {
		t.Errorf("log group name = %s, want the function's default group", got)
	}
	fn := m.find(t, "resource", "aws_lambda_function", "gateway")
	if got := m.attr(t, one(t, fn, "logging_config"), "log_group"); got != "aws_cloudwatch_log_group.lambda.name" {
		t.Errorf("logging_config.log_group = %s", got)
	}
	if got := m.attr(t, fn, "function_name"); got != "local.name" {
		t.Errorf("function_name = %s", got)
	}
}

func TestOriginAccessControl(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	oac := m.find(t, "resource", "aws_cloudfront_origin_access_control", "lambda")
	for _, tc := range []struct {
		attr, want string
	}{
		{attr: "origin_access_control_origin_type", want: "lambda"},
		{attr: "signing_behavior", want: "always"},
		{attr: "signing_protocol", want: "sigv4"},
	} {
		if got := literalString(t, oac, tc.attr); got != tc.want {
			t.Errorf("%s = %q, want %q", tc.attr, got, tc.want)
		}
	}
}

func TestInvokePermissions(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	perms := m.all("resource", "aws_lambda_permission")
	if len(perms) != 2 {
		t.Fatalf("have %d aws_lambda_permission resources, want exactly 2", len(perms))
	}
	actions := map[string]bool{}
	for _, p := range perms {
		if got := literalString(t, p, "principal"); got != "cloudfront.amazonaws.com" {
			t.Errorf("%s: principal = %q", p.Labels[1], got)
		}
		if got := m.attr(t, p, "source_arn"); got != "aws_cloudfront_distribution.gateway.arn" {
			t.Errorf("%s: source_arn = %s, want the distribution ARN", p.Labels[1], got)
		}
		if got := m.attr(t, p, "function_name"); got != "aws_lambda_function.gateway.function_name" {
			t.Errorf("%s: function_name = %s", p.Labels[1], got)
		}
		action := literalString(t, p, "action")
		actions[action] = true
		switch action {
		case "lambda:InvokeFunctionUrl":
			if got := literalString(t, p, "function_url_auth_type"); got != "AWS_IAM" {
				t.Errorf("InvokeFunctionUrl: function_url_auth_type = %q", got)
			}
		case "lambda:InvokeFunction":
			if v := literal(t, p, "invoked_via_function_url"); !v.True() {
				t.Error("InvokeFunction: invoked_via_function_url must be true")
			}
		default:
			t.Errorf("unexpected action %q", action)
		}
	}
	if !actions["lambda:InvokeFunctionUrl"] || !actions["lambda:InvokeFunction"] {
		t.Errorf("actions = %v, want both InvokeFunctionUrl and InvokeFunction", actions)
	}
}

func TestViewerRequestFunction(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	fn := m.find(t, "resource", "aws_cloudfront_function", "viewer_request")
	if got := literalString(t, fn, "runtime"); got != "cloudfront-js-2.0" {
		t.Errorf("runtime = %q", got)
	}
	if v := literal(t, fn, "publish"); !v.True() {
		t.Error("publish must be true: only published code runs at the edge")
	}
	if got := m.attr(t, fn, "code"); got != `file("${path.module}/functions/viewer_request.js")` {
		t.Errorf("code = %s", got)
	}
	src, err := os.ReadFile(filepath.Join("functions", "viewer_request.js"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "function handler(event)") {
		t.Error("viewer_request.js has no handler(event)")
	}
	if strings.Contains(string(src), "console.") {
		t.Error("viewer_request.js logs; it handles credentials and must not")
	}
	if len(src) > 10*1024 {
		t.Errorf("viewer_request.js is %d bytes; CloudFront Functions allow 10 KB", len(src))
	}
}

func TestDistribution(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	d := m.find(t, "resource", "aws_cloudfront_distribution", "gateway")
	origin := one(t, d, "origin")
	if got := m.attr(t, origin, "origin_access_control_id"); got != "aws_cloudfront_origin_access_control.lambda.id" {
		t.Errorf("origin_access_control_id = %s", got)
	}
	if got := m.attr(t, origin, "domain_name"); got != "local.function_url_host" {
		t.Errorf("origin domain_name = %s", got)
	}
	if got := m.text(t, m.locals()["function_url_host"].Expr); !strings.Contains(got, "aws_lambda_function_url.gateway.function_url") {
		t.Errorf("function_url_host = %s, want the function URL host", got)
	}
	coc := one(t, origin, "custom_origin_config")
	if got := literalString(t, coc, "origin_protocol_policy"); got != "https-only" {
		t.Errorf("origin_protocol_policy = %q", got)
	}
	if got := literalStrings(t, coc, "origin_ssl_protocols"); !equalStrings(got, []string{"TLSv1.2"}) {
		t.Errorf("origin_ssl_protocols = %q, want [TLSv1.2]", got)
	}
	if got := m.attr(t, coc, "origin_read_timeout"); got != "var.origin_read_timeout" {
		t.Errorf("origin_read_timeout = %s", got)
	}
	hdr := one(t, origin, "custom_header")
	if got := m.attr(t, hdr, "name"); got != "local.origin_verify_name" || m.text(t, m.locals()["origin_verify_name"].Expr) != `"X-Origin-Verify"` {
		t.Errorf("custom header name = %s, want X-Origin-Verify", got)
	}
	if got := m.attr(t, hdr, "value"); got != "local.origin_verify_secret" {
		t.Errorf("custom header value = %s", got)
	}
	// The value written into the secret the module makes, or read from a
	// given one.
	if got := m.text(t, m.locals()["origin_verify_secret"].Expr); !strings.Contains(got, "random_password.origin_verify.result") ||
		!strings.Contains(got, "jsondecode(data.aws_secretsmanager_secret_version.given[0].secret_string).origin_verify_secret") {
		t.Errorf("local.origin_verify_secret = %s", got)
	}
	if got := literal(t, m.find(t, "resource", "random_password", "origin_verify"), "length"); got.LessThan(cty.NumberIntVal(32)).True() {
		t.Errorf("origin verify secret length %s < 32", got.AsBigFloat())
	}

	cb := one(t, d, "default_cache_behavior")
	if v := literal(t, cb, "compress"); !v.False() {
		t.Error("compress must be false: compression buffers the stream")
	}
	if got := literalString(t, cb, "viewer_protocol_policy"); got != "https-only" {
		t.Errorf("viewer_protocol_policy = %q", got)
	}
	methods := literalStrings(t, cb, "allowed_methods")
	for _, want := range []string{"GET", "HEAD", "OPTIONS", "PUT", "POST", "PATCH", "DELETE"} {
		if !slices.Contains(methods, want) {
			t.Errorf("allowed_methods lacks %s", want)
		}
	}
	if got := m.attr(t, cb, "cache_policy_id"); got != "local.caching_disabled_policy_id" ||
		m.text(t, m.locals()["caching_disabled_policy_id"].Expr) != `"4135ea2d-6df8-44a3-9df3-4b5a84be39ad"` {
		t.Errorf("cache_policy_id = %s, want managed CachingDisabled", got)
	}
	if got := m.attr(t, cb, "origin_request_policy_id"); got != "aws_cloudfront_origin_request_policy.gateway.id" {
		t.Errorf("origin_request_policy_id = %s", got)
	}
	fa := one(t, cb, "function_association")
	if got := literalString(t, fa, "event_type"); got != "viewer-request" {
		t.Errorf("function event_type = %q", got)
	}
	if got := m.attr(t, fa, "function_arn"); got != "aws_cloudfront_function.viewer_request.arn" {
		t.Errorf("function_arn = %s", got)
	}
	if got := m.attr(t, one(t, d, "viewer_certificate"), "minimum_protocol_version"); !strings.Contains(got, `"TLSv1.2_2021"`) {
		t.Errorf("minimum_protocol_version = %s, want TLSv1.2_2021 with a custom certificate", got)
	}
}
