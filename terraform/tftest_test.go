package terraform_test

import (
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
)

// tftestFile is one parsed tests/*.tftest.hcl file.
type tftestFile struct {
	name      string
	src       []byte
	body      *hclsyntax.Body
	variables map[string]bool // file-level variables block
}

func loadTFTests(tb testing.TB, dir string) []tftestFile {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "tests", "*.tftest.hcl"))
	if err != nil || len(names) == 0 {
		tb.Fatalf("no %s/tests/*.tftest.hcl (%v)", dir, err)
	}
	var out []tftestFile
	p := hclparse.NewParser()
	for _, name := range names {
		f, diags := p.ParseHCLFile(name)
		if diags.HasErrors() {
			tb.Fatalf("parse %s: %s", name, diags.Error())
		}
		tf := tftestFile{name: name, src: f.Bytes, body: f.Body.(*hclsyntax.Body), variables: map[string]bool{}}
		for _, b := range tf.body.Blocks {
			if b.Type == "variables" {
				for n := range b.Body.Attributes {
					tf.variables[n] = true
				}
			}
		}
		out = append(out, tf)
	}
	return out
}

// runs returns the run blocks of every test file.
func runs(files []tftestFile) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, f := range files {
		for _, b := range f.body.Blocks {
			if b.Type == "run" {
				out = append(out, b)
			}
		}
	}
	return out
}

// exprText is an expression's source text without whitespace.
func exprText(files []tftestFile, e hclsyntax.Expression) string {
	r := e.Range()
	for _, f := range files {
		if f.name == r.Filename {
			return strings.Join(strings.Fields(string(r.SliceBytes(f.src))), "")
		}
	}
	return ""
}

// runCommand is a run's command, apply when not given (terraform test's default).
func runCommand(files []tftestFile, r *hclsyntax.Block) string {
	if a, ok := r.Body.Attributes["command"]; ok {
		return exprText(files, a.Expr)
	}
	return "apply"
}

// expectedFailures lists the addresses a run's expect_failures names.
func expectedFailures(files []tftestFile, r *hclsyntax.Block) []string {
	a, ok := r.Body.Attributes["expect_failures"]
	if !ok {
		return nil
	}
	var out []string
	if tuple, ok := a.Expr.(*hclsyntax.TupleConsExpr); ok {
		for _, item := range tuple.Exprs {
			out = append(out, exprText(files, item))
		}
	}
	return out
}

// TestTerraformTestFiles checks the `terraform test` files parse, mock the
// providers the module uses, and stay complete: a plan with the defaults,
// applies that together set every variable, and a failing run for each
// precondition (expect_failures naming the resource).
func TestTerraformTestFiles(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dir       string
		providers []string // mock_provider labels (plus alias) the module needs
	}{
		{dir: ".", providers: []string{"aws", "aws.us_east_1", "random"}},
		{dir: "github-oidc", providers: []string{"aws"}},
	} {
		m := loadModule(t, tc.dir)
		files := loadTFTests(t, tc.dir)

		var mocks []string
		for _, f := range files {
			for _, b := range f.body.Blocks {
				if b.Type != "mock_provider" {
					continue
				}
				name := b.Labels[0]
				if a, ok := b.Body.Attributes["alias"]; ok {
					v, _ := a.Expr.Value(nil)
					name += "." + v.AsString()
				}
				mocks = append(mocks, name)
			}
		}
		for _, p := range tc.providers {
			if !slices.Contains(mocks, p) {
				t.Errorf("%s: no mock_provider %s", tc.dir, p)
			}
		}

		covered := map[string]bool{}
		for _, f := range files {
			for v := range f.variables {
				covered[v] = true
			}
		}
		var planDefaults, applies int
		expected := map[string]bool{}
		for _, r := range runs(files) {
			vb := nested(r, "variables")
			cmd := runCommand(files, r)
			if cmd == "plan" && len(vb) == 0 {
				planDefaults++
			}
			if failures := expectedFailures(files, r); len(failures) > 0 {
				for _, f := range failures {
					expected[f] = true
				}
				continue
			}
			if cmd == "apply" {
				applies++
				for _, b := range vb {
					for n := range b.Body.Attributes {
						covered[n] = true
					}
				}
			}
		}
		if planDefaults == 0 {
			t.Errorf("%s: no run plans with the defaults", tc.dir)
		}
		if applies == 0 {
			t.Errorf("%s: no apply run", tc.dir)
		}
		for _, v := range m.all("variable", "") {
			if !covered[v.Labels[0]] {
				t.Errorf("%s: no apply run sets var.%s", tc.dir, v.Labels[0])
			}
		}
		for _, b := range m.blocks {
			if b.Type != "resource" {
				continue
			}
			for _, lc := range nested(b, "lifecycle") {
				n := len(nested(lc, "precondition"))
				addr := b.Labels[0] + "." + b.Labels[1]
				if n > 0 && !expected[addr] {
					t.Errorf("%s: no run expects %s's preconditions to fail", tc.dir, addr)
				}
			}
		}
	}
}

// TestTerraformTestFilesCountPreconditionRuns checks there is a failing run
// per precondition, not one for all of them.
func TestTerraformTestFilesCountPreconditionRuns(t *testing.T) {
	t.Parallel()
	m := loadModule(t, ".")
	var preconditions int
	for _, lc := range nested(m.find(t, "resource", "aws_lambda_function", "gateway"), "lifecycle") {
		preconditions += len(nested(lc, "precondition"))
	}
	var failing int
	files := loadTFTests(t, ".")
	for _, r := range runs(files) {
		if slices.Contains(expectedFailures(files, r), "aws_lambda_function.gateway") {
			failing++
		}
	}
	if failing != preconditions {
		t.Errorf("%d runs expect the gateway's preconditions to fail, want one per precondition (%d)", failing, preconditions)
	}
}
