#!/usr/bin/env bash
# The EXAMPLES of man/pot-train-stage.1 run verbatim (DESIGN 8), in a scratch folder.
source "$(dirname "$0")/lib.sh"
PAGE="$POT_SOURCE_DIR/man/pot-train-stage.1"
man_examples "$PAGE"
[ "$(grep -c pot-train-stage "$T/examples.sh")" -ge 4 ] && pass ||
  fail "no examples found in $PAGE: $(cat "$T/examples.sh")"
mkdir "$T/run"
expect_exit 0 bash -c "cd '$T/run' && set -e && . '$T/examples.sh'"
# Every example ran to its end, and the audit held.
[ -s "$T/run/s3" ] && pass || fail "the last example did not write s3: $(cat "$T/err")"
grep -q "is not what was claimed" "$T/out" && fail "the audit example failed" || pass
expect_grep 'mlp-sgd-momentum .* ok$' "$T/out"
finish
