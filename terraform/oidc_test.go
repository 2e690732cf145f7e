package terraform_test

import (
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
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

// deployStatements returns the deploy policy's statements by sid.
func deployStatements(tb testing.TB, m *module) map[string]*hclsyntax.Block {
	tb.Helper()
	out := map[string]*hclsyntax.Block{}
	for _, st := range nested(m.find(tb, "data", "aws_iam_policy_document", "deploy"), "statement") {
		out[literalString(tb, st, "sid")] = st
	}
	return out
}

// conditionsOf maps "test variable" to the values' source text.
func conditionsOf(tb testing.TB, m *module, st *hclsyntax.Block) map[string]string {
	tb.Helper()
	out := map[string]string{}
	for _, c := range nested(st, "condition") {
		out[literalString(tb, c, "test")+" "+literalString(tb, c, "variable")] = m.attr(tb, c, "values")
	}
	return out
}

// TestGitHubDeployRoleManagesFixedRoles checks the IAM grants reach only the
// function roles by exact name, never by wildcard, so the deploy role can
// neither rewrite itself nor create any other role.
func TestGitHubDeployRoleManagesFixedRoles(t *testing.T) {
	t.Parallel()
	m := loadModule(t, "github-oidc")
	roles := m.text(t, m.locals()["project_role_arns"].Expr)
	for _, want := range []string{`role/${var.project}-${env}-lambda"`, `role/${var.project}-${env}-edge"`} {
		if !strings.Contains(roles, want) {
			t.Errorf("project_role_arns = %s, want %s", roles, want)
		}
	}
	if strings.Contains(roles, "*") {
		t.Errorf("project_role_arns = %s: role names must be exact", roles)
	}
	for sid, st := range deployStatements(t, m) {
		for _, a := range literalStrings(t, st, "actions") {
			if !strings.HasPrefix(a, "iam:") || !strings.Contains(a, "Role") || a == "iam:CreateServiceLinkedRole" {
				continue
			}
			if literalString(t, st, "effect") == "Deny" {
				continue
			}
			if got := m.attr(t, st, "resources"); got != "local.project_role_arns" {
				t.Errorf("%s: %s on %s, want local.project_role_arns", sid, a, got)
			}
		}
	}
	cond := m.find(t, "variable", "role_name").Body.Blocks[0]
	for _, suffix := range []string{"-lambda", "-edge"} {
		if got := m.attr(t, cond, "condition"); !strings.Contains(got, `!endswith(var.role_name, "`+suffix+`")`) {
			t.Errorf("role_name validation = %s, want it to refuse names ending in %s", got, suffix)
		}
	}
}

// TestGitHubDeployRolePermissionsBoundary checks every grant that creates a
// role or changes what it may do requires the module's boundary, that the
// boundary cannot be removed or edited, and that tags can be read.
func TestGitHubDeployRolePermissionsBoundary(t *testing.T) {
	t.Parallel()
	m := loadModule(t, "github-oidc")
	mustBound := []string{"iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary",
		"iam:AttachRolePolicy", "iam:DetachRolePolicy"}
	seen := map[string]bool{}
	for sid, st := range deployStatements(t, m) {
		if literalString(t, st, "effect") != "Allow" {
			continue
		}
		for _, a := range literalStrings(t, st, "actions") {
			seen[a] = true
			if !slices.Contains(mustBound, a) {
				continue
			}
			if got := conditionsOf(t, m, st)["StringEquals iam:PermissionsBoundary"]; got != "[local.boundary_arn]" {
				t.Errorf("%s: %s without the iam:PermissionsBoundary condition (got %q)", sid, a, got)
			}
		}
	}
	for _, a := range append(mustBound, "iam:ListRoleTags", "iam:PassRole") {
		if !seen[a] {
			t.Errorf("deploy policy lacks %s", a)
		}
	}
	if got := m.text(t, m.locals()["boundary_arn"].Expr); got != "aws_iam_policy.boundary.arn" {
		t.Errorf("boundary_arn = %s", got)
	}
	deny := deployStatements(t, m)["NeverLoosenTheBoundary"]
	if deny == nil || literalString(t, deny, "effect") != "Deny" {
		t.Fatal("no NeverLoosenTheBoundary deny statement")
	}
	for _, a := range []string{"iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:SetDefaultPolicyVersion"} {
		if !slices.Contains(literalStrings(t, deny, "actions"), a) {
			t.Errorf("NeverLoosenTheBoundary does not deny %s", a)
		}
	}
}

// TestBoundaryPolicy checks the boundary allows only what the two functions
// do: no IAM, no STS, nothing beyond logs, Bedrock, the rate limit table,
// the key secret and traces; and Bedrock, tables and secrets only to the
// gateway function itself.
func TestBoundaryPolicy(t *testing.T) {
	t.Parallel()
	m := loadModule(t, "github-oidc")
	doc := m.find(t, "data", "aws_iam_policy_document", "boundary")
	services := map[string]bool{"logs": true, "bedrock": true, "dynamodb": true, "secretsmanager": true, "kms": true, "xray": true, "lambda": true}
	fromFunction := map[string]bool{"bedrock": true, "dynamodb": true, "secretsmanager": true, "lambda": true}
	for _, st := range nested(doc, "statement") {
		sid := literalString(t, st, "sid")
		for _, a := range literalStrings(t, st, "actions") {
			svc, _, _ := strings.Cut(a, ":")
			if !services[svc] || strings.Contains(a, "*") {
				t.Errorf("boundary %s allows %s", sid, a)
			}
			if fromFunction[svc] && conditionsOf(t, m, st)["ArnLike lambda:SourceFunctionArn"] != "local.project_gateway_source_arns" {
				t.Errorf("boundary %s allows %s to any session of the role, not only the gateway function's", sid, a)
			}
		}
		if sid == "DecryptApiKeySecrets" && conditionsOf(t, m, st)["StringEquals kms:ViaService"] == "" {
			t.Error("the boundary lets KMS keys be used outside Secrets Manager")
		}
		if sid == "UseTableKeys" && conditionsOf(t, m, st)["StringEquals kms:ViaService"] != `["dynamodb.${var.region}.amazonaws.com"]` {
			t.Error("the boundary lets KMS keys be used outside DynamoDB")
		}
		if slices.Contains(literalStrings(t, st, "actions"), "lambda:InvokeFunction") && m.attr(t, st, "resources") != "local.project_gateway_source_arns" {
			t.Errorf("boundary %s lets the gateway invoke %s, not only itself", sid, m.attr(t, st, "resources"))
		}
	}
	if got := m.attr(t, m.find(t, "resource", "aws_iam_policy", "boundary"), "policy"); got != "data.aws_iam_policy_document.boundary.json" {
		t.Errorf("boundary policy = %s", got)
	}
}

// TestDeployPolicyScoping checks CloudFront distributions and Cognito user
// pools, whose ids are random, are reached only through the Project tag, and
// functions only by name.
func TestDeployPolicyScoping(t *testing.T) {
	t.Parallel()
	m := loadModule(t, "github-oidc")
	for sid, st := range deployStatements(t, m) {
		res := m.attr(t, st, "resources")
		conds := conditionsOf(t, m, st)
		if strings.Contains(res, ":distribution/*") || strings.Contains(res, ":userpool/*") {
			// Existing resources by their tag; tags written at create by the
			// request's tags.
			if got := conds["StringEquals aws:ResourceTag/Project"] + conds["StringEquals aws:RequestTag/Project"]; got != "[var.project]" {
				t.Errorf("%s reaches every %s without the Project tag condition", sid, res)
			}
		}
		for _, a := range literalStrings(t, st, "actions") {
			switch {
			case a == "cloudfront:CreateDistribution" || a == "cognito-idp:CreateUserPool":
				if got := conds["StringEquals aws:RequestTag/Project"]; got != "[var.project]" {
					t.Errorf("%s: %s without aws:RequestTag/Project", sid, a)
				}
			case a == "lambda:*":
				if res != "local.project_function_arns" {
					t.Errorf("%s: lambda:* on %s, want the project's functions only", sid, res)
				}
			case strings.HasSuffix(a, ":*"):
				t.Errorf("%s: whole-service grant %s", sid, a)
			}
		}
	}
	fns := m.text(t, m.locals()["project_function_arns"].Expr)
	for _, want := range []string{`function:${var.project}-${env}"`, `lambda:us-east-1:${local.account}:function:${var.project}-${env}-payload-hash"`} {
		if !strings.Contains(fns, want) {
			t.Errorf("project_function_arns = %s, want %s", fns, want)
		}
	}
}

// TestDeployRoleMatchesMainConfiguration checks the names the deploy role is
// scoped to are the names the main configuration creates.
func TestDeployRoleMatchesMainConfiguration(t *testing.T) {
	t.Parallel()
	main := loadModule(t, ".")
	for _, tc := range []struct {
		typ, name, attr, want string
	}{
		{typ: "aws_iam_role", name: "lambda", attr: "name", want: `"${local.name}-lambda"`},
		{typ: "aws_iam_role", name: "edge", attr: "name", want: `"${local.name}-edge"`},
		{typ: "aws_lambda_function", name: "gateway", attr: "function_name", want: "local.name"},
		{typ: "aws_lambda_function", name: "edge", attr: "function_name", want: "local.edge_function_name"},
		{typ: "aws_secretsmanager_secret", name: "api_keys", attr: "name_prefix", want: `"${local.name}-api-keys-"`},
		{typ: "aws_cloudfront_function", name: "viewer_request", attr: "name", want: `"${local.name}-viewer-request"`},
	} {
		if got := main.attr(t, main.find(t, "resource", tc.typ, tc.name), tc.attr); got != tc.want {
			t.Errorf("%s.%s %s = %s, want %s (the deploy role is scoped to it)", tc.typ, tc.name, tc.attr, got, tc.want)
		}
	}
	if got := main.text(t, main.locals()["name"].Expr); got != `"${var.project}-${var.environment}"` {
		t.Errorf("local.name = %s", got)
	}
	if got := main.text(t, main.locals()["edge_function_name"].Expr); got != `"${local.name}-payload-hash"` {
		t.Errorf("local.edge_function_name = %s", got)
	}
	// Project is the tag the CloudFront and Cognito grants look for.
	if got := main.text(t, main.locals()["tags"].Expr); !strings.Contains(got, "Project = var.project") {
		t.Errorf("local.tags = %s, want a Project tag", got)
	}
}
