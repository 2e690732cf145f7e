// Package terraform holds the Terraform configuration that deploys the chat
// gateway to AWS: a Lambda function URL (AWS_IAM, RESPONSE_STREAM) behind
// CloudFront with Origin Access Control, an optional Cognito user pool, the
// Secrets Manager secret with API key hashes and the token signing key, an
// optional Lambda@Edge function that adds the payload hash for unmodified
// clients, and the alarms and dashboard that watch it. github-oidc/ holds
// the least-privilege role GitHub Actions deploys with.
//
// The package has no Go API. Its tests check the configuration offline, with
// no provider plugins and no AWS account: they parse every .tf file with
// github.com/hashicorp/hcl/v2, check that it is formatted the way
// `terraform fmt` formats it, assert the security-critical settings (who may
// invoke the function, how CloudFront signs, what the execution role may
// do), and evaluate variable validations and the Bedrock ARN expressions with
// sample inputs, preconditions included. They also check that
// tests/*.tftest.hcl (terraform test with mocked providers, run where the
// registry is reachable) parse and stay complete. They do not replace
// `terraform validate` or a real deployment;
// docs/deploy.md#what-a-real-deployment-must-still-confirm lists what only a
// deployment can confirm.
package terraform
