package terraform_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestEdgeFunction checks the optional Lambda@Edge function meets
// Lambda@Edge's rules (us-east-1, published version, Node.js on x86_64, a
// role edgelambda can assume) and is attached to origin requests with the
// body, off by default.
func TestEdgeFunction(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	if v := literal(t, m.find(t, "variable", "edge_payload_hash"), "default"); !v.False() {
		t.Error("edge_payload_hash must default to false: its replicas make destroy slow")
	}

	var alias bool
	for _, p := range m.all("provider", "aws") {
		if a, ok := p.Body.Attributes["alias"]; ok {
			if v, _ := a.Expr.Value(nil); v.AsString() == "us_east_1" {
				alias = literalString(t, p, "region") == "us-east-1"
			}
		}
	}
	if !alias {
		t.Error(`no provider "aws" with alias us_east_1 in region us-east-1`)
	}

	fn := m.find(t, "resource", "aws_lambda_function", "edge")
	for attr, want := range map[string]string{
		"provider":         "aws.us_east_1",
		"count":            "var.edge_payload_hash ? 1 : 0",
		"filename":         "var.edge_zip_path",
		"source_code_hash": "filebase64sha256(var.edge_zip_path)",
		"role":             "aws_iam_role.edge[0].arn",
		"function_name":    "local.edge_function_name",
	} {
		if got := m.attr(t, fn, attr); got != want {
			t.Errorf("edge function %s = %s, want %s", attr, got, want)
		}
	}
	if got := literalString(t, fn, "runtime"); !strings.HasPrefix(got, "nodejs") {
		t.Errorf("runtime = %q: Lambda@Edge runs Node.js or Python", got)
	}
	if got := literalString(t, fn, "handler"); got != "index.handler" {
		t.Errorf("handler = %q, want index.handler (index.mjs in the zip)", got)
	}
	if got := literalStrings(t, fn, "architectures"); !equalStrings(got, []string{"x86_64"}) {
		t.Errorf("architectures = %q: Lambda@Edge runs x86_64", got)
	}
	for _, attr := range []string{"publish", "skip_destroy"} {
		if v := literal(t, fn, attr); !v.True() {
			t.Errorf("%s must be true", attr)
		}
	}
	if _, ok := fn.Body.Attributes["environment"]; ok || len(nested(fn, "environment")) > 0 {
		t.Error("Lambda@Edge functions cannot have environment variables")
	}

	trust := one(t, m.find(t, "data", "aws_iam_policy_document", "edge_assume"), "statement")
	principals := one(t, trust, "principals")
	if got := literalStrings(t, principals, "identifiers"); !equalStrings(got, []string{"lambda.amazonaws.com", "edgelambda.amazonaws.com"}) {
		t.Errorf("edge role trusts %q, want lambda and edgelambda", got)
	}
	logs := one(t, m.find(t, "data", "aws_iam_policy_document", "edge"), "statement")
	if got := m.attr(t, logs, "resources"); !strings.Contains(got, "/aws/lambda/us-east-1.${local.edge_function_name}") {
		t.Errorf("edge role may write logs to %s, want only its own replica groups", got)
	}

	cb := one(t, m.find(t, "resource", "aws_cloudfront_distribution", "gateway"), "default_cache_behavior")
	var assoc bool
	for _, d := range nested(cb, "dynamic") {
		if d.Labels[0] != "lambda_function_association" {
			continue
		}
		assoc = true
		if got := m.attr(t, d, "for_each"); got != "var.edge_payload_hash ? [1] : []" {
			t.Errorf("association for_each = %s", got)
		}
		c := one(t, d, "content")
		if got := literalString(t, c, "event_type"); got != "origin-request" {
			t.Errorf("event_type = %q: the hash must be set before OAC signs the origin request", got)
		}
		if v := literal(t, c, "include_body"); !v.True() {
			t.Error("include_body must be true: the function hashes the body")
		}
		if got := m.attr(t, c, "lambda_arn"); got != "aws_lambda_function.edge[0].qualified_arn" {
			t.Errorf("lambda_arn = %s, want the published version (qualified_arn)", got)
		}
	}
	if !assoc {
		t.Error("no lambda_function_association for the edge function")
	}
}

// TestEdgeFunctionPackage checks the package the function is deployed from
// is built the way the function resource expects: payload_hash.mjs as
// index.mjs in the zip that edge_zip_path names.
func TestEdgeFunctionPackage(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	src, err := os.ReadFile(filepath.Join("functions", "payload_hash.mjs"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(src), "export async function handler(event)") {
		t.Error("payload_hash.mjs does not export handler(event)")
	}
	if got := literalString(t, m.find(t, "variable", "edge_zip_path"), "default"); got != "../dist/payload-hash.zip" {
		t.Errorf("edge_zip_path default = %q", got)
	}
	mk, err := os.ReadFile(filepath.Join("..", "mk", "aws.mk"))
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"dist/payload-hash.zip", "index.mjs=$(TF_DIR)/functions/payload_hash.mjs"} {
		if !strings.Contains(string(mk), want) {
			t.Errorf("mk/aws.mk does not build the edge package (%s)", want)
		}
	}
}
