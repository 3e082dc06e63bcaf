#!/usr/bin/env bash
# The EXAMPLES of man/pot-evaluate.1 run verbatim (DESIGN 8), in a scratch folder: one state
# evaluated, then every stage of a one-node chain (--per-stage). Cost: a few seconds.
source "$(dirname "$0")/lib.sh"
PAGE="$POT_SOURCE_DIR/man/pot-evaluate.1"
man_examples "$PAGE"
[ "$(grep -c pot-evaluate "$T/examples.sh")" -ge 4 ] && pass ||
  fail "no examples found in $PAGE: $(cat "$T/examples.sh")"
mkdir "$T/run"
expect_exit 0 bash -c "cd '$T/run' && set -e && . '$T/examples.sh'"
# The table's three rows (S_0, stages 1 and 2), then the JSON with training losses.
[ "$(grep -c '^ *[0-2]  *[0-9]*  *0\.[0-9]\{4\}  ' "$T/out")" = 3 ] && pass ||
  fail "per-stage table: $(cat "$T/out")"
expect_grep '"trainingLossFrom": "re-run"' "$T/out"
finish
