#!/usr/bin/env bash
# Prints a Cognito token for a test user, for scripts/smoke.sh and manual
# curl calls. Uses USER_PASSWORD_AUTH, which the app client created by
# terraform/cognito.tf allows.
#
# Usage: CHATBOT_USERNAME=... CHATBOT_PASSWORD=... scripts/token.sh [--id]
#   --id   print the ID token instead of the access token (match
#          COGNITO_TOKEN_USE / var.cognito_token_use).
#
# COGNITO_CLIENT_ID and AWS_REGION default to `terraform output` in $TF_DIR
# (default: terraform). The password is passed to the AWS CLI on its command
# line; use a dedicated test user.
#
# Exit codes: 0 token printed; 2 missing configuration; 3 login failed.
set -euo pipefail

kind=AccessToken
case "${1:-}" in
  --id) kind=IdToken ;;
  "") ;;
  *) echo "usage: $0 [--id]" >&2; exit 2 ;;
esac

tf_dir="${TF_DIR:-terraform}"
tf_output() { terraform -chdir="$tf_dir" output -raw "$1" 2>/dev/null || true; }

command -v aws >/dev/null || { echo "token: the aws CLI is required" >&2; exit 2; }
: "${CHATBOT_USERNAME:?token: set CHATBOT_USERNAME}"
: "${CHATBOT_PASSWORD:?token: set CHATBOT_PASSWORD}"
client_id="${COGNITO_CLIENT_ID:-$(tf_output cognito_client_id)}"
region="${AWS_REGION:-$(tf_output region)}"
[ -n "$client_id" ] || { echo "token: COGNITO_CLIENT_ID is not set and terraform has no output" >&2; exit 2; }
[ -n "$region" ] || { echo "token: AWS_REGION is not set" >&2; exit 2; }

token="$(aws cognito-idp initiate-auth --region "$region" --client-id "$client_id" \
  --auth-flow USER_PASSWORD_AUTH \
  --auth-parameters "USERNAME=$CHATBOT_USERNAME,PASSWORD=$CHATBOT_PASSWORD" \
  --query "AuthenticationResult.$kind" --output text)" || { echo "token: login failed" >&2; exit 3; }
if [ -z "$token" ] || [ "$token" = None ]; then
  echo "token: no $kind returned (a challenge such as NEW_PASSWORD_REQUIRED is pending?)" >&2
  exit 3
fi
printf '%s\n' "$token"
