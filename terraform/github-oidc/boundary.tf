# The permissions boundary every role the deploy role creates must carry
# (policy.tf grants iam:CreateRole and friends only with
# iam:PermissionsBoundary equal to this policy). A role's effective rights
# are the intersection of its own policies and this boundary, so even a role
# the deploy role wrote itself can do no more than the two functions need:
# write their logs, call Bedrock (and its guardrail), count rate limits in
# the project's tables, read the key secret, send X-Ray traces. The deploy
# role cannot change or detach this policy.
#
# The deploy role writes each role's trust at CreateRole, and IAM has no
# condition key to limit that trust. So everything worth stealing (Bedrock,
# the tables, the secret) is granted only to requests made from inside the
# project's gateway function: Lambda puts the function's ARN in the request
# context as lambda:SourceFunctionArn
# (https://docs.aws.amazon.com/lambda/latest/dg/permissions-source-function-arn.html),
# which no other session of the role carries. Logs and traces stay
# unconditioned: Lambda writes them for both functions, the Lambda@Edge
# replicas included.

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

  # An application inference profile is resolved at start
  # (GetInferenceProfile) and then invoked by its ARN.
  statement {
    sid     = "InvokeBedrockModels"
    effect  = "Allow"
    actions = ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream", "bedrock:GetInferenceProfile"]
    resources = [
      "${local.arn_prefix}:bedrock:*::foundation-model/*",
      "${local.arn_prefix}:bedrock:*:${local.account}:inference-profile/*",
      "${local.arn_prefix}:bedrock:*:${local.account}:application-inference-profile/*",
    ]

    condition {
      test     = "ArnLike"
      variable = "lambda:SourceFunctionArn"
      values   = local.project_gateway_source_arns
    }
  }

  # A guarded call needs ApplyGuardrail on the guardrail as well as the
  # invoke on the model.
  statement {
    sid       = "ApplyGuardrails"
    effect    = "Allow"
    actions   = ["bedrock:ApplyGuardrail"]
    resources = ["${local.arn_prefix}:bedrock:${var.region}:${local.account}:guardrail/*"]

    condition {
      test     = "ArnLike"
      variable = "lambda:SourceFunctionArn"
      values   = local.project_gateway_source_arns
    }
  }

  # The project's tables (rate limits, conversations): their items only.
  statement {
    sid    = "ProjectTableItems"
    effect = "Allow"
    actions = [
      "dynamodb:GetItem", "dynamodb:UpdateItem", "dynamodb:PutItem",
      "dynamodb:Query", "dynamodb:BatchWriteItem",
    ]
    resources = local.project_table_arns

    condition {
      test     = "ArnLike"
      variable = "lambda:SourceFunctionArn"
      values   = local.project_gateway_source_arns
    }
  }

  # A background response runs in an asynchronous invocation of the gateway
  # function itself.
  statement {
    sid       = "InvokeGatewayItself"
    effect    = "Allow"
    actions   = ["lambda:InvokeFunction"]
    resources = local.project_gateway_source_arns

    condition {
      test     = "ArnLike"
      variable = "lambda:SourceFunctionArn"
      values   = local.project_gateway_source_arns
    }
  }

  statement {
    sid       = "ReadApiKeySecrets"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = concat(local.project_secret_arns, var.api_keys_secret_arns)

    condition {
      test     = "ArnLike"
      variable = "lambda:SourceFunctionArn"
      values   = local.project_gateway_source_arns
    }
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

  dynamic "statement" {
    for_each = length(var.kms_key_arns) > 0 ? [1] : []

    content {
      sid       = "UseTableKeys"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
      resources = var.kms_key_arns

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["dynamodb.${var.region}.amazonaws.com"]
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
