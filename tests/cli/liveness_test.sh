#!/usr/bin/env bash
# Liveness (DESIGN 5.8): three pot-node nodes train a two-stage dummy model
# past its last batch, stage i on batch ((i-1) mod 2) + 1, and keep making
# blocks; a transfer sent while only the dummy is trained lands in a block; a
# request registered afterwards is trained to its last stage, and then the
# dummy goes on again. Every node holds those stages, and nothing the test
# started is left running.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/node_lib.sh"
q() { local n="$1"; shift; pot-chaind query --connect "$(ep "$n" chaind)" "$@"; }
# last_stage NODE MODEL: the model's last stage on that node's best chain (0 if unknown).
last_stage() { q "$1" model "$2" 2>/dev/null | pot-json get lastStage 2>/dev/null || echo 0; }
# wait_stage NODE MODEL STAGE SECONDS: until the model has STAGE on chain.
wait_stage() {
  local start="$SECONDS"
  while [ "$(last_stage "$1" "$2")" -lt "$3" ]; do
    [ $((SECONDS - start)) -lt "$4" ] || return 1
    sleep 0.5
  done
}

NOW="$(date +%s)"
for i in 1 2 3; do pot-keygen -o "$T/node$i.pem" >/dev/null; done
pot-keygen -o "$T/employer.pem" >/dev/null
pot-keygen -o "$T/payee.pem" >/dev/null
# A two-stage dummy of 16 samples a stage and a two-stage employer's model:
# training takes a fraction of a second, so the run is about the protocol.
part() {  # part DIR SEED FEE DESCRIPTION
  pot-partition -q -k "$T/employer.pem" -o "$T/$1" --limit 32 -a mlp:784-16-10 -b 16 \
    --samples-per-stage 16 --lr 0.05 --seed "$2" --profile portable -C 2 --fee "$3" \
    --created-at $((NOW - 7200)) --description "$4"
}
part dummy 7 0 "liveness dummy" >"$T/dummy.id" || fail "pot-partition dummy"
part late 9 100000 "registered after the dummy wrapped" >"$T/late.id" || fail "pot-partition late"
DUMMY="$(cat "$T/dummy.id")" LATE="$(cat "$T/late.id")"
# The stage function takes any stage >= 1: dummy stage 3 trains batch 1 on
# S_2. Without that no node can train past t, so the rest would only time out.
prev=()
for s in 1 2 3; do
  if ! pot-train-stage -q --repo "$T/dummy" -s "$s" "${prev[@]}" -o "$T/ref-s$s" >"$T/ref-s$s.out" 2>"$T/ref.err"; then
    fail "pot-train-stage refuses dummy stage $s of 2: $(cat "$T/ref.err")"
    finish
    exit 1
  fi
  prev=(--state "$T/ref-s$s")
done
pass
WANT="$(sha256sum <"$T/ref-s3" | cut -c1-64)"
# Maximal targets and coins aged from an hour-old genesis: no PoS waits.
pot-genesis -o "$T/genesis" --timestamp $((NOW - 3600)) --stakeholders 3 --min-stake-age 1 \
  --declaration-target max --header-target max --target-spacing 10 \
  --dummy-request "$T/dummy/request" --alloc "$T/node1.pem=100000000000" \
  --alloc "$T/node2.pem=100000000000" --alloc "$T/node3.pem=100000000000" \
  --alloc "$T/employer.pem=1000000000" >/dev/null && pass || fail "pot-genesis"

: >"$T/repos"
serve() {  # serve REPO: the employer's repository for it, listed for the nodes
  pot-repo serve "$T/$1" --chaind "$(ep 1 chaind)" --endpoint-file "$T/$1.ep" --quiet 2>>"$T/repo.log" &
  PIDS+=($!)
  wait_file "$T/$1.ep" && cat "$T/$1.ep" >>"$T/repos"
}
start_node 1
serve dummy
start_node 2 --peer "$(ep 1 gossip-peer)" --sync-from "$(ep 1 chaind)"
start_node 3 --peer "$(ep 1 gossip-peer)" --peer "$(ep 2 gossip-peer)" --sync-from "$(ep 1 chaind)"

# Past the dummy's last batch: stage 3 trains batch 1 again on S_2.
START="$SECONDS"
wait_stage 1 "$DUMMY" 3 90 && pass || fail "dummy stage $(last_stage 1 "$DUMMY") of 3 after 90 s: $(tail -3 "$T"/node*.log "$T"/n1/work/*/log 2>/dev/null | tail -12)"
echo "dummy stage 3 after $((SECONDS - START)) s" >&2

# A transfer sent while only the dummy is trained lands in a block.
PAYEE="$(pot-keygen --show "$T/payee.pem")"
pot-tx transfer -k "$T/employer.pem" --to "$PAYEE" --amount 12345 --fee 100 --nonce 0 \
  -o "$T/tx-pay" >/dev/null && pass || fail "pot-tx transfer"
pot-gossip publish --control "$(ep 1 gossip-control)" "$T/tx-pay" >/dev/null && pass || fail "publish"
got=""
for _ in $(seq 120); do
  got="$(q 1 account "$PAYEE" 2>/dev/null | pot-json get balance 2>/dev/null)"
  [ "$got" = 12345 ] && break
  sleep 0.5
done
[ "$got" = 12345 ] && pass || fail "the transfer never landed (payee balance '$got')"
at="$(last_stage 1 "$DUMMY")"
[ "$at" -ge 3 ] && pass || fail "the transfer landed before the dummy wrapped (stage $at)"

# Blocks keep coming for dummy stages beyond t = 2 (batches 2, 1, ...).
wait_stage 1 "$DUMMY" $((at + 2)) 60 && pass || fail "dummy stuck at stage $(last_stage 1 "$DUMMY")"

# A request registered now is trained to its last stage, then the dummy goes on.
pot-tx register -k "$T/employer.pem" --request "$T/late/request" --fee 1000 --nonce 1 \
  -o "$T/tx-register" >/dev/null && pass || fail "pot-tx register"
pot-tx deposit -k "$T/employer.pem" --request "$T/late/request" --amount 300000 --fee 500 --nonce 2 \
  -o "$T/tx-deposit" >/dev/null && pass || fail "pot-tx deposit"
serve late
pot-gossip publish --control "$(ep 2 gossip-control)" "$T/tx-register" "$T/tx-deposit" >/dev/null \
  && pass || fail "publish the registration"
START="$SECONDS"
wait_stage 1 "$LATE" 2 120 && pass || fail "late model at stage $(last_stage 1 "$LATE") of 2 after 120 s"
echo "late model's 2 stages after $((SECONDS - START)) s" >&2
after="$(last_stage 1 "$DUMMY")"
wait_stage 1 "$DUMMY" $((after + 1)) 60 && pass || fail "no dummy stage after the late model was done"
for i in 2 3; do
  ok=0
  for _ in $(seq 60); do [ "$(last_stage "$i" "$LATE")" = 2 ] && ok=1 && break; sleep 0.5; done
  [ "$ok" = 1 ] && pass || fail "node $i does not hold the late model's stage 2"
done

# Dummy stage 3 on chain is the stage function on batch 1 from S_2, as the
# single-process run above made it.
q 1 state "$WANT" >/dev/null 2>&1 && pass || fail "dummy stage 3's state $WANT is not on chain"

stop_all
sleep 0.3
pgrep -f "$T/" >/dev/null && fail "processes left running: $(pgrep -af "$T/")" || pass
finish
