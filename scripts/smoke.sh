#!/usr/bin/env bash
# Smoke test of a deployed (or local) chat gateway.
#
# Usage:
#   scripts/smoke.sh [--url CLOUDFRONT_URL] [--function-url URL]
#   scripts/smoke.sh --local URL [--expect-auth] [--expect-hash] [--api-key KEY] [--sdk]
#
# AWS mode (default) reads missing URLs from `terraform output` in
# $TF_DIR (default: terraform). The bearer token comes from $CHATBOT_JWT; if
# it is empty, scripts/token.sh logs in as $CHATBOT_USERNAME/$CHATBOT_PASSWORD;
# if those are empty too, a short-lived Cognito user is created for the run
# and deleted afterwards (needs cognito-idp:AdminCreateUser/AdminDeleteUser).
#
# Checks:
#   a) streaming: POST stream:true with a token and the body's SHA-256; tokens
#      are printed as they arrive and the stream must end with data: [DONE].
#   b) direct function URL: POST straight to the Lambda function URL, unsigned,
#      must get 403 (only CloudFront, through OAC, may call it).   [AWS only]
#   c) no token: POST through CloudFront without a token must get 401.
#      [local: only with --expect-auth]
#   d) wrong x-amz-content-sha256: must be refused: 400 from the gateway, or
#      403 when Lambda's own signature check rejects it first (AWS).
#      [local: only with --expect-hash, and then exactly 400]
#   e) API key: a chat request with Authorization: Bearer sk-… (moved to
#      X-Authorization by the viewer function) must answer a chat.completion.
#   f) minted token: POST /v1/tokens with the key must return a token, and a
#      chat request with X-Authorization: Bearer <token> must succeed.
#      [AWS: with a key made for the run by scripts/apikey.sh and revoked at
#      the end, unless the stack has API keys off; local: with --api-key]
#   g) unmodified OpenAI SDK: test/sdk/cloudfront-smoke.mjs streams and
#      answers with only baseURL and the key set, no x-amz-content-sha256.
#      [AWS: when the Lambda@Edge payload-hash function is on; local: --sdk]
#
# Exit codes:
#   0  all checks passed
#   2  usage or configuration error (missing URL, tool or credentials)
#   3  could not get a token
#   10 check (a) failed: no stream, an error frame, or no [DONE]
#   11 check (b) failed: the function URL answered something other than 403
#   12 check (c) failed: a request without a token was not refused with 401
#   13 check (d) failed: a wrong payload hash was not refused
#   14 check (e) failed: the API key was not accepted
#   15 check (f) failed: no token was minted, or the token was not accepted
#   16 check (g) failed: the unmodified SDK could not chat
#
# Environment: CHATBOT_JWT, CHATBOT_USERNAME, CHATBOT_PASSWORD, CHATBOT_MODEL
# (default: the gateway's default model), SMOKE_TIMEOUT (seconds, default 120),
# SMOKE_API_KEYS=0 (AWS: skip e-g), TF_DIR, AWS_REGION.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
mode=aws
base_url=""
function_url=""
expect_auth=0
expect_hash=0
api_key=""
run_sdk=0
edge=0
timeout="${SMOKE_TIMEOUT:-120}"
tf_dir="${TF_DIR:-terraform}"

die() { echo "smoke: $2" >&2; exit "$1"; }
usage() { sed -n '2,40p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2; }

while [ $# -gt 0 ]; do
  case "$1" in
    --local) mode=local; base_url="${2:?--local needs a URL}"; shift 2 ;;
    --url) base_url="${2:?--url needs a URL}"; shift 2 ;;
    --function-url) function_url="${2:?--function-url needs a URL}"; shift 2 ;;
    --expect-auth) expect_auth=1; shift ;;
    --expect-hash) expect_hash=1; shift ;;
    --api-key) api_key="${2:?--api-key needs a key}"; shift 2 ;;
    --sdk) run_sdk=1; shift ;;
    -h|--help) usage ;;
    *) echo "smoke: unknown argument $1" >&2; usage ;;
  esac
done

command -v curl >/dev/null || die 2 "curl is required"

sha256() {
  if command -v sha256sum >/dev/null; then sha256sum | cut -d' ' -f1
  else shasum -a 256 | cut -d' ' -f1; fi
}

tf_output() {
  command -v terraform >/dev/null || die 2 "terraform is required to read $1 (or pass it explicitly)"
  terraform -chdir="$tf_dir" output -raw "$1" 2>/dev/null || die 2 "terraform output $1 is empty; run make deploy first"
}

if [ "$mode" = aws ]; then
  expect_auth=1
  expect_hash=1
  [ -n "$base_url" ] || base_url="$(tf_output cloudfront_url)"
  [ -n "$function_url" ] || function_url="$(tf_output function_url)"
  [ "$(terraform -chdir="$tf_dir" output -raw edge_payload_hash 2>/dev/null || true)" = true ] && edge=1 && run_sdk=1
fi
base_url="${base_url%/}"
function_url="${function_url%/}"
chat_url="$base_url/v1/chat/completions"

# --- token -------------------------------------------------------------------
temp_user=""
temp_key=""
cleanup() {
  if [ -n "$temp_user" ]; then
    aws cognito-idp admin-delete-user --user-pool-id "$COGNITO_USER_POOL_ID" --username "$temp_user" >/dev/null 2>&1 ||
      echo "smoke: could not delete temporary user $temp_user" >&2
  fi
  if [ -n "$temp_key" ]; then
    APIKEY_TARGET=aws TF_DIR="$tf_dir" "$here/apikey.sh" revoke "$temp_key" ||
      echo "smoke: could not revoke the temporary API key $temp_key; run make apikey-revoke NAME=$temp_key" >&2
  fi
}
trap cleanup EXIT

jwt="${CHATBOT_JWT:-}"
if [ -z "$jwt" ] && [ "$mode" = aws ]; then
  export COGNITO_USER_POOL_ID="${COGNITO_USER_POOL_ID:-$(tf_output cognito_user_pool_id)}"
  export COGNITO_CLIENT_ID="${COGNITO_CLIENT_ID:-$(tf_output cognito_client_id)}"
  export AWS_REGION="${AWS_REGION:-$(tf_output region)}"
  if [ -z "${CHATBOT_USERNAME:-}" ]; then
    command -v aws >/dev/null || die 2 "the aws CLI is required to create a test user"
    temp_user="smoke-$(date +%s)-$RANDOM@example.invalid"
    # Meets the pool's policy: upper, lower, digits, length >= 14.
    CHATBOT_PASSWORD="Sm0ke-$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')A"
    echo "smoke: creating temporary user $temp_user"
    aws cognito-idp admin-create-user --user-pool-id "$COGNITO_USER_POOL_ID" --username "$temp_user" \
      --message-action SUPPRESS >/dev/null || die 3 "could not create a temporary user"
    aws cognito-idp admin-set-user-password --user-pool-id "$COGNITO_USER_POOL_ID" --username "$temp_user" \
      --password "$CHATBOT_PASSWORD" --permanent >/dev/null || die 3 "could not set the temporary user's password"
    export CHATBOT_USERNAME="$temp_user" CHATBOT_PASSWORD
  fi
  jwt="$("$here/token.sh")" || die 3 "could not get a token (scripts/token.sh)"
fi

auth_args=()
[ -n "$jwt" ] && auth_args=(-H "X-Authorization: Bearer $jwt")

model_field=""
[ -n "${CHATBOT_MODEL:-}" ] && model_field="\"model\":\"${CHATBOT_MODEL}\","
body="{${model_field}\"stream\":true,\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"Hello, I feel a little tired today.\"}]}"
body_hash="$(printf '%s' "$body" | sha256)"

# post URL HASH [curl args...] prints the HTTP status of a POST of $body.
post() {
  local url="$1" hash="$2"
  shift 2
  curl -sS -o /dev/null -w '%{http_code}' --max-time 30 -X POST "$url" \
    -H 'Content-Type: application/json' -H "x-amz-content-sha256: $hash" "$@" --data-binary "$body" || echo 000
}

# A key for checks e-g: made for this run on AWS, given with --api-key locally.
if [ "$mode" = aws ] && [ "${SMOKE_API_KEYS:-1}" != 0 ] && [ -n "$(tf_output api_keys_secret_arn 2>/dev/null || true)" ]; then
  temp_key="smoke-$(date +%s)-$RANDOM"
  echo "smoke: creating temporary API key $temp_key"
  api_key="$(APIKEY_TARGET=aws TF_DIR="$tf_dir" "$here/apikey.sh" add "$temp_key")" || {
    temp_key=""
    die 3 "could not create a temporary API key (scripts/apikey.sh)"
  }
fi

# --- (a) streaming ---------------------------------------------------------------
echo "smoke: (a) streaming through $chat_url"
stream_file="$(mktemp)"
trap 'rm -f "$stream_file"; cleanup' EXIT
set +e
curl -sS -N --fail-with-body --max-time "$timeout" -X POST "$chat_url" \
  -H 'Content-Type: application/json' -H 'Accept: text/event-stream' \
  -H "x-amz-content-sha256: $body_hash" ${auth_args[@]+"${auth_args[@]}"} --data-binary "$body" |
  while IFS= read -r line; do
    line="${line%$'\r'}"
    printf '%s\n' "$line" >>"$stream_file"
    case "$line" in
      'data: [DONE]') ;;
      data:*'"error"'*) printf '\n%s\n' "$line" >&2 ;;
      data:*)
        if command -v jq >/dev/null; then
          printf '%s' "${line#data: }" | jq -j '.choices[0].delta.content // empty' 2>/dev/null
        else
          printf '%s' "$line" | sed -n 's/.*"content":"\(\([^"\\]\|\\.\)*\)".*/\1/p' | tr -d '\n' | sed 's/\\n/ /g; s/\\"/"/g'
        fi ;;
    esac
  done
status=("${PIPESTATUS[@]}")
set -e
echo
if [ "${status[0]}" -ne 0 ]; then
  head -c 500 "$stream_file" >&2 || true
  die 10 "(a) FAILED: the streaming request failed (curl exit ${status[0]})"
fi
if grep -q '^data: {"error"' "$stream_file"; then
  die 10 "(a) FAILED: the stream carried an error frame"
fi
last="$(grep '^data:' "$stream_file" | tail -n 1)"
[ "$last" = "data: [DONE]" ] || die 10 "(a) FAILED: the stream did not end with data: [DONE] (last: ${last:0:200})"
echo "smoke: (a) ok: $(grep -c '^data: {' "$stream_file") chunks, ended with [DONE]"

# --- (b) direct function URL ---------------------------------------------------------
if [ "$mode" = aws ]; then
  echo "smoke: (b) unsigned POST straight to the function URL"
  code="$(post "$function_url/v1/chat/completions" "$body_hash" ${auth_args[@]+"${auth_args[@]}"})"
  [ "$code" = 403 ] || die 11 "(b) FAILED: the function URL answered $code, want 403 (it must only accept CloudFront)"
  echo "smoke: (b) ok: 403"
else
  echo "smoke: (b) skipped in local mode"
fi

# --- (c) no token ---------------------------------------------------------------------
if [ "$expect_auth" = 1 ]; then
  echo "smoke: (c) POST without a token"
  headers_file="$(mktemp)"
  code="$(post "$chat_url" "$body_hash" -D "$headers_file")"
  www="$(grep -i '^www-authenticate:' "$headers_file" || true)"
  rm -f "$headers_file"
  [ "$code" = 401 ] || die 12 "(c) FAILED: answered $code without a token, want 401"
  [ -n "$www" ] || die 12 "(c) FAILED: 401 without a WWW-Authenticate header"
  echo "smoke: (c) ok: 401"
else
  echo "smoke: (c) skipped (auth not expected)"
fi

# --- (d) wrong payload hash -------------------------------------------------------------
if [ "$expect_hash" = 1 ]; then
  echo "smoke: (d) POST with a wrong x-amz-content-sha256"
  wrong="$(printf 'not the body' | sha256)"
  code="$(post "$chat_url" "$wrong" ${auth_args[@]+"${auth_args[@]}"})"
  if [ "$mode" = local ]; then
    [ "$code" = 400 ] || die 13 "(d) FAILED: answered $code to a wrong payload hash, want 400"
  else
    case "$code" in 400|403) ;; *) die 13 "(d) FAILED: answered $code to a wrong payload hash, want 400 or 403" ;; esac
  fi
  echo "smoke: (d) ok: $code"
else
  echo "smoke: (d) skipped (payload hash not required)"
fi

# --- (e) API key ------------------------------------------------------------------------
# post_json URL BODY [curl args...] prints the response body, then the HTTP
# status on its own last line.
post_json() {
  local url="$1" data="$2"
  shift 2
  curl -sS --max-time "$timeout" -w '\n%{http_code}' -X POST "$url" -H 'Content-Type: application/json' \
    -H "x-amz-content-sha256: $(printf '%s' "$data" | sha256)" "$@" --data-binary "$data" || printf '\n000'
}
once='{"stream":false,"max_tokens":32,"messages":[{"role":"user","content":"Hello"}]}'
[ -n "${CHATBOT_MODEL:-}" ] && once="{\"model\":\"${CHATBOT_MODEL}\",${once#\{}"

if [ -n "$api_key" ]; then
  echo "smoke: (e) chat with an API key (Authorization: Bearer sk-…)"
  out="$(post_json "$chat_url" "$once" -H "Authorization: Bearer $api_key")"
  code="$(tail -n 1 <<<"$out")"
  if [ "$code" != 200 ] || ! grep -q '"chat.completion"' <<<"$out"; then
    die 14 "(e) FAILED: answered $code with the API key: $(head -c 300 <<<"$out")"
  fi
  echo "smoke: (e) ok: 200"

  echo "smoke: (f) mint a browser token with the key, chat with the token"
  out="$(post_json "$base_url/v1/tokens" '{"ttl_seconds":300}' -H "Authorization: Bearer $api_key")"
  code="$(tail -n 1 <<<"$out")"
  token="$(sed -n 's/.*"token":"\([^"]*\)".*/\1/p' <<<"$out" | head -n 1)"
  if [ "$code" != 200 ] || [ -z "$token" ]; then
    die 15 "(f) FAILED: POST /v1/tokens answered $code: $(head -c 300 <<<"$out")"
  fi
  out="$(post_json "$chat_url" "$once" -H "X-Authorization: Bearer $token")"
  code="$(tail -n 1 <<<"$out")"
  [ "$code" = 200 ] || die 15 "(f) FAILED: the minted token got $code: $(head -c 300 <<<"$out")"
  echo "smoke: (f) ok: token minted and accepted"
else
  echo "smoke: (e) (f) skipped (no API key: API keys off, SMOKE_API_KEYS=0, or no --api-key)"
fi

# --- (g) unmodified OpenAI SDK ------------------------------------------------------------
if [ "$run_sdk" = 1 ]; then
  if [ -z "$api_key" ] && [ "$expect_auth" = 1 ]; then
    die 16 "(g) FAILED: the SDK check needs an API key"
  fi
  sdk_dir="$here/../test/sdk"
  command -v node >/dev/null || die 2 "node is required for check (g)"
  [ -d "$sdk_dir/node_modules/openai" ] || (cd "$sdk_dir" && npm ci --no-audit --no-fund >/dev/null) ||
    die 2 "could not install the openai SDK (npm ci in test/sdk)"
  echo "smoke: (g) the openai SDK, unmodified, against $base_url/v1$([ "$edge" = 1 ] && echo ' (Lambda@Edge adds the payload hash)')"
  SMOKE_BASE_URL="$base_url/v1" SMOKE_API_KEY="${api_key:-sk-unused}" node "$sdk_dir/cloudfront-smoke.mjs" ||
    die 16 "(g) FAILED: the unmodified SDK could not chat"
  echo "smoke: (g) ok"
else
  if [ "$mode" = aws ]; then
    echo "smoke: (g) skipped (edge_payload_hash is off: unmodified SDKs cannot send x-amz-content-sha256)"
  else
    echo "smoke: (g) skipped (no --sdk)"
  fi
fi

echo "smoke: all checks passed"
