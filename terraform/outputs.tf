output "cloudfront_url" {
  description = "Base URL of the API (CloudFront)."
  value       = "https://${length(var.domain_aliases) > 0 ? var.domain_aliases[0] : aws_cloudfront_distribution.gateway.domain_name}"
}

output "api_base_url" {
  description = "OpenAI-compatible base URL (api_base for clients)."
  value       = "https://${length(var.domain_aliases) > 0 ? var.domain_aliases[0] : aws_cloudfront_distribution.gateway.domain_name}/v1"
}

output "distribution_id" {
  description = "CloudFront distribution id."
  value       = aws_cloudfront_distribution.gateway.id
}

output "function_url" {
  description = "Lambda function URL. Direct calls are refused (AWS_IAM); it is shown for the smoke test's 403 check."
  value       = aws_lambda_function_url.gateway.function_url
}

output "function_name" {
  description = "Lambda function name."
  value       = aws_lambda_function.gateway.function_name
}

output "log_group_name" {
  description = "CloudWatch log group of the function."
  value       = aws_cloudwatch_log_group.lambda.name
}

output "region" {
  description = "AWS region of the function and the user pool."
  value       = var.region
}

output "cognito_user_pool_id" {
  description = "Cognito user pool id whose tokens the gateway accepts."
  value       = local.cognito_user_pool_id
}

output "cognito_client_id" {
  description = "App client id for the web page and scripts/token.sh."
  value       = length(local.cognito_client_ids) > 0 ? local.cognito_client_ids[0] : ""
}

output "alarm_topic_arn" {
  description = "SNS topic that receives alarms (empty when alarm_email is not set)."
  value       = var.alarm_email == "" ? "" : aws_sns_topic.alarms[0].arn
}

output "dashboard_name" {
  description = "CloudWatch dashboard name."
  value       = aws_cloudwatch_dashboard.gateway.dashboard_name
}

output "api_keys_secret_arn" {
  description = "Secrets Manager secret with the API key hashes, the token signing key and the origin secret; `make apikey` adds keys to it. Empty when enable_api_keys is false."
  value       = var.enable_api_keys ? local.api_keys_secret_arn : ""
}

output "origin_verify_secret" {
  description = "The origin secret CloudFront sends; for adding origin_verify_secret to a key secret written before it held one (docs/deploy.md)."
  value       = local.origin_verify_secret
  sensitive   = true
}

output "edge_payload_hash" {
  description = "Whether the Lambda@Edge payload-hash function is attached (unmodified OpenAI clients work)."
  value       = var.edge_payload_hash
}

output "edge_function_name" {
  description = "Name of the Lambda@Edge function in us-east-1 (empty when off); `make destroy-edge` deletes it once CloudFront has removed its replicas."
  value       = var.edge_payload_hash ? local.edge_function_name : ""
}

output "reserved_concurrency" {
  description = "Most streams the function serves at once (-1: no cap); beyond it callers get HTTP 429."
  value       = var.reserved_concurrency
}

output "origin_access_control_id" {
  description = "Id of the origin access control; the GitHub deploy role may update or delete only the ids in its origin_access_control_ids."
  value       = aws_cloudfront_origin_access_control.lambda.id
}

output "origin_request_policy_id" {
  description = "Id of the origin request policy; the GitHub deploy role may update or delete only the ids in its origin_request_policy_ids."
  value       = aws_cloudfront_origin_request_policy.gateway.id
}
