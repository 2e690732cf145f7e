# The gateway's secret: API keys, the key that signs browser tokens and the
# origin secret CloudFront sends in X-Origin-Verify. The gateway reads the
# secret named by API_KEYS_SECRET_ARN once per execution environment:
#   {"api_keys": {"<name>": "<hex sha256 of the key>"}, "token_signing_key": "<hex>",
#    "origin_verify_secret": "<48 characters>"}
# Terraform writes the first version: no keys, a random signing key and the
# origin secret. With no key in the secret the gateway starts and mints no
# tokens; `make apikey` (scripts/apikey-secret.mjs) adds and revokes keys and
# keeps the rest. The origin secret lives here, not in the function's
# environment, which anyone allowed lambda:GetFunctionConfiguration reads.
# The secret exists with API keys off too, for the origin secret alone.

locals {
  create_api_keys_secret = var.api_keys_secret_arn == ""

  # A given secret may be named by its full ARN or by its name; either is
  # resolved to the full ARN (with the six-character suffix), the only form
  # an IAM policy matches.
  given_secret_is_arn = startswith(var.api_keys_secret_arn, "arn:")

  api_keys_secret_arn = (
    local.create_api_keys_secret ? aws_secretsmanager_secret.api_keys[0].arn :
    data.aws_secretsmanager_secret.given[0].arn
  )

  # What CloudFront sends: the value written into a secret made here, or the
  # one a given secret holds (a precondition in lambda.tf requires it).
  origin_verify_secret = (
    local.create_api_keys_secret ? random_password.origin_verify.result :
    try(jsondecode(data.aws_secretsmanager_secret_version.given[0].secret_string).origin_verify_secret, "")
  )

  # A custom staging label keeps Terraform's first version alive: without it
  # the version loses every label after two put-secret-value calls, Secrets
  # Manager deletes it, and the next apply would "recreate" it, wiping the
  # keys added since.
  api_keys_initial_stage = "TERRAFORM-INITIAL"
}

# 256 bits, hex: the form TOKEN_SIGNING_KEY and token_signing_key accept.
resource "random_bytes" "token_signing_key" {
  count = local.create_api_keys_secret ? 1 : 0

  length = 32
}

resource "aws_secretsmanager_secret" "api_keys" {
  count = local.create_api_keys_secret ? 1 : 0

  # A prefix, not a fixed name: a deleted secret keeps its name for the
  # recovery window, which would block destroy followed by deploy.
  name_prefix             = "${local.name}-api-keys-"
  description             = "API key hashes, the token signing key and the origin secret of the ${local.name} chat gateway."
  kms_key_id              = var.api_keys_kms_key_arn == "" ? null : var.api_keys_kms_key_arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "api_keys" {
  count = local.create_api_keys_secret ? 1 : 0

  secret_id = aws_secretsmanager_secret.api_keys[0].id
  secret_string = jsonencode({
    api_keys             = {}
    token_signing_key    = random_bytes.token_signing_key[0].hex
    origin_verify_secret = random_password.origin_verify.result
  })
  version_stages = ["AWSCURRENT", local.api_keys_initial_stage]

  lifecycle {
    # Keys are added outside Terraform (make apikey); never put them back.
    ignore_changes = [secret_string, version_stages]
  }
}

data "aws_secretsmanager_secret" "given" {
  count = local.create_api_keys_secret ? 0 : 1

  arn  = local.given_secret_is_arn ? var.api_keys_secret_arn : null
  name = local.given_secret_is_arn ? null : var.api_keys_secret_arn
}

# Read for origin_verify_secret, which CloudFront must send.
data "aws_secretsmanager_secret_version" "given" {
  count = local.create_api_keys_secret ? 0 : 1

  secret_id = data.aws_secretsmanager_secret.given[0].arn
}
