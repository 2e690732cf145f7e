package terraform_test

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/ext/tryfunc"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// module is one parsed Terraform root module.
type module struct {
	dir    string
	src    map[string][]byte // file name -> bytes
	blocks []*hclsyntax.Block
}

// loadModule parses every committed .tf file of dir.
func loadModule(tb testing.TB, dir string) *module {
	tb.Helper()
	names, err := filepath.Glob(filepath.Join(dir, "*.tf"))
	if err != nil {
		tb.Fatalf("glob %s: %v", dir, err)
	}
	if len(names) == 0 {
		tb.Fatalf("no .tf files in %s", dir)
	}
	m := &module{dir: dir, src: map[string][]byte{}}
	p := hclparse.NewParser()
	for _, name := range names {
		if filepath.Base(name) == "backend_s3.tf" {
			continue // written by `make deploy`, never committed
		}
		b, err := os.ReadFile(name)
		if err != nil {
			tb.Fatalf("read %s: %v", name, err)
		}
		f, diags := p.ParseHCL(b, name)
		if diags.HasErrors() {
			tb.Fatalf("parse %s: %s", name, diags.Error())
		}
		m.src[name] = b
		m.blocks = append(m.blocks, f.Body.(*hclsyntax.Body).Blocks...)
	}
	return m
}

// parseModule parses one file's source as a module, for tests that feed the
// checks a configuration they must refuse.
func parseModule(tb testing.TB, name string, src []byte) *module {
	tb.Helper()
	f, diags := hclparse.NewParser().ParseHCL(src, name)
	if diags.HasErrors() {
		tb.Fatalf("parse %s: %s", name, diags.Error())
	}
	return &module{dir: name, src: map[string][]byte{name: src}, blocks: f.Body.(*hclsyntax.Body).Blocks}
}

// find returns the top-level block with the given type and labels, failing
// the test when there is none.
func (m *module) find(tb testing.TB, typ string, labels ...string) *hclsyntax.Block {
	tb.Helper()
	for _, b := range m.blocks {
		if b.Type == typ && equalStrings(b.Labels, labels) {
			return b
		}
	}
	tb.Fatalf("%s: no %s %q", m.dir, typ, labels)
	return nil
}

// all returns the top-level blocks of a type whose first label is label
// (any label when label is empty).
func (m *module) all(typ, label string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, b := range m.blocks {
		if b.Type == typ && (label == "" || (len(b.Labels) > 0 && b.Labels[0] == label)) {
			out = append(out, b)
		}
	}
	return out
}

// locals merges every locals block.
func (m *module) locals() map[string]*hclsyntax.Attribute {
	out := map[string]*hclsyntax.Attribute{}
	for _, b := range m.all("locals", "") {
		for name, a := range b.Body.Attributes {
			out[name] = a
		}
	}
	return out
}

// text is the source text of an expression, whitespace collapsed.
func (m *module) text(tb testing.TB, e hclsyntax.Expression) string {
	tb.Helper()
	r := e.Range()
	src, ok := m.src[r.Filename]
	if !ok {
		tb.Fatalf("no source for %s", r.Filename)
	}
	return strings.Join(strings.Fields(string(r.SliceBytes(src))), " ")
}

// attr returns a block attribute's source text, failing when it is missing.
func (m *module) attr(tb testing.TB, b *hclsyntax.Block, name string) string {
	tb.Helper()
	a, ok := b.Body.Attributes[name]
	if !ok {
		tb.Fatalf("%s %q: no attribute %s", b.Type, b.Labels, name)
	}
	return m.text(tb, a.Expr)
}

// literal evaluates a block attribute that must be a constant.
func literal(tb testing.TB, b *hclsyntax.Block, name string) cty.Value {
	tb.Helper()
	a, ok := b.Body.Attributes[name]
	if !ok {
		tb.Fatalf("%s %q: no attribute %s", b.Type, b.Labels, name)
	}
	v, diags := a.Expr.Value(nil)
	if diags.HasErrors() {
		tb.Fatalf("%s %q: %s is not a constant: %s", b.Type, b.Labels, name, diags.Error())
	}
	return v
}

// literalString evaluates a constant string attribute.
func literalString(tb testing.TB, b *hclsyntax.Block, name string) string {
	tb.Helper()
	v := literal(tb, b, name)
	if v.IsNull() || !v.Type().Equals(cty.String) {
		tb.Fatalf("%s %q: %s is %#v, not a string", b.Type, b.Labels, name, v)
	}
	return v.AsString()
}

// literalStrings evaluates a constant list of strings.
func literalStrings(tb testing.TB, b *hclsyntax.Block, name string) []string {
	tb.Helper()
	v := literal(tb, b, name)
	if !v.CanIterateElements() {
		tb.Fatalf("%s %q: %s is not a list", b.Type, b.Labels, name)
	}
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, e := it.Element()
		if !e.Type().Equals(cty.String) {
			tb.Fatalf("%s %q: %s holds a non-string", b.Type, b.Labels, name)
		}
		out = append(out, e.AsString())
	}
	return out
}

// nested returns the nested blocks of a type, including the content of
// `dynamic "<typ>"` blocks.
func nested(b *hclsyntax.Block, typ string) []*hclsyntax.Block {
	var out []*hclsyntax.Block
	for _, c := range b.Body.Blocks {
		switch {
		case c.Type == typ:
			out = append(out, c)
		case c.Type == "dynamic" && len(c.Labels) == 1 && c.Labels[0] == typ:
			for _, content := range c.Body.Blocks {
				if content.Type == "content" {
					out = append(out, content)
				}
			}
		}
	}
	return out
}

// one returns the single nested block of a type.
func one(tb testing.TB, b *hclsyntax.Block, typ string) *hclsyntax.Block {
	tb.Helper()
	bs := nested(b, typ)
	if len(bs) != 1 {
		tb.Fatalf("%s %q: want one %s block, have %d", b.Type, b.Labels, typ, len(bs))
	}
	return bs[0]
}

// objectItem is one key = value pair of an object constructor.
type objectItem struct {
	key   string
	value hclsyntax.Expression
}

// objectItems lists the pairs of an attribute that is an object literal.
func objectItems(tb testing.TB, a *hclsyntax.Attribute) []objectItem {
	tb.Helper()
	obj, ok := a.Expr.(*hclsyntax.ObjectConsExpr)
	if !ok {
		tb.Fatalf("%s is not an object literal", a.Name)
	}
	var out []objectItem
	for _, item := range obj.Items {
		k, diags := item.KeyExpr.Value(nil)
		if diags.HasErrors() || !k.Type().Equals(cty.String) {
			tb.Fatalf("%s: key is not a constant string", a.Name)
		}
		out = append(out, objectItem{key: k.AsString(), value: item.ValueExpr})
	}
	return out
}

func equalStrings(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// logicOperandErrors evaluates both operands of every || and && in expr.
// Terraform (unlike recent HCL) does not short-circuit them: a guard such as
// `x == "" || split(":", x)[3] == y` still fails on the empty x, so a test
// that evaluates with HCL alone must look at each operand itself.
// Operands inside a for expression are skipped: they need its iterator.
func logicOperandErrors(expr hclsyntax.Expression, ctx *hcl.EvalContext) hcl.Diagnostics {
	var loops []hcl.Range
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		if f, ok := n.(*hclsyntax.ForExpr); ok {
			loops = append(loops, f.Range())
		}
		return nil
	})
	inLoop := func(r hcl.Range) bool {
		for _, l := range loops {
			if l.ContainsOffset(r.Start.Byte) {
				return true
			}
		}
		return false
	}
	var diags hcl.Diagnostics
	hclsyntax.VisitAll(expr, func(n hclsyntax.Node) hcl.Diagnostics {
		b, ok := n.(*hclsyntax.BinaryOpExpr)
		if !ok || (b.Op != hclsyntax.OpLogicalOr && b.Op != hclsyntax.OpLogicalAnd) || inLoop(b.Range()) {
			return nil
		}
		for _, operand := range []hclsyntax.Expression{b.LHS, b.RHS} {
			if _, d := operand.Value(ctx); d.HasErrors() {
				diags = append(diags, d...)
			}
		}
		return nil
	})
	return diags
}

// functions is the subset of Terraform's built-in functions that the
// validations and locals evaluated by these tests use, with Terraform's
// semantics.
func functions() map[string]function.Function {
	str := func(f func(s, x string) bool) function.Function {
		return function.New(&function.Spec{
			Params: []function.Parameter{{Name: "s", Type: cty.String}, {Name: "x", Type: cty.String}},
			Type:   function.StaticReturnType(cty.Bool),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				return cty.BoolVal(f(args[0].AsString(), args[1].AsString())), nil
			},
		})
	}
	return map[string]function.Function{
		"alltrue": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "list", Type: cty.List(cty.Bool)}},
			Type:   function.StaticReturnType(cty.Bool),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				for it := args[0].ElementIterator(); it.Next(); {
					if _, v := it.Element(); v.IsNull() || v.False() {
						return cty.False, nil
					}
				}
				return cty.True, nil
			},
		}),
		"can": tryfunc.CanFunc,
		"cidrhost": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "prefix", Type: cty.String}, {Name: "hostnum", Type: cty.Number}},
			Type:   function.StaticReturnType(cty.String),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				ip, _, err := net.ParseCIDR(args[0].AsString())
				if err != nil {
					return cty.NilVal, fmt.Errorf("invalid CIDR: %w", err)
				}
				return cty.StringVal(ip.String()), nil
			},
		}),
		"compact":  stdlib.CompactFunc,
		"concat":   stdlib.ConcatFunc,
		"contains": stdlib.ContainsFunc,
		"distinct": stdlib.DistinctFunc,
		"endswith": str(strings.HasSuffix),
		"flatten":  stdlib.FlattenFunc,
		"floor":    stdlib.FloorFunc,
		"join":     stdlib.JoinFunc,
		"length": function.New(&function.Spec{
			Params: []function.Parameter{{Name: "value", Type: cty.DynamicPseudoType}},
			Type:   function.StaticReturnType(cty.Number),
			Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
				if args[0].Type().Equals(cty.String) {
					return stdlib.Strlen(args[0])
				}
				return args[0].Length(), nil
			},
		}),
		"regex":       stdlib.RegexFunc,
		"slice":       stdlib.SliceFunc,
		"split":       stdlib.SplitFunc,
		"startswith":  str(strings.HasPrefix),
		"strcontains": str(strings.Contains),
		"trimprefix":  stdlib.TrimPrefixFunc,
		"try":         tryfunc.TryFunc,
	}
}
