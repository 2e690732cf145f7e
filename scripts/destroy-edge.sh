#!/usr/bin/env bash
# Deletes the Lambda@Edge payload-hash functions `make destroy` had to leave
# behind.
#
# Why they are left: CloudFront runs copies (replicas) of a Lambda@Edge
# function at its edge locations. After the distribution is deleted or stops
# using the function, CloudFront removes those copies over a few hours, and
# until it has, Lambda refuses to delete the function ("replicated
# function"). terraform/edge.tf therefore sets skip_destroy: `terraform
# destroy` forgets the function instead of failing, and `make destroy` records
# its name in .local/leftover-edge-functions for this script.
#
# Usage: scripts/destroy-edge.sh [--wait MINUTES] [NAME...]
#   NAME defaults to every name in .local/leftover-edge-functions. With
#   --wait the script retries every 10 minutes for up to MINUTES.
#
# Exit codes: 0 nothing left; 1 some functions still replicated (run again
# later); 2 usage or a missing tool; 3 another AWS error.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
list="${EDGE_LEFTOVERS:-$root/.local/leftover-edge-functions}"
wait_minutes=0

while [ $# -gt 0 ]; do
  case "$1" in
    --wait) wait_minutes="${2:?--wait needs minutes}"; shift 2 ;;
    -h | --help) sed -n '2,20p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 2 ;;
    -*) echo "destroy-edge: unknown option $1" >&2; exit 2 ;;
    *) break ;;
  esac
done
names=("$@")
if [ ${#names[@]} -eq 0 ] && [ -f "$list" ]; then
  mapfile -t names < <(grep -v '^[[:space:]]*$' "$list" | sort -u)
fi
if [ ${#names[@]} -eq 0 ]; then
  echo "destroy-edge: no Lambda@Edge functions left to delete"
  exit 0
fi
command -v aws >/dev/null || { echo "destroy-edge: the aws CLI is required" >&2; exit 2; }

forget() {
  [ -f "$list" ] || return 0
  local tmp
  tmp="$(mktemp "$list.XXXXXX")"
  grep -vxF "$1" "$list" >"$tmp" || true
  mv "$tmp" "$list"
}

deadline=$(($(date +%s) + wait_minutes * 60))
while :; do
  remaining=()
  for name in "${names[@]}"; do
    if out="$(aws lambda delete-function --region us-east-1 --function-name "$name" 2>&1)"; then
      echo "destroy-edge: deleted $name"
      forget "$name"
    elif grep -q 'ResourceNotFoundException' <<<"$out"; then
      echo "destroy-edge: $name is already gone"
      forget "$name"
    elif grep -qi 'replica' <<<"$out"; then
      remaining+=("$name")
    else
      echo "destroy-edge: could not delete $name: $out" >&2
      exit 3
    fi
  done
  [ ${#remaining[@]} -eq 0 ] && exit 0
  names=("${remaining[@]}")
  if [ "$(date +%s)" -ge "$deadline" ]; then
    echo "destroy-edge: ${names[*]}: CloudFront is still removing the function's copies at its edge locations."
    echo "destroy-edge: this usually takes a few hours after the distribution let go of it. Nothing runs or"
    echo "destroy-edge: costs meanwhile. Run 'make destroy-edge' again later (or 'make destroy-edge WAIT=180')."
    exit 1
  fi
  echo "destroy-edge: ${names[*]} still replicated; retrying in 10 minutes"
  sleep 600
done
