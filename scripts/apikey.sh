#!/usr/bin/env bash
# Creates or revokes an API key of the chat gateway.
#
# Usage: scripts/apikey.sh add NAME      make a key, store its SHA-256, print the key
#        scripts/apikey.sh revoke NAME   remove the key called NAME
#
# The key is printed once, alone on stdout (explanations go to stderr), and
# is stored nowhere: only its SHA-256 is kept, where the gateway reads it:
#   aws    the deployed stack's secret (terraform output api_keys_secret_arn):
#          read, edited and written back with put-secret-value; then the
#          function's description is stamped, which makes Lambda start fresh
#          execution environments that read the secret again.
#   local  .local/api-key-sha256s, one "name:sha256hex" a line, which
#          `make run` passes to the gateway as API_KEY_SHA256S.
# APIKEY_TARGET=aws|local chooses; by default aws when terraform reports a
# deployed secret, local otherwise.
#
# Environment: APIKEY_TARGET, APIKEY_FILE (default .local/api-key-sha256s),
# TF_DIR (default terraform), API_KEYS_SECRET_ARN, FUNCTION_NAME and
# AWS_REGION (default: terraform output), APIKEY_NO_RECYCLE=1 (aws: skip the
# description stamp).
#
# Two runs at once against the same secret can lose one's change (Secrets
# Manager has no compare-and-set); run them one after the other.
#
# Exit codes: 0 done; 1 refused (duplicate or unknown name, bad secret);
# 2 usage or a missing tool; 3 an AWS call failed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tf_dir="${TF_DIR:-terraform}"
case "$tf_dir" in /*) ;; *) tf_dir="$root/$tf_dir" ;; esac
key_file="${APIKEY_FILE:-$root/.local/api-key-sha256s}"

say() { printf '%s\n' "$*" >&2; }
die() { say "apikey: $2"; exit "$1"; }
usage() { sed -n '2,5p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//' >&2; exit 2; }

op="${1:-}"
name="${2:-}"
case "$op" in add | revoke) ;; *) usage ;; esac
[[ "$name" =~ ^[A-Za-z0-9._-]{1,64}$ ]] || die 2 "NAME must be 1-64 letters, digits, '.', '_' or '-' (got '${name}')"

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum | cut -d' ' -f1
  else shasum -a 256 | cut -d' ' -f1; fi
}

# new_key prints "sk-" and 43 base64url characters (32 random bytes), the
# form the gateway's own `chatbot apikey` makes.
new_key() {
  local body
  body="$(head -c 32 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')"
  [ "${#body}" -eq 43 ] || die 2 "could not read 32 random bytes"
  printf 'sk-%s' "$body"
}

tf_output() {
  command -v terraform >/dev/null 2>&1 || return 0
  terraform -chdir="$tf_dir" output -raw "$1" 2>/dev/null || true
}

target="${APIKEY_TARGET:-}"
secret_arn="${API_KEYS_SECRET_ARN:-}"
if [ -z "$target" ] || [ "$target" = aws ]; then
  [ -n "$secret_arn" ] || secret_arn="$(tf_output api_keys_secret_arn)"
  # terraform prints a warning, not a value, when there is no such output.
  [[ "$secret_arn" == arn:* ]] || secret_arn=""
fi
if [ -z "$target" ]; then
  if [ -n "$secret_arn" ]; then target=aws; else target=local; fi
fi

# --- local file ---------------------------------------------------------------
if [ "$target" = local ]; then
  mkdir -p "$(dirname "$key_file")"
  chmod 700 "$(dirname "$key_file")" 2>/dev/null || true
  touch "$key_file"
  chmod 600 "$key_file"
  if [ "$op" = add ]; then
    if grep -q "^${name}:" "$key_file"; then
      die 1 "a key named $name is in $key_file; revoke it first or choose another name"
    fi
    key="$(new_key)"
    printf '%s:%s\n' "$name" "$(printf '%s' "$key" | sha256)" >>"$key_file"
    say "apikey: added '$name' to $key_file (make run reads it as API_KEY_SHA256S)."
    say "apikey: the key, shown only now (send it as Authorization: Bearer <key> or X-Api-Key):"
    printf '%s\n' "$key"
  else
    grep -q "^${name}:" "$key_file" || die 1 "no key named $name in $key_file"
    tmp="$(mktemp "$key_file.XXXXXX")"
    grep -v "^${name}:" "$key_file" >"$tmp" || true
    chmod 600 "$tmp"
    mv "$tmp" "$key_file"
    say "apikey: revoked '$name' (restart make run to drop it)."
  fi
  exit 0
fi

# --- deployed stack -----------------------------------------------------------
[ "$target" = aws ] || die 2 "APIKEY_TARGET must be aws or local (got '$target')"
command -v aws >/dev/null || die 2 "the aws CLI is required for a deployed stack (or set APIKEY_TARGET=local)"
command -v node >/dev/null || die 2 "node is required to edit the secret's JSON"
[ -n "$secret_arn" ] || die 2 "no key secret: terraform output api_keys_secret_arn is empty (enable_api_keys = false?), and API_KEYS_SECRET_ARN is not set"
region="${AWS_REGION:-$(tf_output region)}"
[ -n "$region" ] || region="$(cut -d: -f4 <<<"$secret_arn")"
function_name="${FUNCTION_NAME:-$(tf_output function_name)}"

umask 077
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

aws secretsmanager get-secret-value --region "$region" --secret-id "$secret_arn" \
  --query SecretString --output text >"$work/old" || die 3 "could not read the key secret"
key=""
if [ "$op" = add ]; then
  key="$(new_key)"
  node "$root/scripts/apikey-secret.mjs" add "$name" "$(printf '%s' "$key" | sha256)" <"$work/old" >"$work/new" || exit 1
else
  node "$root/scripts/apikey-secret.mjs" revoke "$name" <"$work/old" >"$work/new" || exit 1
fi
aws secretsmanager put-secret-value --region "$region" --secret-id "$secret_arn" \
  --secret-string "file://$work/new" >/dev/null || die 3 "could not write the key secret"

if [ "${APIKEY_NO_RECYCLE:-0}" != 1 ] && [ -n "$function_name" ]; then
  # Running environments read the secret when they started; an update to the
  # function's configuration makes Lambda start new ones for later requests.
  stamp="Streaming chat completions gateway; API keys changed $(date -u +%Y-%m-%dT%H:%M:%SZ)."
  aws lambda update-function-configuration --region "$region" --function-name "$function_name" \
    --description "$stamp" >/dev/null || die 3 "the secret changed, but $function_name could not be refreshed; warm instances keep the old keys until Lambda retires them"
  aws lambda wait function-updated --region "$region" --function-name "$function_name" ||
    say "apikey: $function_name is still updating; new keys apply once it is done."
fi

if [ "$op" = add ]; then
  say "apikey: added '$name' to $secret_arn."
  say "apikey: the key, shown only now (send it as Authorization: Bearer <key> or X-Api-Key):"
  printf '%s\n' "$key"
else
  say "apikey: revoked '$name' from $secret_arn."
fi
