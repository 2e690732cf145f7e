package terraform_test

import (
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/convert"
	"github.com/zclconf/go-cty/cty/gocty"
)

// variableValues returns every variable's default, with overrides applied,
// converted to the declared types (a variable without a default is null).
func variableValues(tb testing.TB, m *module, overrides map[string]any) map[string]cty.Value {
	tb.Helper()
	out := map[string]cty.Value{}
	for _, v := range m.all("variable", "") {
		name := v.Labels[0]
		ty := variableType(tb, v)
		val := cty.NullVal(ty)
		if d, ok := v.Body.Attributes["default"]; ok {
			dv, diags := d.Expr.Value(nil)
			if diags.HasErrors() {
				tb.Fatal(diags.Error())
			}
			val = dv
		}
		if o, ok := overrides[name]; ok {
			t, err := gocty.ImpliedType(o)
			if err != nil {
				tb.Fatal(err)
			}
			if val, err = gocty.ToCtyValue(o, t); err != nil {
				tb.Fatal(err)
			}
		}
		conv, err := convert.Convert(val, ty)
		if err != nil {
			tb.Fatalf("var.%s: %v", name, err)
		}
		out[name] = conv
	}
	for name := range overrides {
		if _, ok := out[name]; !ok {
			tb.Fatalf("no variable %s", name)
		}
	}
	return out
}

// failingPreconditions evaluates the preconditions of a resource with the
// given variables, the module's locals and, for what only exists once
// applied, stand-ins: a given key secret whose text is givenSecret. It
// returns the error messages of those that fail.
func failingPreconditions(tb testing.TB, m *module, vars map[string]cty.Value, givenSecret, typ, name string) []string {
	tb.Helper()
	const arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chatbot-dev-api-keys-1-AbCdEf"
	ctx := newEvalScope(tb, m, vars, map[string]cty.Value{
		"data.aws_caller_identity.current":             obj("account_id", testAccount),
		"data.aws_partition.current":                   obj("partition", "aws"),
		"random_password.origin_verify":                obj("result", strings.Repeat("r", 48)),
		"aws_secretsmanager_secret.api_keys":           cty.TupleVal([]cty.Value{obj("arn", arn)}),
		"data.aws_secretsmanager_secret.given":         cty.TupleVal([]cty.Value{obj("arn", testShared)}),
		"data.aws_secretsmanager_secret_version.given": cty.TupleVal([]cty.Value{obj("secret_string", givenSecret)}),
	}).ctx
	var failed []string
	for _, p := range nested(one(tb, m.find(tb, "resource", typ, name), "lifecycle"), "precondition") {
		cond := p.Body.Attributes["condition"].Expr
		res, diags := cond.Value(ctx)
		diags = append(diags, logicOperandErrors(cond, ctx)...)
		if diags.HasErrors() {
			tb.Fatalf("precondition %s: %s", m.text(tb, p.Body.Attributes["condition"].Expr), diags.Error())
		}
		if res.False() {
			failed = append(failed, literalString(tb, p, "error_message"))
		}
	}
	return failed
}

// TestPreconditions evaluates each precondition of the gateway function:
// the defaults pass, and each bad combination fails with its own message.
// The same cases run against the real provider in tests/main.tftest.hcl.
func TestPreconditions(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	const (
		secretHere  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/chat-keys-AbCdEf"
		secretThere = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shared/chat-keys-AbCdEf"
	)
	tests := []struct {
		name      string
		vars      map[string]any
		secret    string // the text of a given key secret; one with an origin secret when empty
		wantError string // a word of the failing message; "" when all pass
	}{
		{name: "defaults"},
		{name: "existing pool", vars: map[string]any{"create_cognito": false, "cognito_user_pool_id": "us-east-1_AbC123", "cognito_client_ids": []string{"abcdefghijklmnopqrstuvwxyz"}}},
		{name: "no authentication", vars: map[string]any{"create_cognito": false}, wantError: "authentication"},
		{name: "pool without clients", vars: map[string]any{"create_cognito": false, "cognito_user_pool_id": "us-east-1_AbC123"}, wantError: "authentication"},
		{name: "aliases without certificate", vars: map[string]any{"domain_aliases": []string{"api.example.com"}}, wantError: "acm_certificate_arn"},
		{name: "existing secret", vars: map[string]any{"api_keys_secret_arn": secretHere}},
		{name: "secret with API keys off", vars: map[string]any{"enable_api_keys": false, "api_keys_secret_arn": secretHere}, wantError: "enable_api_keys"},
		{name: "secret in another region", vars: map[string]any{"api_keys_secret_arn": secretThere}, wantError: "var.region"},
		{name: "secret by name", vars: map[string]any{"api_keys_secret_arn": "shared/chat-keys"}},
		{name: "secret without an origin secret", vars: map[string]any{"api_keys_secret_arn": secretHere},
			secret: `{"api_keys": {}}`, wantError: "origin_verify_secret"},
		{name: "secret with a short origin secret", vars: map[string]any{"api_keys_secret_arn": "shared/chat-keys"},
			secret: `{"origin_verify_secret": "short"}`, wantError: "origin_verify_secret"},
		{name: "secret that is not JSON", vars: map[string]any{"api_keys_secret_arn": secretHere},
			secret: `keys:abc`, wantError: "origin_verify_secret"},
		{name: "edge with the default body limit", vars: map[string]any{"edge_payload_hash": true}},
		{name: "edge with a 1 MiB body limit", vars: map[string]any{"edge_payload_hash": true, "max_body_bytes": 1048576}},
		{name: "edge with larger bodies", vars: map[string]any{"edge_payload_hash": true, "max_body_bytes": 1048577}, wantError: "1048576"},
		{name: "large bodies without edge", vars: map[string]any{"max_body_bytes": 6291456}},
	}
	for _, tc := range tests {
		secret := tc.secret
		if secret == "" {
			secret = `{"api_keys": {}, "origin_verify_secret": "` + strings.Repeat("o", 48) + `"}`
		}
		failed := failingPreconditions(t, m, variableValues(t, m, tc.vars), secret, "aws_lambda_function", "gateway")
		switch {
		case tc.wantError == "" && len(failed) > 0:
			t.Errorf("%s: refused: %q", tc.name, failed)
		case tc.wantError != "" && len(failed) != 1:
			t.Errorf("%s: %d preconditions failed (%q), want exactly one", tc.name, len(failed), failed)
		case tc.wantError != "" && !strings.Contains(failed[0], tc.wantError):
			t.Errorf("%s: failed with %q, want a message about %s", tc.name, failed[0], tc.wantError)
		}
	}
}
