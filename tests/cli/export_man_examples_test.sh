#!/usr/bin/env bash
# The EXAMPLES of man/pot-export.1 run verbatim (DESIGN 8), in a scratch folder.
source "$(dirname "$0")/lib.sh"
PAGE="$POT_SOURCE_DIR/man/pot-export.1"
man_examples "$PAGE"
[ "$(grep -c pot-export "$T/examples.sh")" -ge 2 ] && pass ||
  fail "no examples found in $PAGE: $(cat "$T/examples.sh")"
mkdir "$T/run"
expect_exit 0 bash -c "cd '$T/run' && set -e && . '$T/examples.sh'"
[ -s "$T/run/s1.safetensors" ] && [ -s "$T/run/py/pot_model.py" ] && [ -s "$T/run/latest.safetensors" ] && pass ||
  fail "the examples did not write the export and the module"
finish
