# Optional user pool for the chat users. Self sign-up is off: an administrator
# creates users (scripts/smoke.sh creates and deletes a short-lived test user).

resource "aws_cognito_user_pool" "this" {
  count = var.create_cognito ? 1 : 0

  name                = local.name
  username_attributes = ["email"]
  deletion_protection = "INACTIVE"
  mfa_configuration   = "OFF"

  admin_create_user_config {
    allow_admin_create_user_only = true
  }

  password_policy {
    minimum_length                   = 14
    require_lowercase                = true
    require_uppercase                = true
    require_numbers                  = true
    require_symbols                  = false
    temporary_password_validity_days = 3
  }

  account_recovery_setting {
    recovery_mechanism {
      name     = "verified_email"
      priority = 1
    }
  }

  auto_verified_attributes = ["email"]
}

# Public client (no secret) used by the web page and by scripts/token.sh.
# SRP is for browsers; USER_PASSWORD_AUTH lets the smoke test log in with the
# AWS CLI.
resource "aws_cognito_user_pool_client" "this" {
  count = var.create_cognito ? 1 : 0

  name            = "${local.name}-web"
  user_pool_id    = aws_cognito_user_pool.this[0].id
  generate_secret = false

  explicit_auth_flows = [
    "ALLOW_USER_SRP_AUTH",
    "ALLOW_USER_PASSWORD_AUTH",
    "ALLOW_REFRESH_TOKEN_AUTH",
  ]

  prevent_user_existence_errors = "ENABLED"
  enable_token_revocation       = true

  access_token_validity  = 60
  id_token_validity      = 60
  refresh_token_validity = 30

  token_validity_units {
    access_token  = "minutes"
    id_token      = "minutes"
    refresh_token = "days"
  }
}
