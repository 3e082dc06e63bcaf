#!/usr/bin/env bash
# kill -9 and restart (issue 12): three pot-node nodes on loopback
# (pot-testnet --loopback); four times a random node gets kill -9 at a random
# moment: its loop, its chaind, its gossip daemon or all of it at once (each
# kind once), the rest of that node after it, and it is started again on the
# same home. Each time its store still holds every block it had (height not
# lower), every state file is whole (named by its hash); afterwards it
# declares again (goes on training) and every node ends on the same tip.
# Costs about 2 minutes.
source "$(dirname "$0")/lib.sh"
"$POT_SOURCE_DIR/scripts/pot-testnet" --bin "$POT_TOOL_DIR" --loopback --nodes 3 --stages 3 --kill 4 \
  --port-base 32500 --dir "$T/net" --timeout 420 --json "$T/result.json" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" = 0 ] && pass || fail "pot-testnet exit $rc: $(tail -8 "$T/err")"
cat "$T/out"
[ -s "$T/result.json" ] || { fail "no result"; finish; exit 1; }
get() { /usr/bin/python3 -c "import json; r = json.load(open('$T/result.json')); print(r$1)"; }
[ "$(get '["restarts"]')" = 4 ] && pass || fail "restarts: $(get '["restarts"]')"
for kind in loop chaind gossip node; do
  grep -q "kill -9 of node [0-9]*'s $kind at" "$T/err" && pass || fail "no kill of a $kind: $(grep kill "$T/err")"
done
[ "$(get '["lostData"]')" = 0 ] && pass || fail "a restarted node lost data: $(grep LOST "$T/err")"
[ "$(get '["restartedTrainedOn"]')" = "$(get '["restartedNodes"]')" ] && pass ||
  fail "a restarted node did not declare again: $(grep declar "$T/err")"
[ "$(get '["sameTip"]')" = yes ] && pass || fail "nodes on different tips"
[ "$(get '["models"]["employer"]["blocks"]')" = 3 ] && pass || fail "employer blocks: $(get '["models"]')"
sleep 0.5
pgrep -f "$T/net" >/dev/null && fail "processes left running: $(pgrep -af "$T/net")" || pass
finish
