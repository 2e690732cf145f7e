package terraform_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// providerTypingsEnv names the directory of an installed
// @cdktf/provider-aws package. Its typings link every argument of every
// resource to the provider docs, which makes them an offline argument list.
const providerTypingsEnv = "CDKTF_PROVIDER_AWS_DIR"

// newerArguments are arguments added to hashicorp/aws after the release the
// typings were generated from (6.25.0); versions.tf requires a provider that
// has them.
var newerArguments = map[string][]string{
	"resources/lambda_permission": {"invoked_via_function_url"}, // 6.28.0
}

// metaArguments are Terraform's own, valid in every resource.
var metaArguments = map[string]bool{
	"count": true, "for_each": true, "depends_on": true, "provider": true, "lifecycle": true,
}

// TestArgumentsExistInProvider checks every argument and nested block name
// used in an aws_* resource or data source against the provider's typings.
// It runs when CDKTF_PROVIDER_AWS_DIR is set (`make test-terraform` installs
// the package when npm is available).
func TestArgumentsExistInProvider(t *testing.T) {
	t.Parallel()
	dir := os.Getenv(providerTypingsEnv)
	if dir == "" {
		t.Skipf("%s not set; provider argument names not checked", providerTypingsEnv)
	}
	for _, mod := range []string{".", "github-oidc"} {
		m := loadModule(t, mod)
		for _, b := range m.blocks {
			if (b.Type != "resource" && b.Type != "data") || !strings.HasPrefix(b.Labels[0], "aws_") {
				continue
			}
			kind, libDir := "resources", strings.ReplaceAll(strings.TrimPrefix(b.Labels[0], "aws_"), "_", "-")
			if b.Type == "data" {
				kind, libDir = "data-sources", "data-aws-"+libDir
			}
			page := kind + "/" + strings.TrimPrefix(b.Labels[0], "aws_")
			known := typingsArguments(t, filepath.Join(dir, "lib", libDir, "index.d.ts"), page)
			for _, n := range newerArguments[page] {
				known[n] = true
			}
			for _, name := range usedNames(b.Body) {
				if !known[name] {
					t.Errorf("%s: %s.%s uses %q, which hashicorp/aws does not document", mod, b.Labels[0], b.Labels[1], name)
				}
			}
		}
	}
}

func typingsArguments(tb testing.TB, file, page string) map[string]bool {
	tb.Helper()
	src, err := os.ReadFile(file)
	if err != nil {
		tb.Fatalf("read provider typings: %v", err)
	}
	re := regexp.MustCompile(`docs/` + regexp.QuoteMeta(page) + `#([a-z0-9_]+)`)
	out := map[string]bool{}
	for _, m := range re.FindAllStringSubmatch(string(src), -1) {
		out[m[1]] = true
	}
	if len(out) == 0 {
		tb.Fatalf("%s documents no arguments for %s", file, page)
	}
	return out
}

// usedNames lists attribute and block names in a body, recursively, leaving
// out meta-arguments and looking inside dynamic blocks.
func usedNames(body *hclsyntax.Body) []string {
	var out []string
	for name := range body.Attributes {
		if !metaArguments[name] {
			out = append(out, name)
		}
	}
	for _, b := range body.Blocks {
		switch {
		case metaArguments[b.Type]:
		case b.Type == "dynamic":
			out = append(out, b.Labels[0])
			for _, c := range b.Body.Blocks {
				if c.Type == "content" {
					out = append(out, usedNames(c.Body)...)
				}
			}
		default:
			out = append(out, b.Type)
			out = append(out, usedNames(b.Body)...)
		}
	}
	return out
}
