# An IAM role that GitHub Actions assumes through OIDC to run `make deploy`
# and `make smoke`. Only workflows of one repository, on one branch, can
# assume it, and it can only manage resources named after the project.

locals {
  oidc_url  = "https://token.actions.githubusercontent.com"
  oidc_host = "token.actions.githubusercontent.com"

  provider_arn = var.create_oidc_provider ? aws_iam_openid_connect_provider.github[0].arn : "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:oidc-provider/${local.oidc_host}"

  # The subject GitHub puts in tokens of jobs that run on a branch and use no
  # deployment environment.
  subject = "repo:${var.github_repository}:ref:refs/heads/${var.branch}"

  arn_prefix = "arn:${data.aws_partition.current.partition}"
  account    = data.aws_caller_identity.current.account_id

  # Execution roles of the main configuration are named <project>-<env>-lambda.
  # The deploy role's own name must never match, or it could rewrite itself.
  function_role_arns = "${local.arn_prefix}:iam::${local.account}:role/${var.project}-*-lambda"
}

data "aws_caller_identity" "current" {}

data "aws_partition" "current" {}

resource "aws_iam_openid_connect_provider" "github" {
  count = var.create_oidc_provider ? 1 : 0

  url            = local.oidc_url
  client_id_list = ["sts.amazonaws.com"]
}

data "aws_iam_policy_document" "trust" {
  statement {
    sid     = "GitHubActionsOneRepoOneBranch"
    effect  = "Allow"
    actions = ["sts:AssumeRoleWithWebIdentity"]

    principals {
      type        = "Federated"
      identifiers = [local.provider_arn]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:aud"
      values   = ["sts.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "${local.oidc_host}:sub"
      values   = [local.subject]
    }
  }
}

resource "aws_iam_role" "deploy" {
  name                 = var.role_name
  description          = "Deploys ${var.project} from ${var.github_repository}@${var.branch}."
  assume_role_policy   = data.aws_iam_policy_document.trust.json
  max_session_duration = 3600
}

data "aws_iam_policy_document" "deploy" {
  statement {
    sid    = "ProjectRoles"
    effect = "Allow"
    actions = [
      "iam:CreateRole", "iam:DeleteRole", "iam:GetRole", "iam:UpdateRole", "iam:UpdateAssumeRolePolicy",
      "iam:TagRole", "iam:UntagRole", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
      "iam:PutRolePolicy", "iam:GetRolePolicy", "iam:DeleteRolePolicy", "iam:ListInstanceProfilesForRole",
    ]
    resources = [local.function_role_arns]
  }

  # The only managed policy the main configuration attaches.
  statement {
    sid       = "AttachXRayPolicyOnly"
    effect    = "Allow"
    actions   = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
    resources = [local.function_role_arns]

    condition {
      test     = "ArnEquals"
      variable = "iam:PolicyARN"
      values   = ["${local.arn_prefix}:iam::aws:policy/AWSXRayDaemonWriteAccess"]
    }
  }

  statement {
    sid       = "PassProjectRoleToLambda"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = [local.function_role_arns]

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com"]
    }
  }

  statement {
    sid       = "ProjectFunctions"
    effect    = "Allow"
    actions   = ["lambda:*"]
    resources = ["${local.arn_prefix}:lambda:${var.region}:${local.account}:function:${var.project}-*"]
  }

  statement {
    sid    = "ProjectLogs"
    effect = "Allow"
    actions = [
      "logs:CreateLogGroup", "logs:DeleteLogGroup", "logs:PutRetentionPolicy", "logs:DeleteRetentionPolicy",
      "logs:TagResource", "logs:UntagResource", "logs:ListTagsForResource", "logs:TagLogGroup",
    ]
    resources = [
      "${local.arn_prefix}:logs:${var.region}:${local.account}:log-group:/aws/lambda/${var.project}-*",
      "${local.arn_prefix}:logs:${var.region}:${local.account}:log-group:/aws/lambda/${var.project}-*:*",
    ]
  }

  statement {
    sid    = "ProjectAlarmsAndDashboards"
    effect = "Allow"
    actions = [
      "cloudwatch:PutMetricAlarm", "cloudwatch:DeleteAlarms", "cloudwatch:TagResource", "cloudwatch:UntagResource",
      "cloudwatch:ListTagsForResource", "cloudwatch:PutDashboard", "cloudwatch:GetDashboard", "cloudwatch:DeleteDashboards",
    ]
    resources = [
      "${local.arn_prefix}:cloudwatch:${var.region}:${local.account}:alarm:${var.project}-*",
      "${local.arn_prefix}:cloudwatch::${local.account}:dashboard/${var.project}-*",
    ]
  }

  statement {
    sid    = "ProjectTopics"
    effect = "Allow"
    actions = [
      "sns:CreateTopic", "sns:DeleteTopic", "sns:GetTopicAttributes", "sns:SetTopicAttributes",
      "sns:Subscribe", "sns:Unsubscribe", "sns:GetSubscriptionAttributes", "sns:ListSubscriptionsByTopic",
      "sns:TagResource", "sns:UntagResource", "sns:ListTagsForResource",
    ]
    resources = ["${local.arn_prefix}:sns:${var.region}:${local.account}:${var.project}-*"]
  }

  # These services have no resource-level permissions for the calls Terraform
  # makes (Describe*/List*, or ids unknown before creation).
  statement {
    sid    = "ServicesWithoutResourceScoping"
    effect = "Allow"
    actions = [
      "cloudfront:*",
      "cognito-idp:*",
      "logs:DescribeLogGroups",
      "cloudwatch:DescribeAlarms",
      "cloudwatch:ListDashboards",
      "sns:GetSubscriptionAttributes",
      "lambda:GetAccountSettings",
      "iam:GetPolicy", "iam:GetPolicyVersion",
      "sts:GetCallerIdentity",
    ]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = var.state_bucket == "" ? [] : [1]

    content {
      sid       = "TerraformState"
      effect    = "Allow"
      actions   = ["s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      resources = ["${local.arn_prefix}:s3:::${var.state_bucket}", "${local.arn_prefix}:s3:::${var.state_bucket}/*"]
    }
  }
}

resource "aws_iam_role_policy" "deploy" {
  name   = "deploy-${var.project}"
  role   = aws_iam_role.deploy.id
  policy = data.aws_iam_policy_document.deploy.json
}
