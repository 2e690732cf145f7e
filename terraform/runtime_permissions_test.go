package terraform_test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// The function's own calls: the AWS operations the gateway's code makes,
// found in its source, must be granted by the function role the main
// configuration writes and allowed by the boundary the deploy role puts on
// that role. Otherwise a CI deploy succeeds and every such call is denied.

// sdkServices maps an aws-sdk-go-v2 service package to its IAM prefix. A
// package the gateway imports and this table lacks fails
// TestRuntimeCallsDerivedFromSource.
var sdkServices = map[string]string{
	"bedrock":        "bedrock",
	"bedrockruntime": "bedrock",
	"dynamodb":       "dynamodb",
	"lambda":         "lambda",
	"secretsmanager": "secretsmanager",
}

// sdkActions names the IAM action of operations whose action is not
// named after them (the service authorization reference).
var sdkActions = map[string]string{
	"bedrockruntime.Converse":       "bedrock:InvokeModel",
	"bedrockruntime.ConverseStream": "bedrock:InvokeModelWithResponseStream",
	// Invoke is authorised as lambda:InvokeFunction.
	"lambda.Invoke": "lambda:InvokeFunction",
}

// testAppProfile is an application inference profile of the test stack.
const testAppProfile = "arn:aws:bedrock:us-east-1:" + testAccount + ":application-inference-profile/team42"

// runtimeResources gives, per action, the resources it is made on by the
// stack of runtimeVars, each with the request's condition context.
var runtimeResources = map[string][]request{
	"bedrock:InvokeModelWithResponseStream": {
		{resource: "arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"},
		{resource: "arn:aws:bedrock:us-east-1:" + testAccount + ":inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0"},
		// The profile routes to the model in another region.
		{resource: "arn:aws:bedrock:us-west-2::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0",
			context: map[string]string{"bedrock:InferenceProfileArn": "arn:aws:bedrock:us-east-1:" + testAccount + ":inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0"}},
		// An application inference profile, and the model it routes to,
		// through it.
		{resource: testAppProfile},
		{resource: "arn:aws:bedrock:us-west-2::foundation-model/amazon.nova-pro-v1:0",
			context: map[string]string{"bedrock:InferenceProfileArn": testAppProfile}},
	},
	// The profile is resolved at start.
	"bedrock:GetInferenceProfile": {{resource: testAppProfile}},
	// A guardrail on an invoke is authorised as ApplyGuardrail on it.
	"bedrock:ApplyGuardrail":        {{resource: "arn:aws:bedrock:us-east-1:" + testAccount + ":guardrail/gr1abc2def3g"}},
	"dynamodb:UpdateItem":           {{resource: testTable}, {resource: testStateTable}, {resource: testStreamTable}},
	"dynamodb:GetItem":              {{resource: testTable}, {resource: testStateTable}, {resource: testStreamTable}},
	"dynamodb:PutItem":              {{resource: testStateTable}, {resource: testStreamTable}},
	"dynamodb:Query":                {{resource: testStateTable}, {resource: testStreamTable}},
	"dynamodb:BatchWriteItem":       {{resource: testStateTable}, {resource: testStreamTable}},
	"secretsmanager:GetSecretValue": {{resource: testSecret}},
	// A background response: the function invokes itself, at the version
	// that runs (AWS_LAMBDA_FUNCTION_VERSION), or unqualified at $LATEST.
	"lambda:InvokeFunction": {{resource: testGateway}, {resource: testGateway + ":7"}},
}

// runtimeCalls scans the non-test Go source of the deployed binary
// (internal/ and cmd/chatbot, fakes left out) for AWS operations: every
// <service>.<Operation>Input literal of an aws-sdk-go-v2 service package,
// plus ApplyGuardrail wherever a Bedrock request names a guardrail.
func runtimeCalls(tb testing.TB, roots ...string) (actions []string, unknown []string) {
	tb.Helper()
	add := func(list *[]string, s string) {
		if !slices.Contains(*list, s) {
			*list = append(*list, s)
		}
	}
	for _, root := range roots {
		err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if d.IsDir() && strings.HasPrefix(d.Name(), "fake") {
				return filepath.SkipDir
			}
			if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
				return nil
			}
			f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			services := map[string]string{} // local name -> package
			for _, imp := range f.Imports {
				p, _ := strconv.Unquote(imp.Path.Value)
				rest, ok := strings.CutPrefix(p, "github.com/aws/aws-sdk-go-v2/service/")
				if !ok || strings.Contains(rest, "/") {
					continue
				}
				name := rest
				if imp.Name != nil {
					name = imp.Name.Name
				}
				services[name] = rest
				if _, known := sdkServices[rest]; !known {
					add(&unknown, rest+" (imported by "+path+")")
				}
			}
			if len(services) == 0 {
				return nil
			}
			ast.Inspect(f, func(n ast.Node) bool {
				switch n := n.(type) {
				case *ast.CompositeLit:
					sel, ok := n.Type.(*ast.SelectorExpr)
					if !ok {
						return true
					}
					pkg, ok := sel.X.(*ast.Ident)
					svc := services[pkgName(pkg, ok)]
					op, isInput := strings.CutSuffix(sel.Sel.Name, "Input")
					if svc == "" || !isInput {
						return true
					}
					action := sdkActions[svc+"."+op]
					if action == "" {
						action = sdkServices[svc] + ":" + op
					}
					add(&actions, action)
				case *ast.SelectorExpr:
					if n.Sel.Name == "GuardrailIdentifier" && slices.Contains(mapValues(services), "bedrockruntime") {
						add(&actions, "bedrock:ApplyGuardrail")
					}
				}
				return true
			})
			return nil
		})
		if err != nil {
			tb.Fatal(err)
		}
	}
	slices.Sort(actions)
	return actions, unknown
}

func pkgName(id *ast.Ident, ok bool) string {
	if !ok {
		return ""
	}
	return id.Name
}

func mapValues(m map[string]string) []string {
	out := make([]string, 0, len(m))
	for _, v := range m {
		out = append(out, v)
	}
	return out
}

// runtimeVars is a main configuration using every feature that calls AWS
// at run time.
var runtimeVars = map[string]cty.Value{
	"rate_limit_rpm":            cty.NumberIntVal(30),
	"bedrock_model_id":          cty.StringVal("us.anthropic.claude-sonnet-4-5-20250929-v1:0"),
	"bedrock_models":            cty.ListVal([]cty.Value{cty.StringVal("anthropic.claude-3-haiku-20240307-v1:0"), cty.StringVal("converse:" + testAppProfile)}),
	"bedrock_guardrail_id":      cty.StringVal("gr1abc2def3g"),
	"bedrock_guardrail_version": cty.StringVal("1"),
	"api_keys_kms_key_arn":      cty.StringVal(testKey),
	"stream_table_kms_key_arn":  cty.StringVal(testKey),
	"edge_payload_hash":         cty.True,
	"conversation_store":        cty.True,
	"conversation_kms_key_arn":  cty.StringVal(testKey),
}

func obj(kv ...string) cty.Value {
	m := map[string]cty.Value{}
	for i := 0; i < len(kv); i += 2 {
		m[kv[i]] = cty.StringVal(kv[i+1])
	}
	return cty.ObjectVal(m)
}

// rolePolicyDocuments names the policy documents the module attaches to a
// role (aws_iam_role_policy with role = aws_iam_role.<role>...), so a policy
// a new feature attaches to a function role is checked without being listed.
func rolePolicyDocuments(tb testing.TB, m *module, role string) []string {
	tb.Helper()
	var out []string
	for _, rp := range m.all("resource", "aws_iam_role_policy") {
		if !strings.HasPrefix(m.attr(tb, rp, "role"), "aws_iam_role."+role) {
			continue
		}
		policy := m.attr(tb, rp, "policy")
		doc, ok := strings.CutPrefix(policy, "data.aws_iam_policy_document.")
		doc, _, _ = strings.Cut(doc, "[")
		doc = strings.TrimSuffix(doc, ".json")
		if !ok || strings.ContainsAny(doc, ". ") {
			tb.Fatalf("aws_iam_role_policy.%s: policy %s is not a policy document's json", rp.Labels[1], policy)
		}
		out = append(out, doc)
	}
	return out
}

// functionPolicies evaluates the main configuration's function-role
// policies: every document attached to the gateway's role, and the edge
// function's.
func functionPolicies(tb testing.TB) (gateway, edge []policyStatement) {
	tb.Helper()
	m := loadModule(tb, ".")
	s := newEvalScope(tb, m, runtimeVars, map[string]cty.Value{
		"data.aws_caller_identity.current":   obj("account_id", testAccount),
		"data.aws_partition.current":         obj("partition", "aws"),
		"aws_cloudwatch_log_group.lambda":    obj("arn", testLogGroup, "name", "/aws/lambda/chatbot-dev"),
		"aws_dynamodb_table.quota":           cty.TupleVal([]cty.Value{obj("arn", testTable, "name", "chatbot-dev-quota")}),
		"aws_dynamodb_table.state":           cty.TupleVal([]cty.Value{obj("arn", testStateTable, "name", "chatbot-dev-state")}),
		"aws_dynamodb_table.streams":         cty.TupleVal([]cty.Value{obj("arn", testStreamTable, "name", "chatbot-dev-streams")}),
		"aws_lambda_function.gateway":        obj("arn", testGateway),
		"aws_secretsmanager_secret.api_keys": cty.TupleVal([]cty.Value{obj("arn", testSecret, "id", testSecret)}),
		"aws_iam_role.lambda":                obj("id", "chatbot-dev-lambda", "arn", testRole),
	})
	docs := rolePolicyDocuments(tb, m, "lambda")
	for _, want := range []string{"lambda", "quota"} {
		if !slices.Contains(docs, want) {
			tb.Fatalf("the gateway role's policies %q lack %s: the derivation is broken", docs, want)
		}
	}
	for _, d := range docs {
		gateway = append(gateway, s.document(tb, d)...)
	}
	for _, d := range rolePolicyDocuments(tb, m, "edge") {
		edge = append(edge, s.document(tb, d)...)
	}
	return gateway, edge
}

// boundaryPolicy evaluates the deploy module's permissions boundary.
func boundaryPolicy(tb testing.TB) []policyStatement {
	tb.Helper()
	s := newEvalScope(tb, loadModule(tb, "github-oidc"), map[string]cty.Value{
		"github_repository":    cty.StringVal("example/chatbot"),
		"api_keys_secret_arns": cty.ListVal([]cty.Value{cty.StringVal(testShared)}),
		"kms_key_arns":         cty.ListVal([]cty.Value{cty.StringVal(testKey)}),
	}, oidcStandIns())
	return s.document(tb, "boundary")
}

// fromGateway is the condition context of a request the gateway function's
// code makes.
func fromGateway(ctx map[string]string) map[string]string {
	out := map[string]string{"lambda:SourceFunctionArn": testGateway}
	for k, v := range ctx {
		out[k] = v
	}
	return out
}

// TestRuntimeCallsDerivedFromSource checks the source scan finds the
// operations the gateway is known to make and no unlisted AWS service.
func TestRuntimeCallsDerivedFromSource(t *testing.T) {
	t.Parallel()
	actions, unknown := runtimeCalls(t, filepath.Join("..", "internal"), filepath.Join("..", "cmd", "chatbot"))
	for _, u := range unknown {
		t.Errorf("AWS service package %s: add it to sdkServices (runtime_permissions_test.go)", u)
	}
	for _, want := range []string{"bedrock:ApplyGuardrail", "bedrock:InvokeModelWithResponseStream", "dynamodb:GetItem", "dynamodb:UpdateItem",
		"lambda:InvokeFunction", "secretsmanager:GetSecretValue"} {
		if !slices.Contains(actions, want) {
			t.Errorf("the source scan did not find %s (found %q)", want, actions)
		}
	}
}

// TestFunctionCanMakeItsCalls checks every operation the gateway's code
// makes is granted by its role and allowed by the boundary, when the
// request comes from the function.
func TestFunctionCanMakeItsCalls(t *testing.T) {
	t.Parallel()
	actions, _ := runtimeCalls(t, filepath.Join("..", "internal"), filepath.Join("..", "cmd", "chatbot"))
	role, _ := functionPolicies(t)
	boundary := boundaryPolicy(t)
	for _, a := range actions {
		reqs, ok := runtimeResources[a]
		if !ok {
			t.Errorf("the gateway calls %s: add the resources it calls it on to runtimeResources", a)
			continue
		}
		for _, r := range reqs {
			r.action, r.context = a, fromGateway(r.context)
			if why := decide(role, r); why != "" {
				t.Errorf("the function role cannot %s on %s: %s", a, r.resource, why)
			}
			if why := decide(boundary, r); why != "" {
				t.Errorf("the boundary does not allow %s on %s: %s", a, r.resource, why)
			}
		}
	}
}

// TestBoundaryCoversFunctionPolicies checks everything the main
// configuration grants its two function roles is inside the boundary, so
// that no grant is silently cut off on CI deploys.
func TestBoundaryCoversFunctionPolicies(t *testing.T) {
	t.Parallel()
	gateway, edge := functionPolicies(t)
	boundary := boundaryPolicy(t)
	for _, tc := range []struct {
		name   string
		policy []policyStatement
		ctx    map[string]string
	}{
		{name: "gateway", policy: gateway, ctx: fromGateway(nil)},
		{name: "edge", policy: edge, ctx: map[string]string{"lambda:SourceFunctionArn": testEdge}},
	} {
		for _, st := range tc.policy {
			ctx := map[string]string{}
			for k, v := range tc.ctx {
				ctx[k] = v
			}
			for _, c := range st.conditions { // the grant's own conditions hold
				ctx[c.variable] = c.values[0]
			}
			for _, a := range st.actions {
				for _, res := range st.resources {
					if why := decide(boundary, request{action: a, resource: res, context: ctx}); why != "" {
						t.Errorf("%s %s: %s on %s is outside the boundary: %s", tc.name, st.sid, a, res, why)
					}
				}
			}
		}
	}
}

// TestBoundaryGivesOtherSessionsNothingOfValue checks a session of a
// function role that does not come from the gateway function (a role whose
// trust was written to admit someone else) gets no model, table or secret.
func TestBoundaryGivesOtherSessionsNothingOfValue(t *testing.T) {
	t.Parallel()
	boundary := boundaryPolicy(t)
	for a, reqs := range runtimeResources {
		for _, r := range reqs {
			r.action = a
			if decide(boundary, r) == "" {
				t.Errorf("outside the function, the boundary allows %s on %s", a, r.resource)
			}
			r.context = map[string]string{"lambda:SourceFunctionArn": "arn:aws:lambda:us-east-1:" + testAccount + ":function:someone-else"}
			if decide(boundary, r) == "" {
				t.Errorf("from another function, the boundary allows %s on %s", a, r.resource)
			}
		}
	}
	for _, res := range []string{
		"arn:aws:secretsmanager:us-east-1:" + testAccount + ":secret:chatbot-payroll-AbCdEf",
		"arn:aws:dynamodb:us-east-1:" + testAccount + ":table/billing",
	} {
		action := "secretsmanager:GetSecretValue"
		if strings.Contains(res, ":table/") {
			action = "dynamodb:GetItem"
		}
		if decide(boundary, request{action: action, resource: res, context: fromGateway(nil)}) == "" {
			t.Errorf("the boundary allows %s on %s, which is not the project's", action, res)
		}
	}
}
