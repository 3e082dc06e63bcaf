#!/usr/bin/env bash
# The EXAMPLES of man/pot-audit.1 run verbatim (DESIGN 8), in a scratch folder.
source "$(dirname "$0")/lib.sh"
PAGE="$POT_SOURCE_DIR/man/pot-audit.1"
man_examples "$PAGE"
[ "$(grep -c pot-audit "$T/examples.sh")" -ge 3 ] && pass ||
  fail "no examples found in $PAGE: $(cat "$T/examples.sh")"
mkdir "$T/run"
expect_exit 0 bash -c "cd '$T/run' && set -e && . '$T/examples.sh'"
expect_grep '^audited 3 stages: 3 ok' "$T/out"
expect_grep '"checked": 1, "ok": 1' "$T/out"
[ -s "$T/run/audit.json" ] && pass || fail "the resume file was not written"
finish
