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
