package terraform_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/hashicorp/hcl/v2"
	"github.com/hashicorp/hcl/v2/hclsyntax"
	"github.com/zclconf/go-cty/cty"
	"github.com/zclconf/go-cty/cty/function"
	"github.com/zclconf/go-cty/cty/function/stdlib"
)

// An offline IAM evaluator for the policy documents of the two modules: the
// HCL is evaluated with given variables and stand-in resource attributes,
// and a request (action, resource ARN, condition context) is decided the
// way IAM decides it within one policy: an explicit Deny wins, otherwise an
// Allow whose action, resource and every condition match.
// Unverified against IAM itself: condition operators beyond StringEquals,
// StringLike, ArnEquals and ArnLike are refused rather than guessed.

// request is one authorised API call.
type request struct {
	action   string
	resource string            // the ARN IAM authorises, or "*" for actions without a resource type
	context  map[string]string // condition keys present in the request
}

// policyStatement is one evaluated statement.
type policyStatement struct {
	sid        string
	effect     string
	actions    []string
	resources  []string
	conditions []policyCondition
}

type policyCondition struct {
	test, variable string
	values         []string
}

// evalScope evaluates a module's expressions: var.* from defaults and
// overrides, local.* as far as they resolve, and the given stand-ins for
// resources and data sources (keyed "aws_x.name" and "data.aws_x.name").
type evalScope struct {
	m   *module
	ctx *hcl.EvalContext
}

func newEvalScope(tb testing.TB, m *module, vars map[string]cty.Value, stand map[string]cty.Value) *evalScope {
	tb.Helper()
	vals := map[string]cty.Value{}
	for _, v := range m.all("variable", "") {
		name := v.Labels[0]
		if over, ok := vars[name]; ok {
			vals[name] = over
			continue
		}
		d, ok := v.Body.Attributes["default"]
		if !ok {
			tb.Fatalf("%s: var.%s has no default; give it a value", m.dir, name)
		}
		val, diags := d.Expr.Value(nil)
		if diags.HasErrors() {
			tb.Fatalf("%s: var.%s default: %s", m.dir, name, diags.Error())
		}
		vals[name] = val
	}
	for name := range vars {
		if _, ok := vals[name]; !ok {
			tb.Fatalf("%s: no variable %s", m.dir, name)
		}
	}
	fns := functions()
	fns["merge"] = stdlib.MergeFunc
	fns["jsondecode"] = stdlib.JSONDecodeFunc
	fns["tostring"] = function.New(&function.Spec{
		Params: []function.Parameter{{Name: "v", Type: cty.DynamicPseudoType}},
		Type:   function.StaticReturnType(cty.String),
		Impl: func(args []cty.Value, _ cty.Type) (cty.Value, error) {
			return stdlib.FormatFunc.Call([]cty.Value{cty.StringVal("%v"), args[0]})
		},
	})
	top := map[string]cty.Value{"var": cty.ObjectVal(vals)}
	data := map[string]map[string]cty.Value{}
	res := map[string]map[string]cty.Value{}
	for addr, v := range stand {
		parts := strings.Split(addr, ".")
		switch {
		case len(parts) == 3 && parts[0] == "data":
			if data[parts[1]] == nil {
				data[parts[1]] = map[string]cty.Value{}
			}
			data[parts[1]][parts[2]] = v
		case len(parts) == 2:
			if res[parts[0]] == nil {
				res[parts[0]] = map[string]cty.Value{}
			}
			res[parts[0]][parts[1]] = v
		default:
			tb.Fatalf("stand-in address %q", addr)
		}
	}
	dataObj := map[string]cty.Value{}
	for typ, byName := range data {
		dataObj[typ] = cty.ObjectVal(byName)
	}
	top["data"] = cty.ObjectVal(dataObj)
	for typ, byName := range res {
		top[typ] = cty.ObjectVal(byName)
	}
	ctx := &hcl.EvalContext{Variables: top, Functions: fns}

	// Locals refer to each other in any order: evaluate until no more resolve.
	locals := m.locals()
	known := map[string]cty.Value{}
	for progress := true; progress; {
		progress = false
		top["local"] = cty.ObjectVal(known)
		for name, a := range locals {
			if _, done := known[name]; done {
				continue
			}
			if v, diags := a.Expr.Value(ctx); !diags.HasErrors() && v.IsWhollyKnown() {
				known[name] = v
				progress = true
			}
		}
	}
	top["local"] = cty.ObjectVal(known)
	return &evalScope{m: m, ctx: ctx}
}

// eval evaluates one expression, failing the test when it does not resolve.
func (s *evalScope) eval(tb testing.TB, e hclsyntax.Expression) cty.Value {
	tb.Helper()
	v, diags := e.Value(s.ctx)
	if diags.HasErrors() {
		tb.Fatalf("%s: %s: %s", s.m.dir, s.m.text(tb, e), diags.Error())
	}
	return v
}

func (s *evalScope) strings(tb testing.TB, e hclsyntax.Expression) []string {
	tb.Helper()
	v := s.eval(tb, e)
	var out []string
	for it := v.ElementIterator(); it.Next(); {
		_, el := it.Element()
		out = append(out, el.AsString())
	}
	return out
}

// document evaluates a data "aws_iam_policy_document" block, leaving out
// dynamic statements whose for_each is empty.
func (s *evalScope) document(tb testing.TB, name string) []policyStatement {
	tb.Helper()
	doc := s.m.find(tb, "data", "aws_iam_policy_document", name)
	var out []policyStatement
	for _, c := range doc.Body.Blocks {
		var body *hclsyntax.Body
		switch {
		case c.Type == "statement":
			body = c.Body
		case c.Type == "dynamic" && c.Labels[0] == "statement":
			if n := s.eval(tb, c.Body.Attributes["for_each"].Expr).LengthInt(); n == 0 {
				continue
			}
			for _, content := range c.Body.Blocks {
				if content.Type == "content" {
					body = content.Body
				}
			}
		default:
			continue
		}
		st := policyStatement{effect: "Allow"}
		if a, ok := body.Attributes["sid"]; ok {
			st.sid = s.eval(tb, a.Expr).AsString()
		}
		if a, ok := body.Attributes["effect"]; ok {
			st.effect = s.eval(tb, a.Expr).AsString()
		}
		st.actions = s.strings(tb, body.Attributes["actions"].Expr)
		if a, ok := body.Attributes["resources"]; ok {
			st.resources = s.strings(tb, a.Expr)
		}
		for _, cb := range body.Blocks {
			if cb.Type != "condition" {
				continue
			}
			st.conditions = append(st.conditions, policyCondition{
				test:     s.eval(tb, cb.Body.Attributes["test"].Expr).AsString(),
				variable: s.eval(tb, cb.Body.Attributes["variable"].Expr).AsString(),
				values:   s.strings(tb, cb.Body.Attributes["values"].Expr),
			})
		}
		out = append(out, st)
	}
	return out
}

// globMatch matches IAM's wildcards: * any run of characters, ? one.
func globMatch(pattern, s string) bool {
	// path.Match treats / specially; IAM does not.
	if pattern == "" {
		return s == ""
	}
	switch pattern[0] {
	case '*':
		for i := 0; i <= len(s); i++ {
			if globMatch(pattern[1:], s[i:]) {
				return true
			}
		}
		return false
	case '?':
		return s != "" && globMatch(pattern[1:], s[1:])
	default:
		return s != "" && pattern[0] == s[0] && globMatch(pattern[1:], s[1:])
	}
}

// conditionHolds reports whether one condition matches the request.
func conditionHolds(c policyCondition, ctx map[string]string) (bool, error) {
	got, ok := ctx[c.variable]
	if !ok {
		return false, nil // a key absent from the request matches no value
	}
	for _, want := range c.values {
		switch c.test {
		case "StringEquals", "ArnEquals":
			if got == want {
				return true, nil
			}
		case "StringLike", "ArnLike":
			if globMatch(want, got) {
				return true, nil
			}
		default:
			return false, fmt.Errorf("condition operator %s is not modelled", c.test)
		}
	}
	return false, nil
}

func statementMatches(st policyStatement, r request) (bool, error) {
	actionOK := false
	for _, a := range st.actions {
		if globMatch(strings.ToLower(a), strings.ToLower(r.action)) {
			actionOK = true
		}
	}
	resourceOK := false
	for _, res := range st.resources {
		if globMatch(res, r.resource) {
			resourceOK = true
		}
	}
	if !actionOK || !resourceOK {
		return false, nil
	}
	for _, c := range st.conditions {
		ok, err := conditionHolds(c, r.context)
		if err != nil || !ok {
			return false, err
		}
	}
	return true, nil
}

// decide returns "" when the policy allows r, or why it does not.
func decide(policy []policyStatement, r request) string {
	allowed := ""
	for _, st := range policy {
		ok, err := statementMatches(st, r)
		if err != nil {
			return fmt.Sprintf("%s: %v", st.sid, err)
		}
		if !ok {
			continue
		}
		if st.effect == "Deny" {
			return "denied by " + st.sid
		}
		allowed = st.sid
	}
	if allowed == "" {
		return "no statement allows it"
	}
	return ""
}

// TestPolicyEvaluator checks the evaluator on the cases the permission
// tests rely on, so that a pass there is not an evaluator that allows all.
func TestPolicyEvaluator(t *testing.T) {
	t.Parallel()
	policy := []policyStatement{
		{sid: "Tables", effect: "Allow", actions: []string{"dynamodb:DescribeTable"}, resources: []string{"arn:aws:dynamodb:us-east-1:1:table/app-*"}},
		{sid: "Tagged", effect: "Allow", actions: []string{"cloudfront:Get*"}, resources: []string{"*"},
			conditions: []policyCondition{{test: "StringEquals", variable: "aws:ResourceTag/Project", values: []string{"app"}}}},
		{sid: "NoDelete", effect: "Deny", actions: []string{"dynamodb:*"}, resources: []string{"arn:aws:dynamodb:us-east-1:1:table/app-keep"}},
	}
	for _, tc := range []struct {
		name  string
		req   request
		allow bool
	}{
		{name: "own table", req: request{action: "dynamodb:DescribeTable", resource: "arn:aws:dynamodb:us-east-1:1:table/app-quota"}, allow: true},
		{name: "other table", req: request{action: "dynamodb:DescribeTable", resource: "arn:aws:dynamodb:us-east-1:1:table/other"}},
		{name: "other action", req: request{action: "dynamodb:DeleteTable", resource: "arn:aws:dynamodb:us-east-1:1:table/app-quota"}},
		{name: "denied", req: request{action: "dynamodb:DescribeTable", resource: "arn:aws:dynamodb:us-east-1:1:table/app-keep"}},
		{name: "tag present", req: request{action: "cloudfront:GetDistribution", resource: "x", context: map[string]string{"aws:ResourceTag/Project": "app"}}, allow: true},
		{name: "tag absent", req: request{action: "cloudfront:GetDistribution", resource: "x"}},
		{name: "tag other", req: request{action: "cloudfront:GetDistribution", resource: "x", context: map[string]string{"aws:ResourceTag/Project": "b"}}},
	} {
		if got := decide(policy, tc.req) == ""; got != tc.allow {
			t.Errorf("%s: allowed = %v, want %v (%s)", tc.name, got, tc.allow, decide(policy, tc.req))
		}
	}
}
