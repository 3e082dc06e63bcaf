# Sourced by the adversarial pot-train-stage shims: real_tool NAME prints the
# first NAME on PATH that is not in the shim's own directory, so pot-node (run
# with the shim's directory as --bin, or first on PATH) keeps every other tool.
real_tool() {
  local d self
  self="$(cd "$(dirname "${BASH_SOURCE[1]}")" && pwd)"
  local IFS=:
  for d in $PATH; do
    [ -n "$d" ] && [ -x "$d/$1" ] && [ "$(cd "$d" 2>/dev/null && pwd)" != "$self" ] && { echo "$d/$1"; return 0; }
  done
  return 1
}
# shim_args ARGS...: REPO, STAGE, OUT, STATE and TRACE from pot-node's call
# "pot-train-stage -q --repo REPO -s STAGE [--state S] -o OUT [--loss-trace TRACE]",
# and ARGS: the call without --loss-trace (a shim writes TRACE itself, and the
# real tool refuses the option twice).
shim_args() {
  REPO="" STAGE="" OUT="" STATE="" TRACE="" ARGS=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --repo) REPO="$2"; ARGS+=("$1" "$2"); shift 2 ;;
      -s|--stage) STAGE="$2"; ARGS+=("$1" "$2"); shift 2 ;;
      -o) OUT="$2"; ARGS+=("$1" "$2"); shift 2 ;;
      --state) STATE="$2"; ARGS+=("$1" "$2"); shift 2 ;;
      --loss-trace) TRACE="$2"; shift 2 ;;
      *) ARGS+=("$1"); shift ;;
    esac
  done
}
# shim_serve ARGS...: when ARGS is "serve ...", plays pot-train-stage's stage
# worker (pot-node keeps one) by running each job line through this shim as a
# one-shot call, answered as the real worker answers (the one-shot's standard
# output, "error MESSAGE" on a failure, "exit CODE"), then exits; otherwise
# returns. The adversary stays in every stage the node trains.
shim_serve() {
  [ "${1:-}" = serve ] || return 0
  local line rc words tmp
  tmp="$(mktemp -d)"
  while IFS= read -r line; do
    if [[ "$line" == *$'\t'* ]]; then IFS=$'\t' read -r -a words <<<"$line"
    else read -r -a words <<<"$line"; fi
    [ "${#words[@]}" -gt 0 ] || continue
    "$0" "${words[@]}" >"$tmp/out" 2>"$tmp/err"
    rc=$?
    cat "$tmp/out"
    [ "$rc" = 0 ] || printf 'error %s\n' "$(head -1 "$tmp/err" | sed 's/^[^:]*: [a-z]*: //')"
    printf 'exit %s\n' "$rc"
  done
  rm -rf "$tmp"
  exit 0
}
