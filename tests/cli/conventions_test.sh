#!/usr/bin/env bash
# Every built tool follows DESIGN 7: --help and --version exit 0, an unknown
# option exits 2 with one error line (naming the nearest option), and a man
# page with every section.
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
  # A slip of two letters in an option every tool has: the hint names it.
  expect_exit 2 "$bin" --hlep
  expect_grep "unknown option '--hlep'; did you mean '--help'?" "$T/err"
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
# A mistyped option names the option meant (tool.cpp, for every tool),
# whether it is the subcommand's or the tool's own.
if [ -x "$POT_TOOL_DIR/pot-chaind" ]; then
  expect_exit 2 pot-chaind run --db "$T/x.db" --sync-frm tcp://127.0.0.1:1
  expect_grep "^pot-chaind: error: unknown option '--sync-frm'; did you mean '--sync-from'? (see --help)\$" "$T/err"
  expect_one_line_error pot-chaind
  expect_exit 2 pot-chaind query --conect tcp://127.0.0.1:1 tip
  expect_grep "did you mean '--connect'?" "$T/err"
  expect_exit 2 pot-chaind --verison
  expect_grep "did you mean '--version'?" "$T/err"
  expect_exit 2 pot-chaind run --db "$T/x.db" --frobnicate-everything
  expect_grep "^pot-chaind: error: unknown option '--frobnicate-everything' (see --help)\$" "$T/err"
  expect_no_file "$T/x.db"
fi
if [ -x "$POT_TOOL_DIR/pot-gossip" ]; then
  expect_exit 2 pot-gossip run --bind 'tcp://127.0.0.1:*' --genesys g
  expect_grep "did you mean '--genesis'?" "$T/err"
fi
finish
