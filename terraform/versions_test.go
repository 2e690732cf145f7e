package terraform_test

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// terraformFeatures maps a language feature to the Terraform release that
// introduced it (the CHANGELOG of hashicorp/terraform). Each is found by a
// block type (in a module or a test file) or a function name.
var terraformFeatures = []struct {
	block, function string
	since           string
}{
	{block: "run", since: "1.6.0"},             // terraform test
	{block: "expect_failures", since: "1.6.0"}, // an attribute of run; listed for the record
	{block: "mock_provider", since: "1.7.0"},   // mocks in terraform test
	{block: "mock_data", since: "1.7.0"},
	{block: "mock_resource", since: "1.7.0"},
	{block: "override_data", since: "1.7.0"},
	{block: "override_resource", since: "1.7.0"},
	{block: "override_module", since: "1.7.0"},
	{block: "removed", since: "1.7.0"},
	{block: "import", since: "1.5.0"},
	{block: "check", since: "1.5.0"},
	{block: "ephemeral", since: "1.10.0"},
	{function: "strcontains", since: "1.5.0"},
	{function: "plantimestamp", since: "1.5.0"},
	{function: "templatestring", since: "1.9.0"},
	{function: "ephemeralasnull", since: "1.10.0"},
}

// usedFeatures lists the features of terraformFeatures in the given files,
// with the release each needs.
func usedFeatures(tb testing.TB, bodies []*hclsyntax.Body) map[string]string {
	tb.Helper()
	blocks := map[string]bool{}
	funcs := map[string]bool{}
	var walk func(*hclsyntax.Body)
	walk = func(b *hclsyntax.Body) {
		for _, blk := range b.Blocks {
			blocks[blk.Type] = true
			walk(blk.Body)
		}
		for _, a := range b.Attributes {
			blocks[a.Name] = true // expect_failures is an attribute
			hclsyntax.VisitAll(a.Expr, func(n hclsyntax.Node) hcl.Diagnostics {
				if f, ok := n.(*hclsyntax.FunctionCallExpr); ok {
					funcs[f.Name] = true
				}
				return nil
			})
		}
	}
	for _, b := range bodies {
		walk(b)
	}
	out := map[string]string{}
	for _, f := range terraformFeatures {
		if (f.block != "" && blocks[f.block]) || (f.function != "" && funcs[f.function]) {
			out[f.block+f.function] = f.since
		}
	}
	return out
}

func parseVersion(tb testing.TB, v string) [3]int {
	tb.Helper()
	var out [3]int
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		tb.Fatalf("version %q: want X.Y.Z", v)
	}
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil {
			tb.Fatalf("version %q: %v", v, err)
		}
		out[i] = n
	}
	return out
}

func versionLess(a, b [3]int) bool {
	for i := range a {
		if a[i] != b[i] {
			return a[i] < b[i]
		}
	}
	return false
}

// requiredVersionGaps lists the features whose release is newer than the
// minimum a required_version of the form ">= X.Y.Z" allows.
func requiredVersionGaps(tb testing.TB, required string, used map[string]string) []string {
	tb.Helper()
	m := regexp.MustCompile(`^>= ?([0-9]+\.[0-9]+\.[0-9]+)$`).FindStringSubmatch(required)
	if m == nil {
		return []string{fmt.Sprintf("required_version %q: want \">= X.Y.Z\"", required)}
	}
	floor := parseVersion(tb, m[1])
	var gaps []string
	for feature, since := range used {
		if versionLess(floor, parseVersion(tb, since)) {
			gaps = append(gaps, fmt.Sprintf("%s needs Terraform %s, required_version allows %s", feature, since, m[1]))
		}
	}
	return gaps
}

// TestRequiredVersionCoversFeatures checks each module's required_version
// is at least the release of every language feature the module and its
// terraform test files use: an older Terraform would accept the version
// constraint and then fail to parse the tests.
func TestRequiredVersionCoversFeatures(t *testing.T) {
	t.Parallel()
	for _, dir := range []string{".", "github-oidc"} {
		m := loadModule(t, dir)
		required := literalString(t, m.find(t, "terraform"), "required_version")
		bodies := []*hclsyntax.Body{{Blocks: m.blocks}}
		for _, f := range loadTFTests(t, dir) {
			bodies = append(bodies, f.body)
		}
		used := usedFeatures(t, bodies)
		if used["mock_provider"] == "" || used["run"] == "" {
			t.Fatalf("%s: the feature scan found no run or mock_provider block: %v", dir, used)
		}
		for _, g := range requiredVersionGaps(t, required, used) {
			t.Errorf("%s: %s", dir, g)
		}
	}
}

// TestRequiredVersionCheck shows the check refuses a floor below a feature
// in use and accepts one at it.
func TestRequiredVersionCheck(t *testing.T) {
	t.Parallel()
	used := map[string]string{"mock_provider": "1.7.0", "strcontains": "1.5.0"}
	if gaps := requiredVersionGaps(t, ">= 1.6.0", used); len(gaps) != 1 || !strings.Contains(gaps[0], "mock_provider") {
		t.Errorf(">= 1.6.0: gaps = %q, want mock_provider's", gaps)
	}
	if gaps := requiredVersionGaps(t, ">= 1.7.0", used); len(gaps) != 0 {
		t.Errorf(">= 1.7.0: gaps = %q", gaps)
	}
	if gaps := requiredVersionGaps(t, "~> 1.6", used); len(gaps) != 1 {
		t.Errorf("~> 1.6: gaps = %q, want a refusal of the form", gaps)
	}
}
