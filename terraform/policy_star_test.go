package terraform_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// writesOnStar lists every write action a policy in terraform/ may allow on
// Resource "*", with the reason it cannot be narrower. TestNoWritesOnStar
// fails on any write on "*" not listed here.
var writesOnStar = map[string]string{
	"cloudfront:CreateDistribution": "no resource type exists before the distribution does; " +
		"the grant requires aws:RequestTag/Project (TestDeployPolicyScoping)",
	"cognito-idp:CreateUserPool": "no resource type exists before the pool does; " +
		"the grant requires aws:RequestTag/Project (TestDeployPolicyScoping)",
	"cloudfront:CreateFunction": "no resource type, and the provider's aws_cloudfront_function " +
		"cannot carry tags, so aws:RequestTag cannot scope it",
	"cloudfront:CreateOriginAccessControl": "no resource type and no condition keys in the service authorization reference",
	"cloudfront:CreateOriginRequestPolicy": "no resource type and no condition keys in the service authorization reference",
	"xray:PutTraceSegments":                "X-Ray has no resource-level permissions (function boundary only)",
	"xray:PutTelemetryRecords":             "X-Ray has no resource-level permissions (function boundary only)",
}

// readOnly reports whether an action only reads, by the verbs AWS uses for
// its Read and List access levels.
func readOnly(action string) bool {
	_, name, _ := strings.Cut(action, ":")
	for _, verb := range []string{"Get", "List", "Describe"} {
		if strings.HasPrefix(name, verb) {
			return true
		}
	}
	return false
}

// writesOnStarViolations lists the writes on "*" in every Allow statement of
// every policy document of m that writesOnStar does not explain.
func writesOnStarViolations(tb testing.TB, m *module) []string {
	tb.Helper()
	var out []string
	for _, doc := range m.all("data", "aws_iam_policy_document") {
		for _, st := range nested(doc, "statement") {
			if a, ok := st.Body.Attributes["effect"]; ok {
				if v, _ := a.Expr.Value(nil); v.Type() == cty.String && v.AsString() == "Deny" {
					continue
				}
			}
			if _, ok := st.Body.Attributes["resources"]; !ok {
				continue // trust policies name principals, not resources
			}
			if !strings.Contains(m.attr(tb, st, "resources"), `"*"`) {
				continue
			}
			for _, a := range literalStrings(tb, st, "actions") {
				if strings.Contains(a, "*") || (!readOnly(a) && writesOnStar[a] == "") {
					out = append(out, fmt.Sprintf("%s: %s %s on \"*\"", m.dir, doc.Labels[1], a))
				}
			}
		}
	}
	return out
}

// TestNoWritesOnStar checks no policy in either module allows a write on
// Resource "*" except the listed ones, each with its reason.
func TestNoWritesOnStar(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "github-oidc"} {
		for _, v := range writesOnStarViolations(t, loadModule(t, dir)) {
			t.Error(v)
		}
	}
	for a, why := range writesOnStar {
		if readOnly(a) || len(why) < 20 {
			t.Errorf("writesOnStar[%s]: not a write, or no real reason", a)
		}
	}
}

// TestNoWritesOnStarCatchesWholeServiceGrants feeds the check the kind of
// statement it exists to refuse.
func TestNoWritesOnStarCatchesWholeServiceGrants(t *testing.T) {
	t.Parallel()
	m := parseModule(t, "wide.tf", []byte(`
data "aws_iam_policy_document" "wide" {
  statement {
    actions   = ["cloudfront:*", "cognito-idp:*", "sts:GetCallerIdentity"]
    resources = ["*"]
  }
  statement {
    effect    = "Allow"
    actions   = ["iam:PutRolePolicy"]
    resources = concat(["*"], local.more)
  }
}
`))
	got := writesOnStarViolations(t, m)
	want := []string{"cloudfront:*", "cognito-idp:*", "iam:PutRolePolicy"}
	if len(got) != len(want) {
		t.Fatalf("violations = %q, want %d (%q)", got, len(want), want)
	}
	for i, w := range want {
		if !strings.Contains(got[i], w) {
			t.Errorf("violation %d = %q, want %s", i, got[i], w)
		}
	}
}
