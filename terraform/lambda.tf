# The gateway function: custom runtime, arm64, streamed through a function URL
# that only signed (IAM) callers can reach.

locals {
  cognito_user_pool_id = var.create_cognito ? aws_cognito_user_pool.this[0].id : var.cognito_user_pool_id
  cognito_client_ids = distinct(concat(
    var.create_cognito ? [aws_cognito_user_pool_client.this[0].id] : [],
    var.cognito_client_ids,
  ))

  lambda_environment = {
    COGNITO_USER_POOL_ID   = local.cognito_user_pool_id
    COGNITO_CLIENT_IDS     = join(",", local.cognito_client_ids)
    COGNITO_TOKEN_USE      = var.cognito_token_use
    COGNITO_GROUPS         = join(",", var.cognito_groups)
    BEDROCK_MODEL_ID       = var.bedrock_model_id
    BEDROCK_MODELS         = join(",", var.bedrock_models)
    BEDROCK_API            = var.bedrock_api
    FALLBACK_ON            = var.fallback_on
    SYSTEM_PROMPT          = var.system_prompt
    ALLOWED_ORIGINS        = join(",", var.allowed_origins)
    ALLOWED_CIDRS          = join(",", var.allowed_cidrs)
    REQUIRE_CONTENT_SHA256 = "true"
    CHATBOT_MAX_TOKENS     = tostring(var.max_tokens)
    CHATBOT_MAX_BODY_BYTES = tostring(var.max_body_bytes)
    API_KEYS_SECRET_ARN    = local.api_keys_secret_arn
    LOG_LEVEL              = var.log_level
    METRICS_NAMESPACE      = var.metrics_namespace
  }
}

resource "aws_cloudwatch_log_group" "lambda" {
  name              = "/aws/lambda/${local.name}"
  retention_in_days = var.log_retention_days
}

resource "aws_lambda_function" "gateway" {
  function_name = local.name
  description   = "Streaming chat completions gateway (${var.environment})."
  role          = aws_iam_role.lambda.arn

  filename         = var.lambda_zip_path
  source_code_hash = filebase64sha256(var.lambda_zip_path)
  package_type     = "Zip"
  runtime          = "provided.al2023"
  architectures    = ["arm64"]
  handler          = "bootstrap"
  layers           = local.adot_enabled ? [var.adot_layer_arn] : []

  memory_size                    = var.lambda_memory_mb
  timeout                        = var.lambda_timeout_seconds
  reserved_concurrent_executions = var.reserved_concurrency

  environment {
    variables = merge(local.lambda_environment, local.quota_environment, local.state_environment, local.stream_environment, local.otel_environment)
  }

  logging_config {
    log_format = "Text"
    log_group  = aws_cloudwatch_log_group.lambda.name
  }

  tracing_config {
    mode = var.enable_xray ? "Active" : "PassThrough"
  }

  lifecycle {
    precondition {
      condition     = var.create_cognito || (var.cognito_user_pool_id != "" && length(var.cognito_client_ids) > 0)
      error_message = "Set create_cognito = true, or give both cognito_user_pool_id and cognito_client_ids: the function refuses to start without authentication."
    }
    precondition {
      condition     = length(var.domain_aliases) == 0 || var.acm_certificate_arn != null
      error_message = "domain_aliases need acm_certificate_arn."
    }
    precondition {
      condition     = var.enable_api_keys || var.api_keys_secret_arn == ""
      error_message = "api_keys_secret_arn is set but enable_api_keys is false: the secret would be ignored."
    }
    precondition {
      condition     = !local.given_secret_is_arn || try(split(":", var.api_keys_secret_arn)[3], "") == var.region
      error_message = "api_keys_secret_arn must be a secret in var.region: the function reads it from its own region."
    }
    precondition {
      condition     = var.adot_layer_arn == "" || try(split(":", var.adot_layer_arn)[3], "") == var.region
      error_message = "adot_layer_arn must be a layer in var.region: Lambda layers are regional."
    }
    precondition {
      condition     = var.adot_collector_config_uri == "" || var.adot_layer_arn != ""
      error_message = "adot_collector_config_uri is set but adot_layer_arn is empty: there is no collector to configure."
    }
    precondition {
      condition     = local.create_api_keys_secret || length(local.origin_verify_secret) >= 16
      error_message = "The secret named by api_keys_secret_arn must hold origin_verify_secret (at least 16 random characters): CloudFront sends it and the function checks it."
    }
    precondition {
      condition     = !var.edge_payload_hash || var.max_body_bytes <= 1048576
      error_message = "With edge_payload_hash, max_body_bytes must be at most 1048576: CloudFront shows the edge function only the first 1 MiB of a body, so a larger one could not be hashed."
    }

    # `make apikey` stamps the description after changing the key secret:
    # any configuration update starts fresh execution environments, which
    # read the secret again. The stamp is not drift to undo.
    ignore_changes = [description]
  }

  depends_on = [
    aws_cloudwatch_log_group.lambda,
    aws_iam_role_policy.lambda,
  ]
}

resource "aws_lambda_function_url" "gateway" {
  function_name = aws_lambda_function.gateway.function_name
  # Unsigned requests are refused by Lambda before our code runs; only the
  # CloudFront distribution (via OAC) is allowed to sign (permissions.tf).
  authorization_type = "AWS_IAM"
  invoke_mode        = "RESPONSE_STREAM"
}
