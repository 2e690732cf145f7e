package terraform_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/zclconf/go-cty/cty"
)

// The deploy role (github-oidc/policy.tf) must allow every call the
// hashicorp/aws provider makes to create, read, update and delete each
// resource the main configuration declares, on that resource alone.
// providerCalls is the list, by resource type; a type the configuration
// uses and this table lacks fails TestDeployRoleCoversProviderCalls, so a
// new resource cannot be added without saying what deploying it needs.
//
// Sources: the calls each resource's Create/Read/Update/Delete functions
// make in hashicorp/aws 6.x (internal/service/<service>/<resource>.go);
// for tag-on-create the service's authorization reference, which
// authorises CreateDistributionWithTags as CreateDistribution and
// TagResource, CreateTable with Tags as CreateTable and TagResource,
// CreateTopic with Tags as CreateTopic and TagResource.

// Names the main configuration gives its resources with its defaults
// (project chatbot, environment dev) in us-east-1 of account 123456789012.
const (
	testAccount     = "123456789012"
	testGateway     = "arn:aws:lambda:us-east-1:" + testAccount + ":function:chatbot-dev"
	testEdge        = "arn:aws:lambda:us-east-1:" + testAccount + ":function:chatbot-dev-payload-hash"
	testRole        = "arn:aws:iam::" + testAccount + ":role/chatbot-dev-lambda"
	testEdgeRole    = "arn:aws:iam::" + testAccount + ":role/chatbot-dev-edge"
	testBoundary    = "arn:aws:iam::" + testAccount + ":policy/chatbot-function-boundary"
	testXRay        = "arn:aws:iam::aws:policy/AWSXRayDaemonWriteAccess"
	testDist        = "arn:aws:cloudfront::" + testAccount + ":distribution/EDFDVBD6EXAMPLE"
	testOAC         = "arn:aws:cloudfront::" + testAccount + ":origin-access-control/E2QWRUHAPOMQZL"
	testORP         = "arn:aws:cloudfront::" + testAccount + ":origin-request-policy/216adef6-5c7f-47e4-b989-5492eafa07d3"
	testTable       = "arn:aws:dynamodb:us-east-1:" + testAccount + ":table/chatbot-dev-quota"
	testStreamTable = "arn:aws:dynamodb:us-east-1:" + testAccount + ":table/chatbot-dev-streams"
	testStateTable  = "arn:aws:dynamodb:us-east-1:" + testAccount + ":table/chatbot-dev-state"
	testSecret      = "arn:aws:secretsmanager:us-east-1:" + testAccount + ":secret:chatbot-dev-api-keys-20260101000000000000000001-AbCdEf"
	testShared      = "arn:aws:secretsmanager:us-east-1:" + testAccount + ":secret:shared/chat-keys-AbCdEf"
	testPool        = "arn:aws:cognito-idp:us-east-1:" + testAccount + ":userpool/us-east-1_AbCdEf123"
	testLogGroup    = "arn:aws:logs:us-east-1:" + testAccount + ":log-group:/aws/lambda/chatbot-dev"
	testTopic       = "arn:aws:sns:us-east-1:" + testAccount + ":chatbot-dev-alarms"
	testKey         = "arn:aws:kms:us-east-1:" + testAccount + ":key/1234abcd-12ab-34cd-56ef-1234567890ab"
)

// Condition contexts: a resource that exists carries the default tags; a
// create request carries them as request tags; the function roles carry
// the boundary.
var (
	tagged   = map[string]string{"aws:ResourceTag/Project": "chatbot"}
	creating = map[string]string{"aws:RequestTag/Project": "chatbot"}
	bounded  = map[string]string{"iam:PermissionsBoundary": testBoundary}
)

// calls builds requests of several actions on one resource.
func calls(resource string, ctx map[string]string, actions ...string) []request {
	out := make([]request, 0, len(actions))
	for _, a := range actions {
		out = append(out, request{action: a, resource: resource, context: ctx})
	}
	return out
}

func join(lists ...[]request) []request {
	var out []request
	for _, l := range lists {
		out = append(out, l...)
	}
	return out
}

// providerCalls maps each resource and data source type of the main
// configuration to the calls the provider makes for it.
var providerCalls = map[string][]request{
	"aws_cloudfront_distribution": join(
		calls(testDist, creating, "cloudfront:CreateDistribution", "cloudfront:TagResource"),
		calls(testDist, tagged, "cloudfront:GetDistribution", "cloudfront:GetDistributionConfig", "cloudfront:UpdateDistribution",
			"cloudfront:DeleteDistribution", "cloudfront:ListTagsForResource", "cloudfront:TagResource", "cloudfront:UntagResource"),
		// Associating the Lambda@Edge function: CloudFront replicates it.
		calls(testEdge+":1", nil, "lambda:GetFunction", "lambda:EnableReplication"),
		[]request{
			{action: "iam:CreateServiceLinkedRole", resource: "arn:aws:iam::" + testAccount + ":role/aws-service-role/replicator.lambda.amazonaws.com/AWSServiceRoleForLambdaReplicator",
				context: map[string]string{"iam:AWSServiceName": "replicator.lambda.amazonaws.com"}},
			{action: "iam:CreateServiceLinkedRole", resource: "arn:aws:iam::" + testAccount + ":role/aws-service-role/logger.cloudfront.amazonaws.com/AWSServiceRoleForCloudFrontLogger",
				context: map[string]string{"iam:AWSServiceName": "logger.cloudfront.amazonaws.com"}},
		},
	),
	"aws_cloudfront_function": join(
		calls("*", nil, "cloudfront:CreateFunction"),
		calls("arn:aws:cloudfront::"+testAccount+":function/chatbot-dev-viewer-request", nil,
			"cloudfront:DescribeFunction", "cloudfront:GetFunction", "cloudfront:UpdateFunction", "cloudfront:PublishFunction", "cloudfront:DeleteFunction"),
	),
	"aws_cloudfront_origin_access_control": join(
		calls("*", nil, "cloudfront:CreateOriginAccessControl"),
		calls(testOAC, nil, "cloudfront:GetOriginAccessControl", "cloudfront:UpdateOriginAccessControl", "cloudfront:DeleteOriginAccessControl"),
	),
	"aws_cloudfront_origin_request_policy": join(
		calls("*", nil, "cloudfront:CreateOriginRequestPolicy"),
		calls(testORP, nil, "cloudfront:GetOriginRequestPolicy", "cloudfront:UpdateOriginRequestPolicy", "cloudfront:DeleteOriginRequestPolicy"),
	),
	"aws_cloudwatch_dashboard": calls("arn:aws:cloudwatch::"+testAccount+":dashboard/chatbot-dev", nil,
		"cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards"),
	"aws_cloudwatch_log_group": join(
		calls(testLogGroup, nil, "logs:CreateLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
			"logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource", "logs:DeleteLogGroup"),
		calls("*", nil, "logs:DescribeLogGroups"),
	),
	"aws_cloudwatch_metric_alarm": join(
		calls("arn:aws:cloudwatch:us-east-1:"+testAccount+":alarm:chatbot-dev-quota-store-errors", nil,
			"cloudwatch:PutMetricAlarm", "cloudwatch:TagResource", "cloudwatch:UntagResource", "cloudwatch:ListTagsForResource", "cloudwatch:DeleteAlarms"),
		calls("*", nil, "cloudwatch:DescribeAlarms"),
	),
	"aws_cognito_user_pool": join(
		calls("*", creating, "cognito-idp:CreateUserPool"),
		calls(testPool, tagged, "cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool", "cognito-idp:DeleteUserPool",
			"cognito-idp:GetUserPoolMfaConfig", "cognito-idp:SetUserPoolMfaConfig",
			"cognito-idp:TagResource", "cognito-idp:UntagResource", "cognito-idp:ListTagsForResource"),
	),
	"aws_cognito_user_pool_client": calls(testPool, tagged, "cognito-idp:CreateUserPoolClient", "cognito-idp:DescribeUserPoolClient",
		"cognito-idp:UpdateUserPoolClient", "cognito-idp:DeleteUserPoolClient"),
	"aws_dynamodb_table": calls(testTable, nil,
		"dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable", "dynamodb:DeleteTable",
		"dynamodb:UpdateTimeToLive", "dynamodb:DescribeTimeToLive",
		"dynamodb:UpdateContinuousBackups", "dynamodb:DescribeContinuousBackups",
		"dynamodb:TagResource", "dynamodb:UntagResource", "dynamodb:ListTagsOfResource"),
	// A table encrypted with a customer managed key (the stream table with
	// stream_table_kms_key_arn): DynamoDB describes the key and creates a
	// grant on it for the caller that creates the table.
	"aws_dynamodb_table#kms": calls(testKey, map[string]string{"kms:ViaService": "dynamodb.us-east-1.amazonaws.com"},
		"kms:DescribeKey", "kms:CreateGrant"),
	"aws_iam_role": join(
		calls(testRole, map[string]string{"iam:PermissionsBoundary": testBoundary, "aws:RequestTag/Project": "chatbot"}, "iam:CreateRole"),
		calls(testEdgeRole, bounded, "iam:CreateRole"),
		calls(testRole, nil, "iam:GetRole", "iam:UpdateRole", "iam:DeleteRole", "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags",
			"iam:ListRolePolicies", "iam:ListAttachedRolePolicies", "iam:ListInstanceProfilesForRole"),
		calls(testBoundary, nil, "iam:GetPolicy"),
	),
	"aws_iam_role_policy": join(
		calls(testRole, bounded, "iam:PutRolePolicy", "iam:DeleteRolePolicy"),
		calls(testRole, nil, "iam:GetRolePolicy"),
	),
	"aws_iam_role_policy_attachment": join(
		calls(testRole, map[string]string{"iam:PermissionsBoundary": testBoundary, "iam:PolicyARN": testXRay}, "iam:AttachRolePolicy", "iam:DetachRolePolicy"),
		calls(testRole, nil, "iam:ListAttachedRolePolicies"),
	),
	"aws_lambda_function": join(
		calls(testGateway, nil, "lambda:CreateFunction", "lambda:GetFunction", "lambda:GetFunctionConfiguration",
			"lambda:UpdateFunctionCode", "lambda:UpdateFunctionConfiguration", "lambda:PutFunctionConcurrency",
			"lambda:DeleteFunctionConcurrency", "lambda:GetFunctionCodeSigningConfig", "lambda:ListVersionsByFunction",
			"lambda:TagResource", "lambda:UntagResource", "lambda:ListTags", "lambda:DeleteFunction"),
		calls(testEdge, nil, "lambda:CreateFunction", "lambda:PublishVersion", "lambda:GetFunction"),
		calls(testRole, map[string]string{"iam:PassedToService": "lambda.amazonaws.com"}, "iam:PassRole"),
		calls(testEdgeRole, map[string]string{"iam:PassedToService": "lambda.amazonaws.com"}, "iam:PassRole"),
	),
	"aws_lambda_function_url": calls(testGateway, nil, "lambda:CreateFunctionUrlConfig", "lambda:GetFunctionUrlConfig",
		"lambda:UpdateFunctionUrlConfig", "lambda:DeleteFunctionUrlConfig"),
	"aws_lambda_permission": calls(testGateway, nil, "lambda:AddPermission", "lambda:GetPolicy", "lambda:RemovePermission"),
	// Put creates and updates it (the provider's function_event_invoke_config.go).
	"aws_lambda_function_event_invoke_config": calls(testGateway, nil, "lambda:PutFunctionEventInvokeConfig",
		"lambda:GetFunctionEventInvokeConfig", "lambda:DeleteFunctionEventInvokeConfig"),
	"aws_secretsmanager_secret": calls(testSecret, nil, "secretsmanager:CreateSecret", "secretsmanager:DescribeSecret",
		"secretsmanager:GetResourcePolicy", "secretsmanager:UpdateSecret", "secretsmanager:TagResource",
		"secretsmanager:UntagResource", "secretsmanager:DeleteSecret"),
	"aws_secretsmanager_secret_version": join(
		calls(testSecret, nil, "secretsmanager:PutSecretValue", "secretsmanager:GetSecretValue",
			"secretsmanager:ListSecretVersionIds", "secretsmanager:UpdateSecretVersionStage", "secretsmanager:DescribeSecret"),
		calls(testKey, map[string]string{"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}, "kms:Decrypt", "kms:GenerateDataKey"),
	),
	"aws_sns_topic": calls(testTopic, nil, "sns:CreateTopic", "sns:TagResource", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
		"sns:ListTagsForResource", "sns:UntagResource", "sns:DeleteTopic"),
	"aws_sns_topic_subscription": join(
		calls(testTopic, nil, "sns:Subscribe"),
		calls(testTopic+":0a1b2c3d-4e5f-6789-abcd-ef0123456789", nil, "sns:GetSubscriptionAttributes", "sns:Unsubscribe"),
	),
	// Data sources.
	"data.aws_caller_identity":     calls("*", nil, "sts:GetCallerIdentity"),
	"data.aws_partition":           nil, // answered by the provider itself
	"data.aws_iam_policy_document": nil,
	// A key secret given by ARN or name (api_keys_secret_arn): resolved,
	// then read for the origin secret CloudFront sends.
	"data.aws_secretsmanager_secret": calls(testShared, nil, "secretsmanager:DescribeSecret"),
	"data.aws_secretsmanager_secret_version": join(
		calls(testShared, nil, "secretsmanager:GetSecretValue"),
		calls(testKey, map[string]string{"kms:ViaService": "secretsmanager.us-east-1.amazonaws.com"}, "kms:Decrypt"),
	),
}

// localProviders are providers whose resources make no AWS call.
var localProviders = map[string]bool{"random": true}

// deployPolicy evaluates the deploy role's policy with the variables of a
// stack that uses every feature, after the first deploy's ids were given.
func deployPolicy(tb testing.TB, vars map[string]cty.Value) []policyStatement {
	tb.Helper()
	all := map[string]cty.Value{
		"github_repository":         cty.StringVal("example/chatbot"),
		"api_keys_secret_arns":      cty.ListVal([]cty.Value{cty.StringVal(testShared)}),
		"kms_key_arns":              cty.ListVal([]cty.Value{cty.StringVal(testKey)}),
		"origin_access_control_ids": cty.ListVal([]cty.Value{cty.StringVal("E2QWRUHAPOMQZL")}),
		"origin_request_policy_ids": cty.ListVal([]cty.Value{cty.StringVal("216adef6-5c7f-47e4-b989-5492eafa07d3")}),
	}
	for k, v := range vars {
		all[k] = v
	}
	s := newEvalScope(tb, loadModule(tb, "github-oidc"), all, oidcStandIns())
	return s.document(tb, "deploy")
}

func oidcStandIns() map[string]cty.Value {
	return map[string]cty.Value{
		"data.aws_caller_identity.current": cty.ObjectVal(map[string]cty.Value{"account_id": cty.StringVal(testAccount)}),
		"data.aws_partition.current":       cty.ObjectVal(map[string]cty.Value{"partition": cty.StringVal("aws")}),
		"aws_iam_policy.boundary":          cty.ObjectVal(map[string]cty.Value{"arn": cty.StringVal(testBoundary)}),
		"aws_iam_openid_connect_provider.github": cty.TupleVal([]cty.Value{cty.ObjectVal(map[string]cty.Value{
			"arn": cty.StringVal("arn:aws:iam::" + testAccount + ":oidc-provider/token.actions.githubusercontent.com")})}),
	}
}

// deployGaps lists the calls the provider makes for m's resources that
// policy does not allow, and the types providerCalls does not know.
func deployGaps(tb testing.TB, m *module, policy []policyStatement) (gaps []string, seen map[string]bool) {
	tb.Helper()
	seen = map[string]bool{}
	for _, b := range m.blocks {
		if b.Type != "resource" && b.Type != "data" {
			continue
		}
		typ := b.Labels[0]
		provider, _, _ := strings.Cut(typ, "_")
		if localProviders[provider] {
			continue
		}
		key := typ
		if b.Type == "data" {
			key = "data." + typ
		}
		reqs, ok := providerCalls[key]
		if !ok {
			gaps = append(gaps, fmt.Sprintf("%s %q: not in providerCalls; list the calls the provider makes for it (deploy_permissions_test.go)", b.Type, typ))
			continue
		}
		// A table with a server_side_encryption block may use a customer
		// managed key: its calls are listed under "<type>#kms".
		if kms := key + "#kms"; len(nested(b, "server_side_encryption")) > 0 && !seen[kms] {
			seen[kms] = true
			gaps = append(gaps, deniedCalls(policy, kms, providerCalls[kms])...)
		}
		if seen[key] {
			continue
		}
		seen[key] = true
		gaps = append(gaps, deniedCalls(policy, key, reqs)...)
	}
	return gaps, seen
}

// deniedCalls describes the calls of reqs that policy does not allow.
func deniedCalls(policy []policyStatement, key string, reqs []request) (gaps []string) {
	for _, r := range reqs {
		if why := decide(policy, r); why != "" {
			gaps = append(gaps, fmt.Sprintf("%s: the deploy role cannot %s on %s: %s", key, r.action, r.resource, why))
		}
	}
	return gaps
}

// TestDeployRoleCoversProviderCalls checks the deploy role may make every
// call the provider makes for the resources the main configuration
// declares, and that the table knows every type declared.
func TestDeployRoleCoversProviderCalls(t *testing.T) {
	t.Parallel()
	gaps, seen := deployGaps(t, loadModule(t, "."), deployPolicy(t, nil))
	for _, g := range gaps {
		t.Error(g)
	}
	for key := range providerCalls {
		if !seen[key] {
			t.Errorf("providerCalls lists %s, which the main configuration does not use", key)
		}
	}
}

// TestDeployRoleCoverageCatchesGaps shows the check fails for a policy
// without the table grants and for a resource type the table lacks.
func TestDeployRoleCoverageCatchesGaps(t *testing.T) {
	t.Parallel()
	var noTables []policyStatement
	for _, st := range deployPolicy(t, nil) {
		if st.sid != "ProjectTables" {
			noTables = append(noTables, st)
		}
	}
	gaps, _ := deployGaps(t, loadModule(t, "."), noTables)
	if want := len(providerCalls["aws_dynamodb_table"]); len(gaps) != want {
		t.Errorf("without ProjectTables: %d gaps, want %d (one per table call): %q", len(gaps), want, gaps)
	}
	unknown := parseModule(t, "new.tf", []byte(`resource "aws_bedrock_inference_profile" "x" {}`))
	if gaps, _ := deployGaps(t, unknown, deployPolicy(t, nil)); len(gaps) != 1 || !strings.Contains(gaps[0], "not in providerCalls") {
		t.Errorf("an unknown resource type: gaps = %q", gaps)
	}
}

// TestDeployRoleRefusesOtherResources checks the grants stop at the
// project's own resources and that a function role's trust cannot be
// rewritten.
func TestDeployRoleRefusesOtherResources(t *testing.T) {
	t.Parallel()
	policy := deployPolicy(t, nil)
	bootstrap := deployPolicy(t, map[string]cty.Value{
		"origin_access_control_ids": cty.ListValEmpty(cty.String),
		"origin_request_policy_ids": cty.ListValEmpty(cty.String),
	})
	for _, tc := range []struct {
		name   string
		policy []policyStatement
		req    request
	}{
		{name: "trust of a function role", policy: policy, req: request{action: "iam:UpdateAssumeRolePolicy", resource: testRole, context: bounded}},
		{name: "another project's table", policy: policy, req: request{action: "dynamodb:DeleteTable", resource: "arn:aws:dynamodb:us-east-1:" + testAccount + ":table/billing"}},
		{name: "another origin access control", policy: policy, req: request{action: "cloudfront:UpdateOriginAccessControl", resource: "arn:aws:cloudfront::" + testAccount + ":origin-access-control/E3OTHER1234567"}},
		{name: "another origin request policy", policy: policy, req: request{action: "cloudfront:DeleteOriginRequestPolicy", resource: "arn:aws:cloudfront::" + testAccount + ":origin-request-policy/00000000-0000-4000-8000-000000000000"}},
		{name: "an origin access control before its id is given", policy: bootstrap, req: request{action: "cloudfront:DeleteOriginAccessControl", resource: testOAC}},
		{name: "an unrelated secret with the project's prefix", policy: policy, req: request{action: "secretsmanager:GetSecretValue", resource: "arn:aws:secretsmanager:us-east-1:" + testAccount + ":secret:chatbot-payroll-AbCdEf"}},
		{name: "another environment's secret", policy: policy, req: request{action: "secretsmanager:GetSecretValue", resource: "arn:aws:secretsmanager:us-east-1:" + testAccount + ":secret:chatbot-prod-api-keys-1-AbCdEf"}},
		{name: "tagging another distribution at create", policy: policy, req: request{action: "cloudfront:TagResource", resource: testDist, context: map[string]string{"aws:RequestTag/Project": "other"}}},
	} {
		if decide(tc.policy, tc.req) == "" {
			t.Errorf("%s: the deploy role may %s on %s", tc.name, tc.req.action, tc.req.resource)
		}
	}
}
