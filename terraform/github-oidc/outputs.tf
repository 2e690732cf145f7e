output "role_arn" {
  description = "ARN of the deploy role; store it as the repository variable AWS_DEPLOY_ROLE_ARN."
  value       = aws_iam_role.deploy.arn
}

output "subject" {
  description = "The only OIDC subject the role trusts."
  value       = local.subject
}

output "permissions_boundary_arn" {
  description = "Boundary the deploy role requires on every role it creates; set it as permissions_boundary_arn of the main configuration (the deploy workflow reads the repository variable AWS_PERMISSIONS_BOUNDARY_ARN)."
  value       = aws_iam_policy.boundary.arn
}
