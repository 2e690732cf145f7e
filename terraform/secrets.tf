# API keys and the key that signs browser tokens. The gateway reads the
# secret named by API_KEYS_SECRET_ARN once per execution environment:
#   {"api_keys": {"<name>": "<hex sha256 of the key>"}, "token_signing_key": "<hex>"}
# Terraform writes the first version: no keys and a random signing key. With
# no key in the secret the gateway starts and mints no tokens; `make apikey`
# (scripts/apikey-secret.mjs) adds and revokes keys beside the signing key.

locals {
  create_api_keys_secret = var.enable_api_keys && var.api_keys_secret_arn == ""

  api_keys_secret_arn = (
    !var.enable_api_keys ? "" :
    var.api_keys_secret_arn != "" ? var.api_keys_secret_arn :
    aws_secretsmanager_secret.api_keys[0].arn
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
  description             = "API key hashes and the token signing key of the ${local.name} chat gateway."
  kms_key_id              = var.api_keys_kms_key_arn == "" ? null : var.api_keys_kms_key_arn
  recovery_window_in_days = 7
}

resource "aws_secretsmanager_secret_version" "api_keys" {
  count = local.create_api_keys_secret ? 1 : 0

  secret_id = aws_secretsmanager_secret.api_keys[0].id
  secret_string = jsonencode({
    api_keys          = {}
    token_signing_key = random_bytes.token_signing_key[0].hex
  })
  version_stages = ["AWSCURRENT", local.api_keys_initial_stage]

  lifecycle {
    # Keys are added outside Terraform (make apikey); never put them back.
    ignore_changes = [secret_string, version_stages]
  }
}
