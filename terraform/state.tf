# Stored responses and conversations (docs/deploy.md#the-conversation-table).
# One DynamoDB table that every instance shares, created when
# conversation_store is true: partition key "pk" is the caller, sort key "sk"
# names the record (internal/convstore/dynamo.go); items expire by TTL. The
# function may read and write items of this table only.

locals {
  state_enabled = var.conversation_store

  state_environment = {
    STATE_STORE = local.state_enabled ? "dynamodb" : "off"
    STATE_TABLE = local.state_enabled ? aws_dynamodb_table.state[0].name : ""
    STATE_TTL   = "${var.conversation_ttl_days * 24}h"
  }
}

resource "aws_dynamodb_table" "state" {
  count = local.state_enabled ? 1 : 0

  name         = "${local.name}-state"
  billing_mode = "PAY_PER_REQUEST"
  hash_key     = "pk"
  range_key    = "sk"

  attribute {
    name = "pk"
    type = "S"
  }

  attribute {
    name = "sk"
    type = "S"
  }

  ttl {
    attribute_name = "expires_at"
    enabled        = true
  }

  point_in_time_recovery {
    enabled = var.conversation_point_in_time_recovery
  }

  # The AWS owned key by default; a customer managed key when one is given.
  server_side_encryption {
    enabled     = var.conversation_kms_key_arn != ""
    kms_key_arn = var.conversation_kms_key_arn == "" ? null : var.conversation_kms_key_arn
  }
}

data "aws_iam_policy_document" "state" {
  dynamic "statement" {
    for_each = local.state_enabled ? [1] : []

    content {
      sid    = "KeepConversations"
      effect = "Allow"
      actions = [
        "dynamodb:GetItem", "dynamodb:PutItem", "dynamodb:UpdateItem",
        "dynamodb:Query", "dynamodb:BatchWriteItem",
      ]
      resources = [aws_dynamodb_table.state[0].arn]
    }
  }

  dynamic "statement" {
    for_each = local.state_enabled && var.conversation_kms_key_arn != "" ? [1] : []

    content {
      sid       = "UseConversationKey"
      effect    = "Allow"
      actions   = ["kms:Decrypt", "kms:Encrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
      resources = [var.conversation_kms_key_arn]

      condition {
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["dynamodb.${var.region}.amazonaws.com"]
      }
    }
  }
}

resource "aws_iam_role_policy" "state" {
  count = local.state_enabled ? 1 : 0

  name   = "${local.name}-state"
  role   = aws_iam_role.lambda.id
  policy = data.aws_iam_policy_document.state.json
}
