# `terraform test` for the main configuration, with mocked providers: no AWS
# account and no credentials, but the real hashicorp/aws and hashicorp/random
# schemas (terraform init must reach the registry). CI runs it; `make test`
# runs it where the providers can be installed. terraform_test.go checks
# offline that this file stays complete: a plan with the defaults, applies
# that set every variable, and one failing run per precondition.

mock_provider "aws" {
  mock_data "aws_caller_identity" {
    defaults = {
      account_id = "123456789012"
    }
  }
  mock_data "aws_partition" {
    defaults = {
      partition = "aws"
    }
  }
  mock_data "aws_iam_policy_document" {
    defaults = {
      json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}"
    }
  }
  mock_resource "aws_lambda_function_url" {
    defaults = {
      function_url = "https://abcdefghijklmnopqrstuvwxyz012345.lambda-url.us-east-1.on.aws/"
    }
  }
  mock_resource "aws_secretsmanager_secret" {
    defaults = {
      arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:chatbot-dev-api-keys-AbCdEf"
    }
  }
  # A key secret given by name or ARN (api_keys_secret_arn) resolves to
  # this one, which holds an origin secret.
  mock_data "aws_secretsmanager_secret" {
    defaults = {
      arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/chat-keys-AbCdEf"
    }
  }
  mock_data "aws_secretsmanager_secret_version" {
    defaults = {
      secret_string = "{\"api_keys\":{},\"origin_verify_secret\":\"given-origin-secret-0123456789abcdef\"}"
    }
  }
  mock_resource "aws_cloudfront_distribution" {
    defaults = {
      arn         = "arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE"
      domain_name = "d111111abcdef8.cloudfront.net"
    }
  }
  mock_resource "aws_cloudfront_function" {
    defaults = {
      arn = "arn:aws:cloudfront::123456789012:function/chatbot-dev-viewer-request"
    }
  }
  mock_resource "aws_cloudwatch_log_group" {
    defaults = {
      arn = "arn:aws:logs:us-east-1:123456789012:log-group:/aws/lambda/chatbot-dev"
    }
  }
  mock_resource "aws_iam_role" {
    defaults = {
      arn = "arn:aws:iam::123456789012:role/chatbot-dev-lambda"
    }
  }
  mock_resource "aws_sns_topic" {
    defaults = {
      arn = "arn:aws:sns:us-east-1:123456789012:chatbot-dev-alarms"
    }
  }
  mock_resource "aws_lambda_function" {
    defaults = {
      arn           = "arn:aws:lambda:us-east-1:123456789012:function:chatbot-dev"
      qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:chatbot-dev:1"
    }
  }
}

# The provider the Lambda@Edge function is created with.
mock_provider "aws" {
  alias = "us_east_1"

  mock_resource "aws_lambda_function" {
    defaults = {
      arn           = "arn:aws:lambda:us-east-1:123456789012:function:chatbot-dev-payload-hash"
      qualified_arn = "arn:aws:lambda:us-east-1:123456789012:function:chatbot-dev-payload-hash:1"
    }
  }
}

mock_provider "random" {}

# filebase64sha256 reads the packages at plan time; a tiny zip stands in.
variables {
  lambda_zip_path = "tests/testdata/function.zip"
  edge_zip_path   = "tests/testdata/function.zip"
}

run "plan_with_defaults" {
  command = plan

  assert {
    condition     = aws_lambda_function.gateway.reserved_concurrent_executions == 10
    error_message = "The default must cap concurrent streams (reserved_concurrency = 10)."
  }
  assert {
    condition     = length(aws_secretsmanager_secret.api_keys) == 1 && length(random_bytes.token_signing_key) == 1
    error_message = "API keys are on by default: a key secret and a signing key are created."
  }
  assert {
    condition     = length(aws_lambda_function.edge) == 0 && length(aws_iam_role.edge) == 0
    error_message = "The Lambda@Edge function is off by default."
  }
  assert {
    condition     = length(aws_cloudfront_origin_request_policy.gateway.headers_config[0].headers[0].items) < 10
    error_message = "The origin request policy must leave a header slot free under CloudFront's quota of 10."
  }
  assert {
    condition     = aws_lambda_function.gateway.environment[0].variables["REQUIRE_CONTENT_SHA256"] == "true"
    error_message = "The function must require the payload hash."
  }
  assert {
    condition     = !contains(keys(aws_lambda_function.gateway.environment[0].variables), "ORIGIN_VERIFY_SECRET")
    error_message = "The origin secret must not be in the function's environment."
  }
  assert {
    condition     = aws_lambda_function.gateway.environment[0].variables["CHATBOT_MAX_BODY_BYTES"] == "262144"
    error_message = "The body limit must reach the function."
  }
  assert {
    condition     = random_bytes.token_signing_key[0].length >= 32
    error_message = "The token signing key must have at least 32 bytes."
  }
}

run "apply_with_every_option" {
  command = apply

  variables {
    region                       = "eu-west-1"
    project                      = "chat"
    environment                  = "prod"
    tags                         = { Owner = "platform" }
    lambda_memory_mb             = 512
    lambda_timeout_seconds       = 600
    reserved_concurrency         = 25
    log_retention_days           = 90
    log_level                    = "debug"
    max_tokens                   = 2048
    bedrock_model_id             = "eu.anthropic.claude-sonnet-4-5-20250929-v1:0"
    rate_limit_rpm               = 30
    rate_limit_concurrent        = 2
    rate_limit_tokens_per_day    = 200000
    rate_limit_overrides         = { "group:premium" = { rpm = 120, tokens_per_day = 0 }, "key:backend" = { concurrent = 20 } }
    quota_on_store_error         = "deny"
    quota_point_in_time_recovery = true
    alarm_rate_limited_per_5min  = 50
    bedrock_guardrail_id         = "gr1abc2def3g"
    bedrock_guardrail_version    = "1"
    bedrock_guardrail_trace      = true
    bedrock_api                  = "converse"
    fallback_on                  = "any"
    bedrock_models               = ["anthropic.claude-3-haiku-20240307-v1:0"]
    system_prompt                = "You are a helpful assistant."
    allowed_origins              = ["https://chat.example.com"]
    allowed_cidrs                = ["203.0.113.0/24", "2001:db8::/32"]
    price_class                  = "PriceClass_All"
    origin_read_timeout          = 90
    domain_aliases               = ["api.chat.example.com"]
    acm_certificate_arn          = "arn:aws:acm:us-east-1:123456789012:certificate/0a1b2c3d-4e5f-6789-abcd-ef0123456789"
    create_cognito               = true
    cognito_client_ids           = ["abcdefghijklmnopqrstuvwxyz"]
    cognito_token_use            = "id"
    cognito_groups               = ["chat-users"]
    metrics_namespace            = "ChatProd"
    enable_xray                  = true
    alarm_email                  = "ops@example.com"
    alarm_error_rate_percent     = 2
    alarm_fallback_rate_percent  = 10
    alarm_failover_rate_percent  = 3
    alarm_ttft_p99_ms            = 5000
    max_body_bytes               = 524288
    enable_api_keys              = true
    api_keys_kms_key_arn         = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    edge_payload_hash            = true
    permissions_boundary_arn     = "arn:aws:iam::123456789012:policy/chat-function-boundary"
    enable_stream_resume         = true
    stream_ttl_minutes           = 120
    stream_table_kms_key_arn     = "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ac"
    bedrock_fallback_models      = ["us.anthropic.claude-sonnet-4-5-20250929-v1:0"]
    failover                     = "off"
    adot_layer_arn               = "arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-collector-arm64-ver-0-117-0:1"
    adot_collector_config_uri    = "s3://chat-config.s3.eu-west-1.amazonaws.com/collector.yaml"
    alarm_daily_spend_usd        = 50
  }

  assert {
    condition     = aws_lambda_function.gateway.layers == tolist(["arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-collector-arm64-ver-0-117-0:1"]) && aws_lambda_function.gateway.environment[0].variables["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://localhost:4318"
    error_message = "The ADOT layer must be attached and the gateway pointed at its collector."
  }
  assert {
    condition     = aws_cloudwatch_metric_alarm.failover_rate.threshold == 3
    error_message = "The failover-rate alarm must use the configured threshold."
  }

  assert {
    condition     = aws_cloudwatch_metric_alarm.daily_spend[0].metric_name == "CostUSD" && aws_cloudwatch_metric_alarm.daily_spend[0].threshold == 50
    error_message = "The daily spend alarm must watch CostUSD at the configured figure."
  }

  assert {
    condition     = aws_lambda_function.gateway.environment[0].variables["STREAM_TABLE"] == aws_dynamodb_table.streams[0].name && aws_lambda_function.gateway.environment[0].variables["STREAM_TTL"] == "120m"
    error_message = "The function must keep its streams in the table Terraform created, for the configured TTL."
  }
  assert {
    condition     = aws_lambda_function.gateway.environment[0].variables["BEDROCK_FALLBACK_MODELS"] == "us.anthropic.claude-sonnet-4-5-20250929-v1:0" && aws_lambda_function.gateway.environment[0].variables["FAILOVER"] == "off"
    error_message = "The function must get the fallback chain and the failover setting."
  }
  assert {
    condition     = aws_lambda_function.gateway.environment[0].variables["API_KEYS_SECRET_ARN"] == aws_secretsmanager_secret.api_keys[0].arn
    error_message = "The function must read the secret Terraform created."
  }
  assert {
    condition     = aws_secretsmanager_secret.api_keys[0].kms_key_id == "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "The secret must be encrypted with the customer key."
  }
  assert {
    condition     = jsondecode(aws_secretsmanager_secret_version.api_keys[0].secret_string).token_signing_key == random_bytes.token_signing_key[0].hex
    error_message = "The first secret version must hold the generated signing key."
  }
  assert {
    condition     = jsondecode(aws_secretsmanager_secret_version.api_keys[0].secret_string).api_keys == {}
    error_message = "The first secret version must hold no keys."
  }
  assert {
    condition     = jsondecode(aws_secretsmanager_secret_version.api_keys[0].secret_string).origin_verify_secret == random_password.origin_verify.result
    error_message = "The first secret version must hold the origin secret."
  }
  assert {
    condition     = one(one(aws_cloudfront_distribution.gateway.origin).custom_header).value == random_password.origin_verify.result
    error_message = "CloudFront must send the origin secret the function reads from its secret."
  }
  assert {
    condition     = contains(aws_secretsmanager_secret_version.api_keys[0].version_stages, "TERRAFORM-INITIAL")
    error_message = "The first version must keep its own staging label."
  }
  assert {
    condition     = aws_lambda_function.gateway.reserved_concurrent_executions == 25
    error_message = "reserved_concurrency must reach the function."
  }
  assert {
    condition     = aws_iam_role.lambda.permissions_boundary == "arn:aws:iam::123456789012:policy/chat-function-boundary" && aws_iam_role.edge[0].permissions_boundary == "arn:aws:iam::123456789012:policy/chat-function-boundary"
    error_message = "Both roles must carry the permissions boundary."
  }
  assert {
    condition     = aws_lambda_function.edge[0].runtime == "nodejs22.x" && aws_lambda_function.edge[0].publish
    error_message = "The edge function must be a published Node.js function."
  }
  assert {
    condition     = one(aws_cloudfront_distribution.gateway.default_cache_behavior[0].lambda_function_association).lambda_arn == aws_lambda_function.edge[0].qualified_arn
    error_message = "The distribution must run the edge function's published version."
  }
  assert {
    condition     = one(aws_cloudfront_distribution.gateway.default_cache_behavior[0].lambda_function_association).include_body
    error_message = "The edge function needs the body (include_body)."
  }
  assert {
    condition     = one(aws_cloudfront_distribution.gateway.default_cache_behavior[0].lambda_function_association).event_type == "origin-request"
    error_message = "The edge function runs on origin requests, before OAC signs them."
  }
  assert {
    condition     = output.edge_function_name == "chat-prod-payload-hash" && output.api_keys_secret_arn == aws_secretsmanager_secret.api_keys[0].arn
    error_message = "make destroy-edge and make apikey read these outputs."
  }
}

run "apply_with_conversation_store" {
  command = apply

  variables {
    conversation_store                  = true
    conversation_ttl_days               = 7
    conversation_kms_key_arn            = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    conversation_point_in_time_recovery = true
  }

  assert {
    condition     = aws_lambda_function.gateway.environment[0].variables["STATE_TABLE"] == aws_dynamodb_table.state[0].name && aws_lambda_function.gateway.environment[0].variables["STATE_STORE"] == "dynamodb"
    error_message = "The function must keep conversations in the table Terraform created."
  }
  assert {
    condition     = aws_lambda_function.gateway.environment[0].variables["STATE_TTL"] == "168h"
    error_message = "conversation_ttl_days must reach the function as STATE_TTL."
  }
  assert {
    condition     = aws_dynamodb_table.state[0].server_side_encryption[0].kms_key_arn == "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab"
    error_message = "The table must be encrypted with the customer key."
  }
}

run "apply_with_existing_secret_and_user_pool" {
  command = apply

  variables {
    create_cognito       = false
    cognito_user_pool_id = "us-east-1_AbCdEf123"
    cognito_client_ids   = ["abcdefghijklmnopqrstuvwxyz"]
    api_keys_secret_arn  = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/chat-keys-AbCdEf"
  }

  assert {
    condition     = length(aws_secretsmanager_secret.api_keys) == 0 && length(aws_cognito_user_pool.this) == 0
    error_message = "Existing resources must not be created again."
  }
  assert {
    condition     = aws_lambda_function.gateway.environment[0].variables["API_KEYS_SECRET_ARN"] == "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/chat-keys-AbCdEf"
    error_message = "The function must read the given secret."
  }
  assert {
    condition     = one(one(aws_cloudfront_distribution.gateway.origin).custom_header).value == "given-origin-secret-0123456789abcdef"
    error_message = "CloudFront must send the origin secret the given secret holds."
  }
}

run "apply_with_secret_name" {
  command = apply

  variables {
    api_keys_secret_arn = "shared/chat-keys"
  }

  assert {
    condition     = aws_lambda_function.gateway.environment[0].variables["API_KEYS_SECRET_ARN"] == "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/chat-keys-AbCdEf"
    error_message = "A secret given by name must be resolved to its full ARN."
  }
}

run "apply_without_api_keys" {
  command = apply

  variables {
    enable_api_keys      = false
    enable_stream_resume = false
  }

  assert {
    condition     = output.api_keys_secret_arn == "" && aws_lambda_function.gateway.environment[0].variables["API_KEYS_SECRET_ARN"] == aws_secretsmanager_secret.api_keys[0].arn
    error_message = "With API keys off the secret still carries the origin secret, but make apikey is not pointed at it."
  }
  assert {
    condition     = aws_lambda_function.gateway.environment[0].variables["STREAM_TABLE"] == "" && length(aws_dynamodb_table.streams) == 0 && length(aws_iam_role_policy.streams) == 0
    error_message = "With stream resume off there is no table and no grant."
  }
}

# One failing run per precondition on aws_lambda_function.gateway.

run "precondition_needs_authentication" {
  command = plan

  variables {
    create_cognito = false
  }

  expect_failures = [aws_lambda_function.gateway]
}

run "precondition_aliases_need_certificate" {
  command = plan

  variables {
    domain_aliases = ["api.chat.example.com"]
  }

  expect_failures = [aws_lambda_function.gateway]
}

run "precondition_secret_needs_api_keys" {
  command = plan

  variables {
    enable_api_keys     = false
    api_keys_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/chat-keys-AbCdEf"
  }

  expect_failures = [aws_lambda_function.gateway]
}

run "precondition_secret_in_function_region" {
  command = plan

  variables {
    api_keys_secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:shared/chat-keys-AbCdEf"
  }

  expect_failures = [aws_lambda_function.gateway]
}

run "precondition_adot_layer_in_function_region" {
  command = plan

  variables {
    adot_layer_arn = "arn:aws:lambda:eu-west-1:901920570463:layer:aws-otel-collector-arm64-ver-0-117-0:1"
  }

  expect_failures = [aws_lambda_function.gateway]
}

run "precondition_collector_config_needs_layer" {
  command = plan

  variables {
    adot_collector_config_uri = "s3://chat-config.s3.us-east-1.amazonaws.com/collector.yaml"
  }

  expect_failures = [aws_lambda_function.gateway]
}

run "precondition_given_secret_holds_origin_secret" {
  command = plan

  variables {
    api_keys_secret_arn = "arn:aws:secretsmanager:us-east-1:123456789012:secret:shared/chat-keys-AbCdEf"
  }

  override_data {
    target = data.aws_secretsmanager_secret_version.given[0]
    values = {
      secret_string = "{\"api_keys\":{}}"
    }
  }

  expect_failures = [aws_lambda_function.gateway]
}

run "precondition_edge_body_limit" {
  command = plan

  variables {
    edge_payload_hash = true
    max_body_bytes    = 2097152
  }

  expect_failures = [aws_lambda_function.gateway]
}

run "precondition_guardrail_needs_version" {
  command = plan

  variables {
    bedrock_model_id     = "anthropic.claude-3-5-haiku-20241022-v1:0"
    bedrock_guardrail_id = "gr1abc2def3g"
  }

  expect_failures = [aws_iam_role_policy.quota]
}
