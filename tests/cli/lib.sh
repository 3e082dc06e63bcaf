# Shared helpers for CLI tests: sourced, never run. Tools come from $POT_TOOL_DIR.
set -uo pipefail
: "${POT_TOOL_DIR:?POT_TOOL_DIR must point at the built tools}"
export PATH="$POT_TOOL_DIR:$PATH"
T="$(mktemp -d "${TMPDIR:-/tmp}/pot-cli.XXXXXX")"
trap 'rm -rf "$T"' EXIT
FAILS=0
CHECKS=0

fail() { echo "FAIL: $*" >&2; FAILS=$((FAILS + 1)); }
pass() { CHECKS=$((CHECKS + 1)); }

# expect_exit CODE CMD...: runs CMD with stderr in $T/err, checks its exit code.
expect_exit() {
  local want="$1"; shift
  "$@" >"$T/out" 2>"$T/err"
  local got=$?
  if [ "$got" -ne "$want" ]; then
    fail "expected exit $want, got $got: $* ($(head -c 300 "$T/err"))"
  else
    pass
  fi
}

# expect_one_line_error TOOL: stderr is exactly one "TOOL: error: ..." line.
expect_one_line_error() {
  local tool="$1"
  if [ "$(wc -l <"$T/err")" -ne 1 ] || ! grep -q "^$tool: error: " "$T/err"; then
    fail "expected one '$tool: error:' line, got: $(cat "$T/err")"
  else
    pass
  fi
}

expect_grep() {  # expect_grep PATTERN FILE
  if grep -q -- "$1" "$2"; then pass; else fail "'$1' not in $2: $(head -c 300 "$2")"; fi
}

expect_no_file() {
  if [ -e "$1" ]; then fail "file '$1' should not exist"; else pass; fi
  if ls "$1".tmp.* >/dev/null 2>&1; then fail "temp file left beside '$1'"; fi
}

finish() {
  echo "$CHECKS checks, $FAILS failures"
  [ "$FAILS" -eq 0 ]
}

# man_examples PAGE: the lines between .nf and .fi after .SH EXAMPLES of a man
# page, with groff's escapes undone (\\ and \e are a backslash, \- a minus), into
# $T/examples.sh (DESIGN 8: examples run verbatim).
man_examples() {
  sed -n '/^\.SH EXAMPLES/,/^\.SH /{/^\.nf/,/^\.fi/p}' "$1" | sed '1d;$d' |
    sed -e 's/\\\\/\\/g' -e 's/\\e/\\/g' -e 's/\\-/-/g' >"$T/examples.sh"
}

# scripts_in DIR: DIR/scripts/ with a link to each of the source tree's scripts, for
# examples that call scripts/pot-node and the like. Links to the files, not to the folder:
# a script looks for tools in its own ../build/bin first, and through a folder link that
# would be the source tree's build, not the one under test ($POT_TOOL_DIR, on PATH).
scripts_in() {
  mkdir -p "$1/scripts" && ln -s "$POT_SOURCE_DIR"/scripts/* "$1/scripts/"
}

# run_examples DIR: runs $T/examples.sh (see man_examples) verbatim in DIR under `set -e`,
# after DIR/.env (what the test prepared: endpoints, hashes), in a session of its own, its
# output in DIR/.out and DIR/.err. Whatever the block left running (a daemon it started in
# the background and did not stop because a later line failed) is stopped afterwards, so
# nothing outlives the test. Returns the block's exit code.
run_examples() {
  local d="$1" rc pg
  cp "$T/examples.sh" "$d/.examples.sh"
  [ -f "$d/.env" ] || : >"$d/.env"
  rm -f "$d/.pgid"
  # A new shell: `set -e` holds there (in a subshell tested by `if` it would not).
  setsid -w bash -c 'cd "$1" && echo $$ >.pgid && set -e && . ./.env && . ./.examples.sh' _ "$d" \
    >"$d/.out" 2>"$d/.err" </dev/null
  rc=$?
  pg="$(cat "$d/.pgid" 2>/dev/null)"
  if [ -n "$pg" ]; then
    kill -TERM -- "-$pg" 2>/dev/null
    for _ in $(seq 100); do pgrep -g "$pg" >/dev/null || break; sleep 0.1; done
    kill -KILL -- "-$pg" 2>/dev/null
  fi
  return "$rc"
}
