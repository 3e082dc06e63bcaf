#!/usr/bin/env bash
# The EXAMPLES of man/pot-report.1 run verbatim (DESIGN 8), in a scratch folder. Cost: a few
# seconds (three 64-sample stages, 1000-sample evaluations).
source "$(dirname "$0")/lib.sh"
PAGE="$POT_SOURCE_DIR/man/pot-report.1"
man_examples "$PAGE"
[ "$(grep -c pot-report "$T/examples.sh")" -ge 3 ] && pass ||
  fail "no examples found in $PAGE: $(cat "$T/examples.sh")"
mkdir "$T/run"
expect_exit 0 bash -c "cd '$T/run' && set -e && . '$T/examples.sh'"
expect_grep '<title>PoT report: model' "$T/run/report.html"
expect_grep '<td>trace</td>' "$T/run/report.html"
expect_grep '<td>re-run</td>' "$T/run/report.html"
expect_grep '<td>node</td>' "$T/run/report.html"
expect_grep 'not evaluated (--no-evaluate)' "$T/run/quick.html"
head -c 12 "$T/run/stages.svg" | grep -q '^<svg xmlns' && pass || fail "stages.svg is not an SVG"
finish
