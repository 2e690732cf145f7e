package terraform_test

import (
	_ "embed"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// providerArguments lists, per resource and data source type used here,
// the argument and nested-block names hashicorp/aws 6.25.0 documents, as
// "<kind>/<type> <name>" lines. scripts/provider-args.sh regenerates it from
// the typings of @cdktf/provider-aws, which link every argument to its docs.
//
//go:embed testdata/provider-arguments.txt
var providerArguments string

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
// used in an aws_* resource or data source against the provider's documented
// arguments, so a misspelt or invented argument fails offline.
func TestArgumentsExistInProvider(t *testing.T) {
	t.Parallel()
	known := map[string]map[string]bool{}
	for _, line := range strings.Split(providerArguments, "\n") {
		page, name, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok || strings.HasPrefix(line, "#") {
			continue
		}
		if known[page] == nil {
			known[page] = map[string]bool{}
		}
		known[page][name] = true
	}
	for page, names := range newerArguments {
		for _, n := range names {
			known[page][n] = true
		}
	}
	for _, mod := range []string{".", "github-oidc"} {
		m := loadModule(t, mod)
		for _, b := range m.blocks {
			if (b.Type != "resource" && b.Type != "data") || !strings.HasPrefix(b.Labels[0], "aws_") {
				continue
			}
			kind := "resources"
			if b.Type == "data" {
				kind = "data-sources"
			}
			page := kind + "/" + strings.TrimPrefix(b.Labels[0], "aws_")
			args, ok := known[page]
			if !ok {
				t.Errorf("%s: no argument list for %s; run scripts/provider-args.sh", mod, page)
				continue
			}
			for _, name := range usedNames(b.Body) {
				if !args[name] {
					t.Errorf("%s: %s.%s uses %q, which hashicorp/aws does not document", mod, b.Labels[0], b.Labels[1], name)
				}
			}
		}
	}
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
