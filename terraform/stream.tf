# Streams that survive a dropped connection (docs/operations.md#stream-table):
# every streamed answer is also kept, in batches, in one DynamoDB table that
# every instance of the function shares, so a client can resume it from any
# instance. On demand, items expire by TTL, encrypted at rest, and the
# function may only read and write items of this table. Background
# responses run in an asynchronous invocation of the function itself.
#
# A model that is throttled or down is replaced by the next one of
# bedrock_fallback_models (which iam.tf lets the function invoke), before the
# first token or, with failover on, in the middle of the answer.

locals {
  stream_environment = {
    STREAM_TABLE            = var.enable_stream_resume ? aws_dynamodb_table.streams[0].name : ""
    STREAM_TTL              = "${var.stream_ttl_minutes}m"
    BEDROCK_FALLBACK_MODELS = join(",", var.bedrock_fallback_models)
    # FAILOVER=on without a chain stops start-up: say on only with one.
    FAILOVER = length(var.bedrock_fallback_models) > 0 ? var.failover : "off"
  }
}

# Item layout (internal/streambuf/dynamo.go, docs/operations.md): partition
# key "pk" = "<caller>#<response id>", sort key "sk" (a number): -1 for the
# header, the last event number of each batch, and 2^53 for the end; the TTL
# in "expires_at" (Unix seconds).
resource "aws_dynamodb_table" "streams" {
  count = var.enable_stream_resume ? 1 : 0

  name         = "${local.name}-streams"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "N"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  # Answers are user content: encrypted at rest with a customer managed key
  # when one is given, else with the AWS owned key (the default, at no
  # cost).
  server_side_encryption {
    enabled     = var.stream_table_kms_key_arn != ""
    kms_key_arn = var.stream_table_kms_key_arn == "" ? null : var.stream_table_kms_key_arn
  }
}

data "aws_iam_policy_document" "streams" {
  dynamic "statement" {
    for_each = var.enable_stream_resume ? [1] : []

    content {
      sid    = "KeepStreams"
      effect = "Allow"
      actions = [
        "dynamodb:PutItem", "dynamodb:BatchWriteItem", "dynamodb:GetItem",
        "dynamodb:UpdateItem", "dynamodb:Query",
      ]
      resources = [aws_dynamodb_table.streams[0].arn]
    }
  }

  # A background response is produced by an asynchronous invocation of
  # this function (the same version), and of no other.
  dynamic "statement" {
    for_each = var.enable_stream_resume ? [1] : []

    content {
      sid       = "InvokeSelfForBackgroundResponses"
      effect    = "Allow"
      actions   = ["lambda:InvokeFunction"]
      resources = [aws_lambda_function.gateway.arn, "${aws_lambda_function.gateway.arn}:*"]
    }
  }

  # With a customer managed key, DynamoDB uses it on the function's behalf
  # for this table only.
  dynamic "statement" {
    for_each = var.enable_stream_resume && var.stream_table_kms_key_arn != "" ? [1] : []

    content {
      sid       = "UseStreamTableKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
      resources = [var.stream_table_kms_key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["dynamodb.${var.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "streams" {
  count = var.enable_stream_resume ? 1 : 0

  name   = "${local.name}-streams"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.streams.json
}

# A background job's event is run once or not at all: Lambda retries a
# failed asynchronous invocation up to two more times by default (AWS
# Lambda API reference, Invoke), but the gateway claims each job once and
# ends it in its stream itself, so a retry could only repeat nothing. An
# event that waits longer than the gateway waits for it (its job age,
# gateway.DefaultJobMaxAge, 5 minutes) is dropped: the response then
# reads as failed.
resource "aws_lambda_function_event_invoke_config" "background" {
  count = var.enable_stream_resume ? 1 : 0

  function_name                = aws_lambda_function.gateway.function_name
  maximum_retry_attempts       = 0
  maximum_event_age_in_seconds = 300
}
