package terraform_test

import (
	"strings"
	"testing"
)

// TestGitHubOIDCTrust checks the deploy role trusts exactly one repository
// and branch, by exact match.
func TestGitHubOIDCTrust(t *testing.T) {
	t.Parallel()
	m := loadModule(t, "github-oidc")
	trust := m.find(t, "data", "aws_iam_policy_document", "trust")
	st := one(t, trust, "statement")
	if got := literalStrings(t, st, "actions"); !equalStrings(got, []string{"sts:AssumeRoleWithWebIdentity"}) {
		t.Errorf("actions = %q", got)
	}
	conds := map[string]string{}
	for _, c := range nested(st, "condition") {
		if got := literalString(t, c, "test"); got != "StringEquals" {
			t.Errorf("condition test %q: wildcards would widen the trust", got)
		}
		conds[m.attr(t, c, "variable")] = m.attr(t, c, "values")
	}
	if got := conds[`"${local.oidc_host}:aud"`]; got != `["sts.amazonaws.com"]` {
		t.Errorf("aud condition = %s", got)
	}
	if got := conds[`"${local.oidc_host}:sub"`]; got != "[local.subject]" {
		t.Errorf("sub condition = %s", got)
	}
	if got := m.text(t, m.locals()["subject"].Expr); got != `"repo:${var.github_repository}:ref:refs/heads/${var.branch}"` {
		t.Errorf("subject = %s", got)
	}
}

// TestGitHubDeployRoleCannotRewriteItself checks the IAM write permissions
// reach only the function roles, which the deploy role's name can never be.
func TestGitHubDeployRoleCannotRewriteItself(t *testing.T) {
	t.Parallel()
	m := loadModule(t, "github-oidc")
	if got := m.text(t, m.locals()["function_role_arns"].Expr); !strings.HasSuffix(got, `:role/${var.project}-*-lambda"`) {
		t.Errorf("function_role_arns = %s", got)
	}
	doc := m.find(t, "data", "aws_iam_policy_document", "deploy")
	for _, st := range nested(doc, "statement") {
		actions := strings.Join(literalStrings(t, st, "actions"), " ")
		if !strings.Contains(actions, "iam:") || !strings.Contains(actions, "Role") {
			continue
		}
		if strings.Contains(actions, "iam:GetPolicy") {
			continue // read-only lookups
		}
		if got := m.attr(t, st, "resources"); got != "[local.function_role_arns]" {
			t.Errorf("%s: IAM role writes on %s", literalString(t, st, "sid"), got)
		}
	}
	if got := m.attr(t, m.find(t, "variable", "role_name").Body.Blocks[0], "condition"); !strings.Contains(got, `!endswith(var.role_name, "-lambda")`) {
		t.Errorf("role_name validation = %s", got)
	}
}
