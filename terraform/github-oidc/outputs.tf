output "role_arn" {
  description = "ARN of the deploy role; store it as the repository variable AWS_DEPLOY_ROLE_ARN."
  value       = aws_iam_role.deploy.arn
}

output "subject" {
  description = "The only OIDC subject the role trusts."
  value       = local.subject
}
