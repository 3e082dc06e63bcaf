#!/usr/bin/env bash
# pot-node's stage worker (pot-train-stage serve, issue 14): a devnet of 3 nodes trains 3
# stages while node 1's worker is killed with SIGKILL twice, once as soon as it starts
# (mid-stage) and once later. Node 1 notices (a failed job is run in a one-shot process and
# logged; an idle dead worker is replaced before the next stage), keeps training, and the
# chain's final state still equals the single-process run. About 90 s.
source "$(dirname "$0")/lib.sh"
DEVNET="$POT_SOURCE_DIR/scripts/pot-devnet"
"$DEVNET" --bin "$POT_TOOL_DIR" --nodes 3 --stages 3 --samples-per-stage 64 --dir "$T/net" \
  --timeout 400 --json "$T/result.json" >"$T/out" 2>"$T/err" &
devnet=$!
killed=()
# kill_worker: SIGKILL to node 1's current worker once it is a new one.
kill_worker() {
  local pid
  for _ in $(seq 1200); do
    pid="$(cat "$T/net/n1/worker.pid" 2>/dev/null)"
    if [ -n "$pid" ] && [[ " ${killed[*]} " != *" $pid "* ]] && kill -0 "$pid" 2>/dev/null; then
      kill -KILL "$pid" && killed+=("$pid") && return 0
    fi
    kill -0 "$devnet" 2>/dev/null || return 1
    sleep 0.1
  done
  return 1
}
kill_worker && pass || fail "node 1 never started a stage worker"
kill_worker && pass || fail "node 1 did not start a new worker after the first was killed"
wait "$devnet"
rc=$?
[ "$rc" = 0 ] && pass || fail "pot-devnet exit $rc: $(tail -5 "$T/err")"
get() { /usr/bin/python3 -c "import json; print(json.load(open('$T/result.json'))$1)"; }
[ "$(get '["identical"]')" = True ] && [ "$(get '["agree"]')" = True ] && pass ||
  fail "final state or chains differ: $(cat "$T/result.json")"
# Node 1 went on training after the kills: a worker newer than both killed ones, or a
# one-shot run logged for the job a kill interrupted.
grep -q "trained stage" "$T/net/logs/node1.log" && pass || fail "node 1 trained nothing"
grep -q "the stage worker (pid ${killed[0]}) died" "$T/net/logs/node1.log" && pass ||
  fail "node 1 did not notice its worker died mid-stage: $(grep -i worker "$T/net/logs/node1.log")"
sleep 0.5
pgrep -f "$T/net" >/dev/null && fail "processes left running: $(pgrep -af "$T/net")" || pass
finish
