#!/usr/bin/env bash
# Regenerates terraform/testdata/provider-arguments.txt: the argument and
# nested-block names hashicorp/aws documents for every aws_* resource and data
# source the configuration uses. The Go tests in terraform/ check the HCL
# against it offline.
#
# Source: the npm package @cdktf/provider-aws (generated from a hashicorp/aws
# release), whose typings link each argument to docs/<kind>/<type>#<argument>.
#
# Usage: scripts/provider-args.sh [TYPINGS_DIR]
#   TYPINGS_DIR is an installed @cdktf/provider-aws package; without it the
#   package is installed into a temporary directory with npm.
set -euo pipefail

version=21.22.1 # generated from hashicorp/aws 6.25.0
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="$root/terraform/testdata/provider-arguments.txt"
dir="${1:-}"

if [ -z "$dir" ]; then
  command -v npm >/dev/null || { echo "provider-args: npm is required" >&2; exit 2; }
  tmp="$(mktemp -d)"
  trap 'rm -rf "$tmp"' EXIT
  echo "provider-args: installing @cdktf/provider-aws@$version (large) into $tmp" >&2
  npm install --prefix "$tmp" --ignore-scripts --no-audit --no-fund --loglevel=error \
    "@cdktf/provider-aws@$version" >&2
  dir="$tmp/node_modules/@cdktf/provider-aws"
fi
[ -d "$dir/lib" ] || { echo "provider-args: $dir is not a @cdktf/provider-aws package" >&2; exit 2; }

types="$(grep -hoE '^(resource|data) "aws_[a-z0-9_]+"' "$root"/terraform/*.tf "$root"/terraform/*/*.tf |
  sed -E 's/^resource "aws_/resources /; s/^data "aws_/data-sources /; s/"$//' | sort -u)"

mkdir -p "$(dirname "$out")"
{
  echo "# Arguments documented by hashicorp/aws 6.25.0 (@cdktf/provider-aws@$version)"
  echo "# for the types terraform/ uses. Regenerate: scripts/provider-args.sh"
  while read -r kind type; do
    lib="${type//_/-}"
    [ "$kind" = data-sources ] && lib="data-aws-$lib"
    file="$dir/lib/$lib/index.d.ts"
    [ -f "$file" ] || { echo "provider-args: no typings for $kind/$type" >&2; exit 1; }
    grep -oE "docs/$kind/$type#[a-z0-9_]+" "$file" | sed -E "s|docs/||; s|#| |" | sort -u
  done <<<"$types"
} >"$out"
echo "provider-args: wrote $out" >&2
