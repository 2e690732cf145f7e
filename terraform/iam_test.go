package terraform_test

import (
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
)

// TestExecutionRole checks what the function may do: write its own log
// group and invoke the configured Bedrock models, nothing more.
func TestExecutionRole(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	doc := m.find(t, "data", "aws_iam_policy_document", "lambda")
	statements := nested(doc, "statement")
	if len(statements) != 7 {
		t.Fatalf("have %d statements, want 7 (logs, models, models through profiles, application profiles resolved and called, key secret, its KMS key)", len(statements))
	}
	bySid := map[string]*hclsyntax.Block{}
	for _, s := range statements {
		bySid[literalString(t, s, "sid")] = s
		if got := literalString(t, s, "effect"); got != "Allow" {
			t.Errorf("%s: effect %q", literalString(t, s, "sid"), got)
		}
		for _, a := range literalStrings(t, s, "actions") {
			if strings.Contains(a, "*") {
				t.Errorf("wildcard action %q", a)
			}
		}
		if res := m.attr(t, s, "resources"); strings.Contains(res, `"*"`) {
			t.Errorf("%s: resources %s include *", literalString(t, s, "sid"), res)
		}
	}

	logs := bySid["WriteOwnLogs"]
	if logs == nil {
		t.Fatal("no WriteOwnLogs statement")
	}
	if got := literalStrings(t, logs, "actions"); !equalStrings(got, []string{"logs:CreateLogStream", "logs:PutLogEvents"}) {
		t.Errorf("log actions = %q", got)
	}
	if got := m.attr(t, logs, "resources"); got != `["${aws_cloudwatch_log_group.lambda.arn}:*"]` {
		t.Errorf("log resources = %s, want the function's own log group", got)
	}

	// ConverseStream is authorised by bedrock:InvokeModelWithResponseStream
	// too: BEDROCK_API=converse needs no other action, and none is granted.
	for _, sid := range []string{"InvokeConfiguredModels", "InvokeModelsThroughProfiles", "InvokeModelsThroughApplicationProfiles"} {
		s := bySid[sid]
		if s == nil {
			t.Fatalf("no %s statement", sid)
		}
		if got := literalStrings(t, s, "actions"); !equalStrings(got, []string{"bedrock:InvokeModelWithResponseStream"}) {
			t.Errorf("%s actions = %q", sid, got)
		}
	}
	if got := m.attr(t, bySid["InvokeConfiguredModels"], "resources"); got != "concat(local.bedrock_foundation_model_arns, local.bedrock_inference_profile_arns, local.bedrock_application_profile_arns)" {
		t.Errorf("InvokeConfiguredModels resources = %s", got)
	}
	resolve := bySid["ResolveApplicationProfiles"]
	if resolve == nil {
		t.Fatal("no ResolveApplicationProfiles statement")
	}
	if got := literalStrings(t, resolve, "actions"); !equalStrings(got, []string{"bedrock:GetInferenceProfile"}) || m.attr(t, resolve, "resources") != "local.bedrock_application_profile_arns" {
		t.Errorf("ResolveApplicationProfiles = %q on %s, want GetInferenceProfile on the configured application profiles only", got, m.attr(t, resolve, "resources"))
	}
	appCond := one(t, bySid["InvokeModelsThroughApplicationProfiles"], "condition")
	if literalString(t, appCond, "variable") != "bedrock:InferenceProfileArn" || literalString(t, appCond, "test") != "StringEquals" ||
		m.attr(t, appCond, "values") != "local.bedrock_application_profile_arns" {
		t.Error("models reached through an application profile must be limited to the configured application profiles")
	}
	if iam, err := os.ReadFile("iam.tf"); err != nil || !strings.Contains(string(iam), "bedrock:InvokeModelWithResponseStream is the action of both\n  # InvokeModelWithResponseStream and ConverseStream") {
		t.Error("iam.tf does not say that the one action covers ConverseStream")
	}
	through := bySid["InvokeModelsThroughProfiles"]
	if got := m.attr(t, through, "resources"); got != "local.bedrock_profile_model_arns" {
		t.Errorf("InvokeModelsThroughProfiles resources = %s", got)
	}
	cond := one(t, through, "condition")
	if literalString(t, cond, "variable") != "bedrock:InferenceProfileArn" || literalString(t, cond, "test") != "StringEquals" ||
		m.attr(t, cond, "values") != "local.bedrock_inference_profile_arns" {
		t.Error("models reached through a profile must be limited to the configured profiles")
	}

	secret := bySid["ReadGatewaySecret"]
	if secret == nil {
		t.Fatal("no ReadGatewaySecret statement")
	}
	if got := literalStrings(t, secret, "actions"); !equalStrings(got, []string{"secretsmanager:GetSecretValue"}) {
		t.Errorf("ReadGatewaySecret actions = %q", got)
	}
	if got := m.attr(t, secret, "resources"); got != "[local.api_keys_secret_arn]" {
		t.Errorf("ReadGatewaySecret resources = %s, want the one key secret", got)
	}
	decrypt := bySid["DecryptApiKeySecret"]
	if decrypt == nil {
		t.Fatal("no DecryptApiKeySecret statement")
	}
	if got := literalStrings(t, decrypt, "actions"); !equalStrings(got, []string{"kms:Decrypt"}) {
		t.Errorf("DecryptApiKeySecret actions = %q", got)
	}
	if got := m.attr(t, decrypt, "resources"); got != "[var.api_keys_kms_key_arn]" {
		t.Errorf("DecryptApiKeySecret resources = %s", got)
	}
	conds := map[string]string{}
	for _, c := range nested(decrypt, "condition") {
		conds[literalString(t, c, "variable")] = literalString(t, c, "test") + " " + m.attr(t, c, "values")
	}
	if got := conds["kms:ViaService"]; got != `StringEquals ["secretsmanager.${var.region}.amazonaws.com"]` {
		t.Errorf("kms:ViaService condition = %q: the key must be usable through Secrets Manager only", got)
	}
	if got := conds["kms:EncryptionContext:SecretARN"]; got != "StringEquals [local.api_keys_secret_arn]" {
		t.Errorf("kms:EncryptionContext:SecretARN condition = %q: the key must decrypt this secret only", got)
	}
	for _, d := range nested(doc, "dynamic") {
		if d.Labels[0] != "statement" {
			continue
		}
		content := one(t, d, "content")
		// The secret is read with API keys off too (it holds the origin
		// secret), so reading and decrypting it depend on nothing else.
		switch literalString(t, content, "sid") {
		case "ReadGatewaySecret":
			t.Error("ReadGatewaySecret is conditional; the function always reads its secret")
		case "DecryptApiKeySecret":
			if got := m.attr(t, d, "for_each"); got != `var.api_keys_kms_key_arn != "" ? [1] : []` {
				t.Errorf("DecryptApiKeySecret for_each = %s", got)
			}
		}
	}
	for _, role := range []*hclsyntax.Block{
		m.find(t, "resource", "aws_iam_role", "lambda"),
		m.find(t, "resource", "aws_iam_role", "edge"),
	} {
		if got := m.attr(t, role, "permissions_boundary"); got != `var.permissions_boundary_arn == "" ? null : var.permissions_boundary_arn` {
			t.Errorf("role %s: permissions_boundary = %s", role.Labels[1], got)
		}
	}

	// The only other grants are the rate limit table and the guardrail
	// (quota_test.go), the conversation table (state_test.go), the stream
	// table (stream_test.go) and the optional X-Ray write policy.
	if n := len(m.all("resource", "aws_iam_role_policy")); n != 5 {
		t.Errorf("have %d inline role policies, want 5 (gateway, edge function, quota, state, streams)", n)
	}
	att := m.find(t, "resource", "aws_iam_role_policy_attachment", "xray")
	if got := m.attr(t, att, "count"); got != "var.enable_xray || local.adot_enabled ? 1 : 0" {
		t.Errorf("xray attachment count = %s", got)
	}
	if got := m.attr(t, att, "policy_arn"); !strings.HasSuffix(got, `:iam::aws:policy/AWSXRayDaemonWriteAccess"`) {
		t.Errorf("xray policy = %s", got)
	}
}

// evalLocals evaluates every local that depends only on the given values and
// on other such locals.
func evalLocals(tb testing.TB, m *module, vars, preset map[string]cty.Value) map[string]cty.Value {
	tb.Helper()
	locals := m.locals()
	done := map[string]cty.Value{}
	for k, v := range preset {
		done[k] = v
	}
	for progress := true; progress; {
		progress = false
		for _, name := range sortedKeys(locals) {
			if _, ok := done[name]; ok {
				continue
			}
			expr := locals[name].Expr
			if !resolvable(expr.Variables(), vars, done) {
				continue
			}
			v, diags := expr.Value(&hcl.EvalContext{
				Variables: map[string]cty.Value{"var": cty.ObjectVal(vars), "local": cty.ObjectVal(done)},
				Functions: functions(),
			})
			if diags.HasErrors() {
				tb.Fatalf("local.%s: %s", name, diags.Error())
			}
			done[name] = v
			progress = true
		}
	}
	return done
}

func resolvable(refs []hcl.Traversal, vars, done map[string]cty.Value) bool {
	for _, r := range refs {
		if len(r) < 2 {
			return false
		}
		attr, ok := r[1].(hcl.TraverseAttr)
		if !ok {
			return false
		}
		switch r.RootName() {
		case "var":
			if _, ok := vars[attr.Name]; !ok {
				return false
			}
		case "local":
			if _, ok := done[attr.Name]; !ok {
				return false
			}
		default:
			return false
		}
	}
	return true
}

func stringsOf(tb testing.TB, v cty.Value) []string {
	tb.Helper()
	out := []string{}
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		out = append(out, e.AsString())
	}
	slices.Sort(out)
	return out
}

// TestBedrockARNs evaluates the expressions that turn configured model ids
// into the ARNs the execution role may invoke.
func TestBedrockARNs(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	const (
		haiku  = "anthropic.claude-3-haiku-20240307-v1:0"
		sonnet = "anthropic.claude-sonnet-4-5-20250929-v1:0"
		region = "eu-west-1"
		acct   = "123456789012"
	)
	tests := []struct {
		name         string
		defaultModel string
		models       []string
		fallbacks    []string
		foundation   []string
		profiles     []string
		throughModel []string
		application  []string
	}{
		{name: "none configured: ELIZA only"},
		{
			name:         "fallback chain: another model and another Region's profile",
			defaultModel: haiku,
			fallbacks:    []string{"us." + sonnet},
			foundation:   []string{"arn:aws:bedrock:eu-west-1::foundation-model/" + haiku},
			profiles:     []string{"arn:aws:bedrock:eu-west-1:" + acct + ":inference-profile/us." + sonnet},
			throughModel: []string{"arn:aws:bedrock:*::foundation-model/" + sonnet, "arn:aws:bedrock:::foundation-model/" + sonnet},
		},
		{
			name:         "foundation model",
			defaultModel: haiku,
			foundation:   []string{"arn:aws:bedrock:eu-west-1::foundation-model/" + haiku},
		},
		{
			name:         "inference profile and duplicate",
			defaultModel: "eu." + sonnet,
			models:       []string{"eu." + sonnet, haiku},
			foundation:   []string{"arn:aws:bedrock:eu-west-1::foundation-model/" + haiku},
			profiles:     []string{"arn:aws:bedrock:eu-west-1:" + acct + ":inference-profile/eu." + sonnet},
			throughModel: []string{"arn:aws:bedrock:*::foundation-model/" + sonnet, "arn:aws:bedrock:::foundation-model/" + sonnet},
		},
		{
			name:         "global profile",
			models:       []string{"global." + sonnet},
			profiles:     []string{"arn:aws:bedrock:eu-west-1:" + acct + ":inference-profile/global." + sonnet},
			throughModel: []string{"arn:aws:bedrock:*::foundation-model/" + sonnet, "arn:aws:bedrock:::foundation-model/" + sonnet},
		},
		{
			name:         "API prefixes name no model",
			defaultModel: "converse:" + haiku,
			models:       []string{"invoke:" + haiku, "converse:global." + sonnet},
			foundation:   []string{"arn:aws:bedrock:eu-west-1::foundation-model/" + haiku},
			profiles:     []string{"arn:aws:bedrock:eu-west-1:" + acct + ":inference-profile/global." + sonnet},
			throughModel: []string{"arn:aws:bedrock:*::foundation-model/" + sonnet, "arn:aws:bedrock:::foundation-model/" + sonnet},
		},
		{
			name:         "application inference profile",
			defaultModel: "arn:aws:bedrock:eu-west-1:" + acct + ":application-inference-profile/a1b2c3",
			application:  []string{"arn:aws:bedrock:eu-west-1:" + acct + ":application-inference-profile/a1b2c3"},
		},
		{
			name: "ARNs pass through",
			models: []string{
				"arn:aws:bedrock:us-east-1::foundation-model/" + haiku,
				"arn:aws:bedrock:us-east-1:" + acct + ":inference-profile/us." + sonnet,
			},
			foundation:   []string{"arn:aws:bedrock:us-east-1::foundation-model/" + haiku},
			profiles:     []string{"arn:aws:bedrock:us-east-1:" + acct + ":inference-profile/us." + sonnet},
			throughModel: []string{"arn:aws:bedrock:*::foundation-model/" + sonnet, "arn:aws:bedrock:::foundation-model/" + sonnet},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			list := func(ids []string) cty.Value {
				if len(ids) == 0 {
					return cty.ListValEmpty(cty.String)
				}
				var vs []cty.Value
				for _, s := range ids {
					vs = append(vs, cty.StringVal(s))
				}
				return cty.ListVal(vs)
			}
			got := evalLocals(t, m, map[string]cty.Value{
				"region":                  cty.StringVal(region),
				"bedrock_model_id":        cty.StringVal(tc.defaultModel),
				"bedrock_models":          list(tc.models),
				"bedrock_fallback_models": list(tc.fallbacks),
			}, map[string]cty.Value{
				"partition":  cty.StringVal("aws"),
				"account_id": cty.StringVal(acct),
			})
			for _, check := range []struct {
				local string
				want  []string
			}{
				{local: "bedrock_foundation_model_arns", want: tc.foundation},
				{local: "bedrock_inference_profile_arns", want: tc.profiles},
				{local: "bedrock_profile_model_arns", want: tc.throughModel},
				{local: "bedrock_application_profile_arns", want: tc.application},
			} {
				v, ok := got[check.local]
				if !ok {
					t.Fatalf("local.%s was not evaluated", check.local)
				}
				want := append([]string{}, check.want...)
				slices.Sort(want)
				if have := stringsOf(t, v); !slices.Equal(have, want) {
					t.Errorf("local.%s = %q, want %q", check.local, have, want)
				}
			}
		})
	}
}
