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
