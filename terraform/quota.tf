# Per-caller rate limits and token budgets (docs/limits.md) and the optional
# Amazon Bedrock guardrail. The limits are counted in one DynamoDB table that
# every instance of the function shares: on-demand, items expire by TTL, and
# the function may only update and read items of this table.

locals {
  quota_enabled = (var.rate_limit_rpm > 0 || var.rate_limit_concurrent > 0 ||
  var.rate_limit_tokens_per_day > 0 || length(var.rate_limit_overrides) > 0)

  # RATE_LIMIT_OVERRIDES: "group:premium rpm=120 tokens_per_day=0, key:backend rpm=600".
  rate_limit_overrides = join(", ", [
    for who, l in var.rate_limit_overrides : join(" ", concat([who], [
      for name, n in l : "${name}=${n}"
    ]))
  ])

  guardrail_enabled = var.bedrock_guardrail_id != ""
  guardrail_arn = (startswith(var.bedrock_guardrail_id, "arn:") ? var.bedrock_guardrail_id :
  "arn:${local.partition}:bedrock:${var.region}:${local.account_id}:guardrail/${var.bedrock_guardrail_id}")

  quota_environment = {
    RATE_LIMIT_RPM            = tostring(var.rate_limit_rpm)
    RATE_LIMIT_CONCURRENT     = tostring(var.rate_limit_concurrent)
    RATE_LIMIT_TOKENS_PER_DAY = tostring(var.rate_limit_tokens_per_day)
    RATE_LIMIT_OVERRIDES      = local.rate_limit_overrides
    QUOTA_TABLE               = local.quota_enabled ? aws_dynamodb_table.quota[0].name : ""
    QUOTA_ON_STORE_ERROR      = var.quota_on_store_error
    BEDROCK_GUARDRAIL_ID      = var.bedrock_guardrail_id
    BEDROCK_GUARDRAIL_VERSION = local.guardrail_enabled ? var.bedrock_guardrail_version : ""
    BEDROCK_GUARDRAIL_TRACE   = tostring(var.bedrock_guardrail_trace)
  }
}

# Item layout (internal/quota/dynamo.go): partition key "pk" (a string such
# as "rpm#<caller>#<minute>"), counters in "n", stream slots in "slots", and
# the TTL in "expires_at" (Unix seconds).
resource "aws_dynamodb_table" "quota" {
  count = local.quota_enabled ? 1 : 0

  name         = "${local.name}-quota"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"

  attribute {
    name = "pk"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.quota_point_in_time_recovery
  }

  # Encrypted at rest with the AWS owned key (the default, at no cost).
}

data "aws_iam_policy_document" "quota" {
  dynamic "statement" {
    for_each = local.quota_enabled ? [1] : []

    content {
      sid       = "CountRateLimits"
      effect    = "Allow"
      actions   = ["dynamodb:UpdateItem", "dynamodb:GetItem"]
      resources = [aws_dynamodb_table.quota[0].arn]
    }
  }

  dynamic "statement" {
    for_each = local.guardrail_enabled ? [1] : []

    content {
      sid       = "ApplyConfiguredGuardrail"
      effect    = "Allow"
      actions   = ["bedrock:ApplyGuardrail"]
      resources = [local.guardrail_arn]
    }
  }
}

resource "aws_iam_role_policy" "quota" {
  count = local.quota_enabled || local.guardrail_enabled ? 1 : 0

  name   = "${local.name}-quota"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.quota.json

  lifecycle {
    precondition {
      condition     = !local.guardrail_enabled || (var.bedrock_guardrail_version != "" && var.bedrock_model_id != "")
      error_message = "bedrock_guardrail_id needs bedrock_guardrail_version and bedrock_model_id: the function refuses to start otherwise."
    }
  }
}

# Store errors mean callers are admitted (or refused, with deny) without
# being counted: any is worth a look.
resource "aws_cloudwatch_metric_alarm" "quota_store_errors" {
  count = local.quota_enabled ? 1 : 0

  alarm_name          = "${local.name}-quota-store-errors"
  alarm_description   = "The rate limit table failed or was slow for some requests. See docs/limits.md#when-the-table-fails"
  namespace           = var.metrics_namespace
  metric_name         = "QuotaStoreErrors"
  statistic           = "Sum"
  period              = 300
  comparison_operator = "GreaterThanThreshold"
  threshold           = 0
  evaluation_periods  = 1
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}

# Many refusals in a row: a caller hammering the gateway, or limits set too
# low for real use.
resource "aws_cloudwatch_metric_alarm" "rate_limited" {
  count = local.quota_enabled ? 1 : 0

  alarm_name          = "${local.name}-rate-limited"
  alarm_description   = "More than ${var.alarm_rate_limited_per_5min} requests per 5 minutes were refused by a rate limit. See docs/limits.md#many-refusals"
  namespace           = var.metrics_namespace
  metric_name         = "RateLimited"
  statistic           = "Sum"
  period              = 300
  comparison_operator = "GreaterThanThreshold"
  threshold           = var.alarm_rate_limited_per_5min
  evaluation_periods  = 3
  datapoints_to_alarm = 2
  treat_missing_data  = "notBreaching"
  alarm_actions       = local.alarm_actions
  ok_actions          = local.alarm_actions
}
