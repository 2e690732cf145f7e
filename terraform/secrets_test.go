package terraform_test

import (
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// TestAPIKeySecret checks the secret Terraform writes has the shape the
// gateway reads (internal/auth's JSON field names), a signing key long
// enough, and a first version that later key additions cannot lose.
func TestAPIKeySecret(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")

	// The field names the gateway decodes, read from its source so that a
	// rename there fails here.
	src := gatewaySource(t)
	for _, field := range []string{"api_keys", "token_signing_key"} {
		if !strings.Contains(src, `json:"`+field+`"`) {
			t.Errorf("the gateway no longer decodes %q from the key secret", field)
		}
	}
	v := m.find(t, "resource", "aws_secretsmanager_secret_version", "api_keys")
	if got := m.attr(t, v, "secret_string"); got != "jsonencode({ api_keys = {} token_signing_key = random_bytes.token_signing_key[0].hex origin_verify_secret = random_password.origin_verify.result })" {
		t.Errorf("secret_string = %s, want {api_keys: {}, token_signing_key: <hex>, origin_verify_secret: <the value CloudFront sends>}", got)
	}
	if !strings.Contains(src, `json:"origin_verify_secret"`) {
		t.Error("the gateway no longer decodes \"origin_verify_secret\" from the key secret")
	}
	if got := m.attr(t, v, "version_stages"); got != `["AWSCURRENT", local.api_keys_initial_stage]` {
		t.Errorf("version_stages = %s", got)
	}
	if got := m.text(t, m.locals()["api_keys_initial_stage"].Expr); !regexp.MustCompile(`^"[A-Za-z0-9_-]{1,256}"$`).MatchString(got) || got == `"AWSCURRENT"` || got == `"AWSPREVIOUS"` {
		t.Errorf("api_keys_initial_stage = %s, want a custom staging label", got)
	}
	lc := one(t, v, "lifecycle")
	if got := m.attr(t, lc, "ignore_changes"); got != "[secret_string, version_stages]" {
		t.Errorf("secret version ignore_changes = %s: an apply must never drop keys added by make apikey", got)
	}

	key := m.find(t, "resource", "random_bytes", "token_signing_key")
	if n := literal(t, key, "length"); n.LessThan(cty.NumberIntVal(32)).True() {
		t.Errorf("token signing key length %s bytes, the gateway needs at least 32", n.AsBigFloat())
	}

	s := m.find(t, "resource", "aws_secretsmanager_secret", "api_keys")
	if got := m.attr(t, s, "kms_key_id"); got != `var.api_keys_kms_key_arn == "" ? null : var.api_keys_kms_key_arn` {
		t.Errorf("kms_key_id = %s", got)
	}
	for _, b := range []string{"random_bytes.token_signing_key", "aws_secretsmanager_secret.api_keys", "aws_secretsmanager_secret_version.api_keys"} {
		typ, name, _ := strings.Cut(b, ".")
		if got := m.attr(t, m.find(t, "resource", typ, name), "count"); got != "local.create_api_keys_secret ? 1 : 0" {
			t.Errorf("%s count = %s", b, got)
		}
	}
	// The secret exists with API keys off too: it carries the origin secret.
	if got := m.text(t, m.locals()["create_api_keys_secret"].Expr); got != `var.api_keys_secret_arn == ""` {
		t.Errorf("create_api_keys_secret = %s", got)
	}
	// A given secret is resolved to its full ARN, the form IAM matches.
	arn := m.text(t, m.locals()["api_keys_secret_arn"].Expr)
	for _, want := range []string{"aws_secretsmanager_secret.api_keys[0].arn", "data.aws_secretsmanager_secret.given[0].arn"} {
		if !strings.Contains(arn, want) {
			t.Errorf("api_keys_secret_arn = %s, want it to use %s", arn, want)
		}
	}
	given := m.find(t, "data", "aws_secretsmanager_secret", "given")
	if got := m.attr(t, given, "arn") + " " + m.attr(t, given, "name"); got != "local.given_secret_is_arn ? var.api_keys_secret_arn : null local.given_secret_is_arn ? null : var.api_keys_secret_arn" {
		t.Errorf("the given secret is looked up by %s", got)
	}
	outputs := m.all("output", "")
	names := make([]string, 0, len(outputs))
	for _, o := range outputs {
		names = append(names, o.Labels[0])
	}
	for _, want := range []string{"api_keys_secret_arn", "function_name", "region", "edge_function_name", "edge_payload_hash"} {
		if !slices.Contains(names, want) {
			t.Errorf("no output %s (make apikey, make smoke and make destroy-edge read it)", want)
		}
	}
}

// TestCostCapByDefault checks the function's concurrency is capped unless
// the user removes the cap, and that the variable says what the cap means.
func TestCostCapByDefault(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	v := m.find(t, "variable", "reserved_concurrency")
	d := literal(t, v, "default")
	if d.LessThan(cty.NumberIntVal(1)).True() || d.GreaterThan(cty.NumberIntVal(100)).True() {
		t.Errorf("reserved_concurrency defaults to %s, want a small finite cap", d.AsBigFloat())
	}
	desc := literalString(t, v, "description")
	for _, want := range []string{"stream", "429"} {
		if !strings.Contains(desc, want) {
			t.Errorf("reserved_concurrency description lacks %q: %s", want, desc)
		}
	}
	fn := m.find(t, "resource", "aws_lambda_function", "gateway")
	if got := m.attr(t, fn, "reserved_concurrent_executions"); got != "var.reserved_concurrency" {
		t.Errorf("reserved_concurrent_executions = %s", got)
	}
	// make apikey stamps the description to recycle execution environments.
	if got := m.attr(t, one(t, fn, "lifecycle"), "ignore_changes"); got != "[description]" {
		t.Errorf("gateway ignore_changes = %s, want [description]", got)
	}
}
