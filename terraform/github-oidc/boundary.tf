# The permissions boundary every role the deploy role creates must carry
# (policy.tf grants iam:CreateRole and friends only with
# iam:PermissionsBoundary equal to this policy). A role's effective rights
# are the intersection of its own policies and this boundary, so even a role
# the deploy role wrote itself can do no more than the two functions need:
# write their logs, call Bedrock, read the API key secret, send X-Ray traces.
# The deploy role cannot change or detach this policy.

data "aws_iam_policy_document" "boundary" {
  statement {
    sid     = "WriteFunctionLogs"
    effect  = "Allow"
    actions = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [
      # The gateway's group (created by Terraform) ...
      "${local.arn_prefix}:logs:${var.region}:${local.account}:log-group:/aws/lambda/${var.project}-*",
      "${local.arn_prefix}:logs:${var.region}:${local.account}:log-group:/aws/lambda/${var.project}-*:*",
      # ... and the groups edge replicas create in the regions they run in.
      "${local.arn_prefix}:logs:*:${local.account}:log-group:/aws/lambda/us-east-1.${var.project}-*",
      "${local.arn_prefix}:logs:*:${local.account}:log-group:/aws/lambda/us-east-1.${var.project}-*:*",
    ]
  }

  statement {
    sid     = "InvokeBedrockModels"
    effect  = "Allow"
    actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"]
    resources = [
      "${local.arn_prefix}:bedrock:*::foundation-model/*",
      "${local.arn_prefix}:bedrock:*:${local.account}:inference-profile/*",
    ]
  }

  statement {
    sid       = "ReadApiKeySecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = concat(["${local.arn_prefix}:secretsmanager:${var.region}:${local.account}:secret:${var.project}-*"], var.api_keys_secret_arns)
  }

  dynamic "statement" {
    for_each = length(var.kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "DecryptApiKeySecrets"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = var.kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${var.region}.amazonaws.com"]
      }
    }
  }

  # X-Ray has no resource-level permissions: its actions take "*" only.
  statement {
    sid    = "SendTraces"
    effect = "Allow"
    actions = [
      "xray:PutTraceSegments", "xray:PutTelemetryRecords",
      "xray:GetSamplingRules", "xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries",
    ]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "boundary" {
  name        = "${var.project}-function-boundary"
  description = "Permissions boundary of the ${var.project} function roles created by the GitHub deploy role."
  policy      = data.aws_iam_policy_document.boundary.json
}
