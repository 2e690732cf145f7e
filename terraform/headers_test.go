package terraform_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// originRequestHeaderQuota is CloudFront's default limit on headers in an
// origin request policy (a quota that can be raised only by request).
const originRequestHeaderQuota = 10

// checkHeaderBudget fails when the list leaves no free slot under the quota:
// the next header the gateway needs must fit without a quota increase.
func checkHeaderBudget(headers []string) error {
	if len(headers) >= originRequestHeaderQuota {
		return fmt.Errorf("%d forwarded headers; CloudFront allows %d per origin request policy and one slot must stay free",
			len(headers), originRequestHeaderQuota)
	}
	return nil
}

func forwardedHeaders(tb testing.TB, m *module) []string {
	tb.Helper()
	v, diags := m.locals()["forwarded_headers"].Expr.Value(nil)
	if diags.HasErrors() {
		tb.Fatal(diags.Error())
	}
	var headers []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		headers = append(headers, strings.ToLower(e.AsString()))
	}
	return headers
}

// gatewaySource is the non-test Go source of the gateway, lowercased, for
// finding which header names it mentions.
func gatewaySource(tb testing.TB) string {
	tb.Helper()
	var b strings.Builder
	for _, root := range []string{filepath.Join("..", "internal"), filepath.Join("..", "cmd")} {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return err
			}
			src, err := os.ReadFile(path)
			b.Write(src)
			return err
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	return strings.ToLower(b.String())
}

// TestOriginRequestPolicy checks the viewer headers that reach the function:
// what the gateway reads (a cross-origin preflight's three included, or
// behind CloudFront a browser's JSON POST fails its preflight), the viewer
// address for ALLOWED_CIDRS, never Host, nothing the gateway ignores, and a
// free slot under the quota.
func TestOriginRequestPolicy(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	p := m.find(t, "resource", "aws_cloudfront_origin_request_policy", "gateway")
	hc := one(t, p, "headers_config")
	if got := literalString(t, hc, "header_behavior"); got != "whitelist" {
		t.Fatalf("header_behavior = %q, want whitelist", got)
	}
	if got := m.attr(t, one(t, hc, "headers"), "items"); got != "local.forwarded_headers" {
		t.Fatalf("headers.items = %s", got)
	}
	headers := forwardedHeaders(t, m)
	if err := checkHeaderBudget(headers); err != nil {
		t.Error(err)
	}
	for _, want := range []string{"x-authorization", "x-api-key", "x-amz-content-sha256", "content-type",
		"cloudfront-viewer-address", "origin", "access-control-request-method", "access-control-request-headers"} {
		if !slices.Contains(headers, want) {
			t.Errorf("forwarded headers lack %s", want)
		}
	}
	for _, never := range []string{"host", "authorization", "x-origin-verify", "accept", "x-request-id"} {
		if slices.Contains(headers, never) {
			t.Errorf("forwarded headers include %s, which must not reach the function or is never read", never)
		}
	}
	// Every forwarded header is named in the gateway's code: a header it no
	// longer reads shows up here and gives its slot back.
	src := gatewaySource(t)
	for _, h := range headers {
		if !strings.Contains(src, `"`+h+`"`) {
			t.Errorf("forwarded header %s is not read anywhere in internal/ or cmd/", h)
		}
	}
}

// TestHeaderBudgetCheck shows the budget check fails once the list reaches
// the quota: TestOriginRequestPolicy fails when a tenth header is added.
func TestHeaderBudgetCheck(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	headers := forwardedHeaders(t, m)
	for len(headers) < originRequestHeaderQuota-1 {
		headers = append(headers, fmt.Sprintf("x-extra-%d", len(headers)))
	}
	if err := checkHeaderBudget(headers); err != nil {
		t.Errorf("%d headers (one slot free) refused: %v", len(headers), err)
	}
	if err := checkHeaderBudget(append(headers, "x-one-too-many")); err == nil {
		t.Errorf("%d headers accepted; the quota is %d", len(headers)+1, originRequestHeaderQuota)
	}
}
