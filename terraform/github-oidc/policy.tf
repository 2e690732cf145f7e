# What the deploy role may do: manage the main configuration's resources and
# run the smoke test, scoped to the project's resources by ARN (names) or by
# the Project tag wherever the service authorization reference allows it.
# Where a service does not, the statement says so; TestDeployPolicyWrites
# (oidc_test.go) keeps the list of writes on "*" explicit.

data "aws_iam_policy_document" "deploy" {
  # --- IAM: only the project's roles, by exact name, only with the boundary.
  # No iam:UpdateAssumeRolePolicy: the trust of a function role is written
  # once, at CreateRole. CreateRole itself cannot be conditioned on the
  # trust it writes (IAM has no condition key for it), so the boundary
  # grants the rights worth stealing only to requests made by the project's
  # function (lambda:SourceFunctionArn, boundary.tf): a role trusting
  # anyone else gets nothing of value from its sessions.
  statement {
    sid    = "ProjectRoles"
    effect = "Allow"
    actions = [
      "iam:GetRole", "iam:DeleteRole", "iam:UpdateRole",
      "iam:TagRole", "iam:UntagRole", "iam:ListRoleTags", "iam:ListRolePolicies", "iam:ListAttachedRolePolicies",
      "iam:GetRolePolicy", "iam:ListInstanceProfilesForRole",
    ]
    resources = local.project_role_arns
  }

  # A role can be created, and its permissions changed, only when it carries
  # the boundary (boundary.tf): whatever the deploy role writes into it, the
  # role can do no more than the boundary allows.
  statement {
    sid       = "ProjectRolePermissionsWithBoundary"
    effect    = "Allow"
    actions   = ["iam:CreateRole", "iam:PutRolePolicy", "iam:DeleteRolePolicy", "iam:PutRolePermissionsBoundary"]
    resources = local.project_role_arns

    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.boundary_arn]
    }
  }

  # The only managed policy the main configuration attaches.
  statement {
    sid       = "AttachXRayPolicyOnly"
    effect    = "Allow"
    actions   = ["iam:AttachRolePolicy", "iam:DetachRolePolicy"]
    resources = local.project_role_arns

    condition {
      test     = "ArnEquals"
      variable = "iam:PolicyARN"
      values   = [local.xray_policy]
    }

    condition {
      test     = "StringEquals"
      variable = "iam:PermissionsBoundary"
      values   = [local.boundary_arn]
    }
  }

  statement {
    sid       = "PassProjectRolesToLambda"
    effect    = "Allow"
    actions   = ["iam:PassRole"]
    resources = local.project_role_arns

    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["lambda.amazonaws.com"]
    }
  }

  statement {
    sid       = "ReadBoundaryAndXRayPolicies"
    effect    = "Allow"
    actions   = ["iam:GetPolicy", "iam:GetPolicyVersion"]
    resources = [local.boundary_arn, local.xray_policy]
  }

  # Associating a Lambda@Edge function makes CloudFront create these
  # service-linked roles once per account.
  statement {
    sid     = "EdgeServiceLinkedRoles"
    effect  = "Allow"
    actions = ["iam:CreateServiceLinkedRole"]
    resources = [
      "${local.arn_prefix}:iam::${local.account}:role/aws-service-role/replicator.lambda.amazonaws.com/AWSServiceRoleForLambdaReplicator",
      "${local.arn_prefix}:iam::${local.account}:role/aws-service-role/logger.cloudfront.amazonaws.com/AWSServiceRoleForCloudFrontLogger",
    ]

    condition {
      test     = "StringEquals"
      variable = "iam:AWSServiceName"
      values   = ["replicator.lambda.amazonaws.com", "logger.cloudfront.amazonaws.com"]
    }
  }

  # Belt and braces: whatever else is attached to this role, it never
  # loosens the boundary.
  statement {
    sid       = "NeverLoosenTheBoundary"
    effect    = "Deny"
    actions   = ["iam:DeleteRolePermissionsBoundary", "iam:CreatePolicyVersion", "iam:DeletePolicy", "iam:DeletePolicyVersion", "iam:SetDefaultPolicyVersion"]
    resources = concat(local.project_role_arns, [local.boundary_arn])
  }

  # --- Lambda: the project's functions by name (including the Lambda@Edge
  # replication actions CloudFront needs on the edge function's versions).
  statement {
    sid       = "ProjectFunctions"
    effect    = "Allow"
    actions   = ["lambda:*"]
    resources = local.project_function_arns
  }

  # --- Secrets Manager: the key secrets, by the exact name prefix the main
  # configuration gives them (name_prefix "<project>-<env>-api-keys-").
  statement {
    sid    = "ProjectSecrets"
    effect = "Allow"
    actions = [
      "secretsmanager:CreateSecret", "secretsmanager:DeleteSecret", "secretsmanager:DescribeSecret",
      "secretsmanager:GetSecretValue", "secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret",
      "secretsmanager:UpdateSecretVersionStage", "secretsmanager:ListSecretVersionIds", "secretsmanager:GetResourcePolicy",
      "secretsmanager:TagResource", "secretsmanager:UntagResource",
    ]
    resources = concat(local.project_secret_arns, var.api_keys_secret_arns)
  }

  # Creating a table encrypted with a customer managed key: DynamoDB
  # describes the key and creates a grant on it for the caller.
  dynamic "statement" {
    for_each = length(var.kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "ProjectTableKeys"
      effect    = "Allow"
      actions   = ["kms:DescribeKey", "kms:CreateGrant"]
      resources = var.kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["dynamodb.${var.region}.amazonaws.com"]
      }
    }
  }

  dynamic "statement" {
    for_each = length(var.kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "ProjectSecretKeys"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
      resources = var.kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${var.region}.amazonaws.com"]
      }
    }
  }

  # --- CloudFront. Distribution ids are random, so distributions are
  # scoped by the Project tag (aws:ResourceTag on every distribution
  # action, aws:RequestTag on CreateDistribution, which has no resource).
  statement {
    sid    = "ProjectDistributions"
    effect = "Allow"
    actions = [
      "cloudfront:GetDistribution", "cloudfront:GetDistributionConfig", "cloudfront:UpdateDistribution",
      "cloudfront:DeleteDistribution", "cloudfront:TagResource", "cloudfront:UntagResource", "cloudfront:ListTagsForResource",
    ]
    resources = ["${local.arn_prefix}:cloudfront::${local.account}:distribution/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.project]
    }
  }

  statement {
    sid       = "CreateProjectDistributions"
    effect    = "Allow"
    actions   = ["cloudfront:CreateDistribution"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Project"
      values   = [var.project]
    }
  }

  # The provider creates a distribution with CreateDistributionWithTags,
  # which IAM authorises as CreateDistribution and TagResource. The new
  # distribution has no tags yet, so the aws:ResourceTag condition above
  # cannot match: the tags in the request must carry the Project tag.
  statement {
    sid       = "TagProjectDistributionsAtCreate"
    effect    = "Allow"
    actions   = ["cloudfront:TagResource"]
    resources = ["${local.arn_prefix}:cloudfront::${local.account}:distribution/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Project"
      values   = [var.project]
    }
  }

  # CloudFront Functions are named, so they are scoped by name.
  statement {
    sid    = "ProjectCloudFrontFunctions"
    effect = "Allow"
    actions = [
      "cloudfront:DescribeFunction", "cloudfront:GetFunction", "cloudfront:UpdateFunction",
      "cloudfront:PublishFunction", "cloudfront:DeleteFunction",
    ]
    resources = ["${local.arn_prefix}:cloudfront::${local.account}:function/${var.project}-*"]
  }

  # Origin access controls and origin request policies have random ids and
  # no tag condition keys: reading them is allowed by type (Terraform
  # refreshes them), changing or deleting them only by the ids the main
  # configuration's outputs give (origin_access_control_id,
  # origin_request_policy_id), once they are set here.
  statement {
    sid    = "ReadOriginAccessControlsAndRequestPolicies"
    effect = "Allow"
    actions = [
      "cloudfront:GetOriginAccessControl", "cloudfront:GetOriginAccessControlConfig",
      "cloudfront:GetOriginRequestPolicy", "cloudfront:GetOriginRequestPolicyConfig",
    ]
    resources = [
      "${local.arn_prefix}:cloudfront::${local.account}:origin-access-control/*",
      "${local.arn_prefix}:cloudfront::${local.account}:origin-request-policy/*",
    ]
  }

  dynamic "statement" {
    for_each = length(var.origin_access_control_ids) > 0 ? [1] : []

    content {
      sid       = "ProjectOriginAccessControls"
      effect    = "Allow"
      actions   = ["cloudfront:UpdateOriginAccessControl", "cloudfront:DeleteOriginAccessControl"]
      resources = [for id in var.origin_access_control_ids : "${local.arn_prefix}:cloudfront::${local.account}:origin-access-control/${id}"]
    }
  }

  dynamic "statement" {
    for_each = length(var.origin_request_policy_ids) > 0 ? [1] : []

    content {
      sid       = "ProjectOriginRequestPolicies"
      effect    = "Allow"
      actions   = ["cloudfront:UpdateOriginRequestPolicy", "cloudfront:DeleteOriginRequestPolicy"]
      resources = [for id in var.origin_request_policy_ids : "${local.arn_prefix}:cloudfront::${local.account}:origin-request-policy/${id}"]
    }
  }

  # These create calls have no resource type and no condition keys (the
  # function resource cannot carry tags in the provider), so they take "*".
  statement {
    sid       = "CreateCloudFrontPieces"
    effect    = "Allow"
    actions   = ["cloudfront:CreateFunction", "cloudfront:CreateOriginAccessControl", "cloudfront:CreateOriginRequestPolicy"]
    resources = ["*"]
  }

  # --- Cognito: user pools by the Project tag, like distributions.
  statement {
    sid    = "ProjectUserPools"
    effect = "Allow"
    actions = [
      "cognito-idp:DescribeUserPool", "cognito-idp:UpdateUserPool", "cognito-idp:DeleteUserPool",
      "cognito-idp:GetUserPoolMfaConfig", "cognito-idp:SetUserPoolMfaConfig",
      "cognito-idp:CreateUserPoolClient", "cognito-idp:DescribeUserPoolClient",
      "cognito-idp:UpdateUserPoolClient", "cognito-idp:DeleteUserPoolClient",
      "cognito-idp:ListTagsForResource", "cognito-idp:TagResource", "cognito-idp:UntagResource",
      # The smoke test's short-lived user.
      "cognito-idp:AdminCreateUser", "cognito-idp:AdminSetUserPassword", "cognito-idp:AdminDeleteUser",
    ]
    resources = ["${local.arn_prefix}:cognito-idp:${var.region}:${local.account}:userpool/*"]

    condition {
      test     = "StringEquals"
      variable = "aws:ResourceTag/Project"
      values   = [var.project]
    }
  }

  statement {
    sid       = "CreateProjectUserPools"
    effect    = "Allow"
    actions   = ["cognito-idp:CreateUserPool"]
    resources = ["*"]

    condition {
      test     = "StringEquals"
      variable = "aws:RequestTag/Project"
      values   = [var.project]
    }
  }

  # --- DynamoDB: the rate limit table, by name. What the provider calls for
  # aws_dynamodb_table: the table itself, its TTL, point-in-time recovery
  # (continuous backups) and its tags.
  statement {
    sid    = "ProjectTables"
    effect = "Allow"
    actions = [
      "dynamodb:CreateTable", "dynamodb:DescribeTable", "dynamodb:UpdateTable", "dynamodb:DeleteTable",
      "dynamodb:UpdateTimeToLive", "dynamodb:DescribeTimeToLive",
      "dynamodb:UpdateContinuousBackups", "dynamodb:DescribeContinuousBackups",
      "dynamodb:TagResource", "dynamodb:UntagResource", "dynamodb:ListTagsOfResource",
    ]
    resources = local.project_table_arns
  }

  # --- Logs, alarms, dashboards, topics: by name.
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

  # Reads with no resource-level permissions (Describe/List of a whole
  # account, or of ids Terraform does not know before it asks).
  statement {
    sid    = "AccountWideReads"
    effect = "Allow"
    actions = [
      "logs:DescribeLogGroups",
      "cloudwatch:DescribeAlarms",
      "sns:GetSubscriptionAttributes",
      "lambda:GetAccountSettings",
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
