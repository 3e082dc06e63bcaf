#!/usr/bin/env bash
# Every built tool follows DESIGN 7: --help and --version exit 0, an unknown
# option exits 2 with one error line, and a man page with every section.
source "$(dirname "$0")/lib.sh"

SECTIONS=(NAME SYNOPSIS DESCRIPTION INPUT OUTPUT OPTIONS "EXIT STATUS" EXAMPLES "SEE ALSO")
n=0
for bin in "$POT_TOOL_DIR"/pot-*; do
  [ -x "$bin" ] || continue
  tool="$(basename "$bin")"
  n=$((n + 1))
  expect_exit 0 "$bin" --help
  expect_grep "Usage" "$T/out"
  expect_exit 0 "$bin" --version
  expect_grep "^$tool " "$T/out"
  expect_exit 2 "$bin" --no-such-option
  expect_one_line_error "$tool"
  page="$POT_SOURCE_DIR/man/$tool.1"
  if [ ! -f "$page" ]; then fail "no man page for $tool"; continue; fi
  for s in "${SECTIONS[@]}"; do
    grep -q "^\.SH \"\?$s\"\?\$" "$page" && pass || fail "$tool.1 lacks section $s"
  done
  # The page renders without warnings.
  if command -v groff >/dev/null; then
    groff -man -Tutf8 -ww "$page" 2>"$T/groff" >/dev/null
    [ -s "$T/groff" ] && fail "$tool.1 renders with warnings: $(head -c 200 "$T/groff")" || pass
  fi
done
[ "$n" -ge 2 ] && pass || fail "found only $n tools in $POT_TOOL_DIR"
finish
