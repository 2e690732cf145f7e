#!/usr/bin/env bash
# Measures what the README states about a first run: the time from
# `git clone` to the first streamed answer of `make run`, with empty Go
# module, Go build and npm caches, and prints it with the load average at
# the clone and at the answer (the first Go build grows with the load).
#
#   scripts/first-answer.sh [repository]    (default: this clone)
#
# The clone, its caches and the gateway it starts live in a temporary
# directory that is removed at the end. Linux (/proc/loadavg).
set -euo pipefail

repo="${1:-$(git rev-parse --show-toplevel)}"
addr="${CHATBOT_ADDR:-127.0.0.1:18080}"
tmp="$(mktemp -d)"
run=
cleanup() {
  if [ -n "$run" ]; then kill -INT -- "-$run" 2>/dev/null || true; wait "$run" 2>/dev/null || true; fi
  rm -rf "$tmp"
}
trap cleanup EXIT

export GOMODCACHE="$tmp/gomod" GOCACHE="$tmp/gocache" npm_config_cache="$tmp/npm" GOFLAGS=-modcacherw
load0="$(cut -d' ' -f1 /proc/loadavg)"
start="$(date +%s.%N)"
git clone -q "$repo" "$tmp/src"
(cd "$tmp/src" && CHATBOT_ADDR="$addr" exec setsid make run >"$tmp/run.log" 2>&1) &
run=$!
until curl -sf "http://$addr/healthz" >/dev/null 2>&1; do
  if ! kill -0 "$run" 2>/dev/null; then
    echo "make run ended before the gateway answered:" >&2
    cat "$tmp/run.log" >&2
    exit 1
  fi
  sleep 0.2
done
# grep stops at the first chunk, which cuts curl short: only grep's status
# says whether an answer came.
set +o pipefail
curl -sN --max-time 60 "http://$addr/v1/chat/completions" -H 'Content-Type: application/json' \
  -d '{"model":"eliza","stream":true,"messages":[{"role":"user","content":"hello"}]}' | grep -m1 -q '^data: {'
got="${PIPESTATUS[1]}"
set -o pipefail
if [ "$got" != 0 ]; then
  echo "the gateway answered /healthz but streamed no answer" >&2
  exit 1
fi
end="$(date +%s.%N)"
load1="$(cut -d' ' -f1 /proc/loadavg)"
awk -v s="$start" -v e="$end" -v l0="$load0" -v l1="$load1" -v n="$(nproc)" 'BEGIN {
  printf "clone to first streamed answer: %.0f s (load average %s at the clone, %s at the answer; %s cores)\n", e - s, l0, l1, n }'
