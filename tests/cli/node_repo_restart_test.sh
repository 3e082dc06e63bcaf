#!/usr/bin/env bash
# The operator's --repo beats the request's own repository endpoints and any
# endpoint a node cached under HOME/repos/<model>/ (issue 12, DESIGN 5.8).
# The dummy model's request names repository X (pot-partition
# --repo-endpoint); three nodes configured with no repository find X through
# the chain, train on it and cache it. They are stopped and restarted with
# --repo Y, a second pot-repo serving a copy of X's folder, while X keeps
# serving: every node now names Y as its repository, the stages trained after
# the restart are uploaded to Y's folder and none to X's, and the chain goes on
# (two more dummy stages). About 50 s.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/node_lib.sh"
field() { pot-json get "$1"; }
# Loopback ports of this test: the two repositories, and node 1's chaind, which
# both repositories ask. Fixed before anything binds (the request names X), so
# chosen free below Linux's ephemeral range (32768-60999), where an outgoing
# connection of a test running beside this one could take a fixed port first.
free_port() {
  /usr/bin/python3 - "$@" <<'PY'
import random, socket, sys
taken = {int(p) for p in sys.argv[1:]}
while True:
    p = random.randint(20000, 32000)
    if p in taken:
        continue
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", p))
    except OSError:
        continue
    finally:
        s.close()
    print(p)
    break
PY
}
PX="$(free_port)" && PY_="$(free_port "$PX")" && PC="$(free_port "$PX" "$PY_")" || fail "no free port"
X=tcp://127.0.0.1:$PX Y=tcp://127.0.0.1:$PY_ CHAIND=tcp://127.0.0.1:$PC

NOW="$(date +%s)"
for i in 1 2 3; do pot-keygen -o "$T/node$i.pem" >/dev/null; done
pot-keygen -o "$T/employer.pem" >/dev/null
pot-partition -q -k "$T/employer.pem" -o "$T/x" --limit 256 -a mlp:784-16-10 -b 16 \
  --samples-per-stage 16 --lr 0.05 --seed 7 --profile portable -C 2 --fee 0 \
  --created-at $((NOW - 7200)) --description "repo restart dummy" --repo-endpoint "$X" >"$T/dummy.id" ||
  fail "pot-partition"
MODEL="$(cat "$T/dummy.id")"
ALLOCS=()
for i in 1 2 3; do ALLOCS+=(--alloc "$T/node$i.pem=100000000000"); done
pot-genesis -o "$T/genesis" --timestamp $((NOW - 3600)) --stakeholders 3 --min-stake-age 1 \
  --declaration-target max --header-target max --target-spacing 10 \
  --dummy-request "$T/x/request" "${ALLOCS[@]}" >/dev/null && pass || fail "pot-genesis"

q() { pot-chaind query --connect "$CHAIND" "$@"; }
last_stage() { q model "$MODEL" 2>/dev/null | field lastStage 2>/dev/null || echo 0; }
# wait_stage N SECONDS: the dummy's stage N on chain within SECONDS.
wait_stage() {
  local start=$SECONDS
  while [ "$(last_stage)" -lt "$1" ] && [ $((SECONDS - start)) -lt "$2" ]; do sleep 0.5; done
  [ "$(last_stage)" -ge "$1" ]
}
# nodes [pot-node options...]: the three nodes, node 1's chaind on $CHAIND.
# No repository is configured ($T/repos is empty) unless the options give one.
nodes() {
  start_node 1 --chaind-bind "$CHAIND" "$@"
  start_node 2 --peer "$(ep 1 gossip-peer)" --sync-from "$(ep 1 chaind)" "$@"
  start_node 3 --peer "$(ep 1 gossip-peer)" --peer "$(ep 2 gossip-peer)" --sync-from "$(ep 1 chaind)" "$@"
}
: >"$T/repos"
q_repos() { q repos "$MODEL"; }
pot-repo serve "$T/x" --bind "$X" --chaind "$CHAIND" 2>>"$T/x.log" &
XPID=$!
trap 'kill "$XPID" 2>/dev/null; stop_all; [ -n "${KEEP_T:-}" ] || rm -rf "$T"' EXIT

# First run: the nodes know X only from the request on chain.
nodes
[ "$(q_repos)" = "$X" ] && pass || fail "the chain names $(q_repos), not $X"
wait_stage 2 90 && pass || fail "stage $(last_stage) of 2 with X: $(tail -n 3 "$T"/node*.log)"
for i in 1 2 3; do
  [ "$(cat "$T/n$i/repos/$MODEL/endpoint" 2>/dev/null)" = "$X" ] && pass ||
    fail "node $i cached '$(cat "$T/n$i/repos/$MODEL/endpoint" 2>/dev/null)', not $X"
done
expect_grep "model ${MODEL:0:16}: repository $X" "$T/node1.log"

# Restart with --repo Y; X still serves. Y serves a copy of X's folder as it
# is once the nodes are stopped (every state they uploaded).
BEFORE="$(last_stage)"
stop_all
# (A node removes its endpoints file when it starts; start_node must not read the old one.)
rm -f "$T"/n?/endpoints
cp -r "$T/x" "$T/y"
x_before="$(ls "$T/x/objects" | sort)"
pot-repo serve "$T/y" --bind "$Y" --chaind "$CHAIND" 2>>"$T/y.log" &
PIDS+=($!)
nodes --repo "$Y"
STOP=$((BEFORE + 2))
wait_stage "$STOP" 90 && pass || fail "stage $(last_stage) of $STOP after the restart: $(tail -n 3 "$T"/node*.log)"
for i in 1 2 3; do
  [ "$(cat "$T/n$i/repos/$MODEL/endpoint" 2>/dev/null)" = "$Y" ] && pass ||
    fail "node $i uses '$(cat "$T/n$i/repos/$MODEL/endpoint" 2>/dev/null)' after the restart, not $Y"
  [ "$(grep -c "model ${MODEL:0:16}: repository $X" "$T/node$i.log")" -le 1 ] && pass ||
    fail "node $i went back to X: $(grep 'repository' "$T/node$i.log")"
  grep -q "model ${MODEL:0:16}: repository $Y" "$T/node$i.log" && pass || fail "node $i never named Y"
done
# The state of the stage trained after the restart: uploaded to Y, not to X.
STATE="$(q model "$MODEL" | field lastStateHash)"
for _ in $(seq 100); do [ -s "$T/y/objects/$STATE" ] && break; sleep 0.2; done
[ -s "$T/y/objects/$STATE" ] && pass || fail "stage $(last_stage)'s state $STATE never reached Y"
[ ! -e "$T/x/objects/$STATE" ] && pass || fail "stage $(last_stage)'s state reached X"
[ "$(ls "$T/x/objects" | sort)" = "$x_before" ] && pass ||
  fail "X got objects after the restart: $(comm -13 <(echo "$x_before") <(ls "$T/x/objects" | sort))"
stop_all
kill "$XPID"; wait "$XPID"
finish
