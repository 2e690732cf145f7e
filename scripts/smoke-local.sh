#!/usr/bin/env bash
# Builds the gateway, starts it on a free loopback port with the given
# environment, runs scripts/smoke.sh --local against it and stops it.
#
# Usage: scripts/smoke-local.sh [smoke.sh flags] [-- NAME=VALUE ...]
#   e.g. scripts/smoke-local.sh --expect-hash -- REQUIRE_CONTENT_SHA256=true
#
# Exit code: smoke.sh's, or 2 when the gateway cannot be built or started.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
flags=()
while [ $# -gt 0 ] && [ "$1" != -- ]; do flags+=("$1"); shift; done
[ "${1:-}" = -- ] && shift
envs=("$@")

work="$(mktemp -d)"
pid=""
stop() {
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap stop EXIT

(cd "$root" && go build -o "$work/chatbot" ./cmd/chatbot) || { echo "smoke-local: build failed" >&2; exit 2; }

free_port() {
  local p
  for _ in $(seq 50); do
    p=$((20000 + RANDOM % 40000))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then
      echo "$p"
      return 0
    fi
  done
  return 1
}

for attempt in 1 2 3; do
  port="$(free_port)" || { echo "smoke-local: no free port" >&2; exit 2; }
  env -i PATH="$PATH" HOME="${HOME:-/tmp}" CHATBOT_ADDR="127.0.0.1:$port" CHATBOT_WEB_DIR="$work/no-web" \
    ${envs[@]+"${envs[@]}"} "$work/chatbot" >"$work/gateway.log" 2>&1 &
  pid=$!
  for _ in $(seq 100); do
    if curl -fsS -o /dev/null --max-time 1 "http://127.0.0.1:$port/healthz" 2>/dev/null; then
      break 2
    fi
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
  pid=""
  echo "smoke-local: gateway did not start (attempt $attempt):" >&2
  tail -n 5 "$work/gateway.log" >&2
done
[ -n "$pid" ] || exit 2

# Settings are shown by name only when they hold a key or secret.
shown=()
for e in ${envs[@]+"${envs[@]}"}; do
  case "${e%%=*}" in
    *KEY* | *SECRET* | *TOKEN*) shown+=("${e%%=*}=(set)") ;;
    *) shown+=("$e") ;;
  esac
done
echo "smoke-local: gateway on 127.0.0.1:$port with ${shown[*]:-defaults}"
set +e
"$root/scripts/smoke.sh" --local "http://127.0.0.1:$port" ${flags[@]+"${flags[@]}"}
rc=$?
set -e
if [ "$rc" -ne 0 ]; then
  echo "smoke-local: gateway log:" >&2
  tail -n 20 "$work/gateway.log" >&2
fi
exit "$rc"
