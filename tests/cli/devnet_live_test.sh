#!/usr/bin/env bash
# The employer's own CSV through pot-devnet, left running as a test network
# (issue 12, "Must hold"): 3 nodes train a 4-feature CSV with text labels for
# 2 stages (the final state equals the single-process run); after that the
# network keeps making blocks for 2 more minutes (the height grows in every
# 60-s window); a request registered then, served by a new repository the
# nodes learn of through the devnet's repository file, is trained to its last
# stage; killing pot-devnet stops everything it started.
# Cost: about 3.5 minutes, 2 of them the required idle stretch.
source "$(dirname "$0")/lib.sh"
D="$T/net"
/usr/bin/python3 - "$T" <<'PY'
import random, sys
random.seed(1)
for name, n in (("data.csv", 200), ("more.csv", 64)):
    with open(f"{sys.argv[1]}/{name}", "w") as f:
        f.write("a,b,c,d,kind\n")
        for _ in range(n):
            k = random.randrange(3)
            f.write(",".join("%.3f" % random.gauss(k, 1.0) for _ in range(4)) + ",%s\n" % ("setosa", "versicolor", "virginica")[k])
PY
"$POT_SOURCE_DIR/scripts/pot-devnet" --bin "$POT_TOOL_DIR" --nodes 3 --stages 2 --samples-per-stage 64 \
  --csv "$T/data.csv" --arch mlp:4-8-3 --dir "$D" --timeout 800 --json "$T/result.json" --keep-running \
  >"$T/out" 2>"$T/err" &
DEVNET=$!
stop_devnet() { kill -TERM "$DEVNET" 2>/dev/null; wait "$DEVNET" 2>/dev/null; }
trap 'stop_devnet; rm -rf "$T"' EXIT
for _ in $(seq 1500); do [ -s "$D/running" ] && break; kill -0 "$DEVNET" 2>/dev/null || break; sleep 0.5; done
[ -s "$D/running" ] && pass || { fail "the devnet did not reach keep-running: $(tail -5 "$T/err")"; finish; exit 1; }
/usr/bin/python3 -c "import json; r=json.load(open('$T/result.json')); assert r['identical'] and r['agree'], r" &&
  pass || fail "CSV devnet: $(cat "$T/result.json")"
expect_grep "partitioning csv" "$T/err"
expect_grep "accuracy below is on the employer's own csv data" "$T/err"
expect_grep "Stop it with: kill $DEVNET" "$T/err"
ep() { local k v; while read -r k v; do [ "$k" = "$2" ] && echo "$v"; done <"$D/n$1/endpoints"; }
height() { pot-chaind query --connect "$(ep 1 chaind)" tip | pot-json get height; }

# Two more minutes of blocks with the employer's model done: the height grows
# in each of two 60-s windows (a dummy stage takes 5-40 s on a loaded 2-core
# machine, so 30-s windows were too short there).
h0="$(height)"
for w in 1 2; do
  sleep 60
  h="$(height)"
  [ "$h" -gt "$h0" ] && pass || fail "no block in the 60-s window $w after the model was done (height $h)"
  h0="$h"
done

# Then a new request: partitioned, served, listed in the devnet's repository
# file, registered and funded by the devnet's employer key.
pot-partition -q -k "$D/employer.pem" -o "$T/more" --csv "$T/more.csv" -a mlp:4-8-3 -b 16 \
  --samples-per-stage 32 --lr 0.05 --seed 9 --profile portable-fast -C 2 --fee 1000000 >"$T/more.id" &&
  pass || fail "partition"
MORE="$(cat "$T/more.id")"
pot-repo serve "$T/more" --chaind "$(ep 1 chaind)" --endpoint-file "$T/more.ep" --quiet &
REPO_PID=$!
trap 'kill -TERM "$REPO_PID" 2>/dev/null; wait "$REPO_PID" 2>/dev/null; stop_devnet; rm -rf "$T"' EXIT
for _ in $(seq 50); do [ -s "$T/more.ep" ] && break; sleep 0.1; done
cat "$T/more.ep" >>"$D/repos"
NONCE="$(pot-chaind query --connect "$(ep 1 chaind)" account "$D/employer.pem" | pot-json get nonce)"
pot-tx register -k "$D/employer.pem" --request "$T/more/request" --fee 1000 --nonce "$NONCE" -o "$T/tx1" >/dev/null &&
pot-tx deposit -k "$D/employer.pem" --request "$T/more/request" --amount 3000000 --fee 500 \
  --nonce $((NONCE + 1)) -o "$T/tx2" >/dev/null &&
pot-gossip publish --control "$(ep 1 gossip-control)" "$T/tx1" "$T/tx2" >/dev/null && pass || fail "register"
done_stage=0
for _ in $(seq 240); do
  done_stage="$(pot-chaind query --connect "$(ep 1 chaind)" model "$MORE" 2>/dev/null | pot-json get lastStage 2>/dev/null || echo 0)"
  [ "$done_stage" = 2 ] && break
  sleep 0.5
done
[ "$done_stage" = 2 ] && pass || fail "the late request reached stage $done_stage of 2"
# pot-node status of a running node: it has made declarations.
"$POT_SOURCE_DIR/scripts/pot-node" status "$D/n1" --bin "$POT_TOOL_DIR" >"$T/status.txt" && pass || fail "status"
expect_grep "(running, pid" "$T/status.txt"
expect_grep "declared stage" "$T/status.txt"
kill -TERM "$REPO_PID"; wait "$REPO_PID" 2>/dev/null
stop_devnet
sleep 0.5
pgrep -f "$D" >/dev/null && fail "processes left running: $(pgrep -af "$D")" || pass
finish
