# Execution role of the gateway function. It may write its own logs and call
# Bedrock on exactly the configured models; nothing else.

locals {
  # Cross-region inference profile ids start with a geography prefix
  # (us.anthropic.claude-...); everything else is a foundation-model id.
  inference_profile_prefixes = ["us", "eu", "apac", "us-gov", "jp", "au", "ca", "global"]

  # The fallback chain is invoked too, when the requested model cannot
  # answer. An invoke: or converse: prefix chooses the API, not the model;
  # both APIs need the same action, bedrock:InvokeModelWithResponseStream.
  bedrock_model_ids = distinct([
    for m in compact(concat([var.bedrock_model_id], var.bedrock_models, var.bedrock_fallback_models)) : trimprefix(trimprefix(m, "invoke:"), "converse:")
  ])

  bedrock_arn_ids  = [for m in local.bedrock_model_ids : m if startswith(m, "arn:")]
  bedrock_bare_ids = [for m in local.bedrock_model_ids : m if !startswith(m, "arn:")]

  bedrock_profile_ids = [
    for m in local.bedrock_bare_ids : m
    if contains(local.inference_profile_prefixes, split(".", m)[0])
  ]
  bedrock_foundation_ids = [
    for m in local.bedrock_bare_ids : m
    if !contains(local.inference_profile_prefixes, split(".", m)[0])
  ]

  # Models called directly: the foundation model in this region.
  bedrock_foundation_model_arns = concat(
    [for m in local.bedrock_foundation_ids : "arn:${local.partition}:bedrock:${var.region}::foundation-model/${m}"],
    [for a in local.bedrock_arn_ids : a if strcontains(a, ":foundation-model/")],
  )

  # Application inference profiles: an opaque id that names no model. The
  # gateway resolves each at start (bedrock:GetInferenceProfile) and calls
  # it by its ARN; the models it routes to are known only to Bedrock, so
  # they are granted only when the call comes through one of these.
  bedrock_application_profile_arns = [for a in local.bedrock_arn_ids : a if strcontains(a, ":application-inference-profile/")]

  # Inference profiles owned by this account in this region. An application
  # profile's ARN (":application-inference-profile/") never matches
  # ":inference-profile/" (a hyphen, not a colon, comes before it), so it
  # stays in bedrock_application_profile_arns alone.
  bedrock_inference_profile_arns = concat(
    [for m in local.bedrock_profile_ids : "arn:${local.partition}:bedrock:${var.region}:${local.account_id}:inference-profile/${m}"],
    [for a in local.bedrock_arn_ids : a if strcontains(a, ":inference-profile/")],
  )

  # The model behind each profile: the id without its geography prefix.
  bedrock_profile_models = distinct([
    for p in concat(
      local.bedrock_profile_ids,
      [for a in local.bedrock_arn_ids : split("inference-profile/", a)[1] if strcontains(a, ":inference-profile/")],
    ) : join(".", slice(split(".", p), 1, length(split(".", p))))
  ])

  # A profile routes to the same foundation model in several regions (global
  # profiles use an ARN without a region), so these are granted only when the
  # request comes through one of the profiles above.
  bedrock_profile_model_arns = flatten([
    for m in local.bedrock_profile_models : [
      "arn:${local.partition}:bedrock:*::foundation-model/${m}",
      "arn:${local.partition}:bedrock:::foundation-model/${m}",
    ]
  ])
}

data "aws_iam_policy_document" "lambda_assume" {
  statement {
    sid     = "LambdaAssume"
    effect  = "Allow"
    actions = ["sts:AssumeRole"]

    principals {
      type        = "Service"
      identifiers = ["lambda.amazonaws.com"]
    }

    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "lambda" {
  name                 = "${local.name}-lambda"
  description          = "Execution role of the ${local.name} chat gateway function."
  assume_role_policy   = data.aws_iam_policy_document.lambda_assume.json
  max_session_duration = 3600
  permissions_boundary = var.permissions_boundary_arn == "" ? null : var.permissions_boundary_arn
}

data "aws_iam_policy_document" "lambda" {
  statement {
    sid    = "WriteOwnLogs"
    effect = "Allow"
    # No logs:CreateLogGroup: the group is created here with a retention, and
    # the function must not recreate it without one.
    actions   = ["logs:CreateLogStream", "logs:PutLogEvents"]
    resources = ["${aws_cloudwatch_log_group.lambda.arn}:*"]
  }

  # bedrock:InvokeModelWithResponseStream is the action of both
  # InvokeModelWithResponseStream and ConverseStream (the Service
  # Authorization Reference lists no action of its own for ConverseStream),
  # so BEDROCK_API=converse needs nothing more.
  dynamic "statement" {
    for_each = length(concat(local.bedrock_foundation_model_arns, local.bedrock_inference_profile_arns, local.bedrock_application_profile_arns)) > 0 ? [1] : []

    content {
      sid       = "InvokeConfiguredModels"
      effect    = "Allow"
      actions   = ["bedrock:InvokeModelWithResponseStream"]
      resources = concat(local.bedrock_foundation_model_arns, local.bedrock_inference_profile_arns, local.bedrock_application_profile_arns)
    }
  }

  dynamic "statement" {
    for_each = length(local.bedrock_application_profile_arns) > 0 ? [1] : []

    content {
      sid       = "ResolveApplicationProfiles"
      effect    = "Allow"
      actions   = ["bedrock:GetInferenceProfile"]
      resources = local.bedrock_application_profile_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.bedrock_application_profile_arns) > 0 ? [1] : []

    content {
      sid       = "InvokeModelsThroughApplicationProfiles"
      effect    = "Allow"
      actions   = ["bedrock:InvokeModelWithResponseStream"]
      resources = ["arn:${local.partition}:bedrock:*::foundation-model/*", "arn:${local.partition}:bedrock:*:${local.account_id}:inference-profile/*"]

      condition {
        test     = "StringEquals"
        variable = "bedrock:InferenceProfileArn"
        values   = local.bedrock_application_profile_arns
      }
    }
  }

  dynamic "statement" {
    for_each = length(local.bedrock_profile_model_arns) > 0 ? [1] : []

    content {
      sid       = "InvokeModelsThroughProfiles"
      effect    = "Allow"
      actions   = ["bedrock:InvokeModelWithResponseStream"]
      resources = local.bedrock_profile_model_arns

      condition {
        test     = "StringEquals"
        variable = "bedrock:InferenceProfileArn"
        values   = local.bedrock_inference_profile_arns
      }
    }
  }

  # The gateway's secret (keys and the origin secret) and nothing else in
  # Secrets Manager.
  statement {
    sid       = "ReadGatewaySecret"
    effect    = "Allow"
    actions   = ["secretsmanager:GetSecretValue"]
    resources = [local.api_keys_secret_arn]
  }

  # A customer managed key may be used only by Secrets Manager on the
  # function's behalf, and only for this secret.
  dynamic "statement" {
    for_each = var.api_keys_kms_key_arn != "" ? [1] : []

    content {
      sid       = "DecryptApiKeySecret"
      effect    = "Allow"
      actions   = ["kms:Decrypt"]
      resources = [var.api_keys_kms_key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["secretsmanager.${var.region}.amazonaws.com"]
      }

      condition {
        test     = "StringEquals"
        variable = "kms:EncryptionContext:SecretARN"
        values   = [local.api_keys_secret_arn]
      }
    }
  }
}

resource "aws_iam_role_policy" "lambda" {
  name   = "${local.name}-lambda"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.lambda.json
}

# X-Ray does not support resource-level permissions; the managed write-only
# policy is the narrowest grant. The ADOT collector's default configuration
# exports to X-Ray too (telemetry.tf).
resource "aws_iam_role_policy_attachment" "xray" {
  count = var.enable_xray || local.adot_enabled ? 1 : 0

  role       = aws_iam_role.lambda.name
  policy_arn = "arn:${local.partition}:iam::aws:policy/AWSXRayDaemonWriteAccess"
}
