#!/usr/bin/env bash
# The last line of make test: it passed, and which steps did not run here.
# Steps that cannot run on this machine (no terraform CLI, no provider
# registry, no shellcheck) print "SKIPPED: <step>: <why>" and append that
# line to the file named by $1; this counts and names them.
#
# Usage: scripts/test-summary.sh SKIPPED_FILE
set -euo pipefail

file="${1:?usage: test-summary.sh SKIPPED_FILE}"
if [ ! -s "$file" ]; then
  echo "make test: every step ran and passed; 0 skipped"
  exit 0
fi
n="$(grep -c '^SKIPPED: ' "$file" || true)"
names="$(sed -n 's/^SKIPPED: \([^:]*\):.*/\1/p' "$file" | paste -sd';' - | sed 's/;/; /g')"
if [ "$n" = 1 ]; then were="1 step was"; else were="$n steps were"; fi
echo "make test: passed, but $were skipped (the SKIPPED lines above say why): $names"
