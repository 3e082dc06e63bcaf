# Shared helpers for CLI tests that run pot-node networks: sourced after lib.sh, never run.
NODE="$POT_SOURCE_DIR/scripts/pot-node"
PIDS=()
# stop_all: SIGTERM to everything the test started, then wait for it, so a
# test can check that nothing is left running.
stop_all() {
  local p
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
  PIDS=()
}
trap 'stop_all; [ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT
wait_file() { for _ in $(seq 300); do [ -s "$1" ] && return 0; sleep 0.1; done; fail "no $1"; return 1; }
# ep I KEY: an endpoint from node I's "KEY VALUE" endpoints file.
ep() { awk -v k="$2" '$1==k{print $2}' "$T/n$1/endpoints"; }
# start_node I [pot-node options...]: node I as pot-devnet starts one, key
# $T/nodeI.pem, genesis $T/genesis, repositories listed in $T/repos.
start_node() {
  local i="$1"; shift
  "$NODE" --home "$T/n$i" --key "$T/node$i.pem" --genesis "$T/genesis" --repo-file "$T/repos" \
    --bin "$POT_TOOL_DIR" "$@" 2>>"$T/node$i.log" &
  PIDS+=($!)
  wait_file "$T/n$i/endpoints"
}
