#!/usr/bin/env bash
# A whole PoT round with real binaries: genesis with 4 node keys and a dummy model, an
# employer registers a tiny Fashion-MNIST model, 4 nodes train stage 1, declare, one
# builds the header, stakeholders sign, the wrapper builds the block, pot-verify-block
# accepts it (also --reexecute); then stage 2 on top. A node that trained on a batch
# with one changed label is left out; nodes that skip training are caught by --reexecute.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/train_lib.sh"
employer_key
G0=1700000000
mkdir -p "$T/chain"

declare -A KEYFILE
for i in 1 2 3 4; do
  pot-keygen -o "$T/n$i.pem" >/dev/null
  KEYFILE[$(pot-keygen --show "$T/n$i.pem")]="$T/n$i.pem"
done
KEYFILE[$(pot-keygen --show "$T/emp.pem")]="$T/emp.pem"

partition() {  # partition REPO SEED C FEE [extra...]
  local repo="$1" seed="$2" c="$3" fee="$4"; shift 4
  expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$repo" --limit 256 -a mlp:784-16-10 -b 16 \
    --samples-per-stage 64 --lr 0.05 --seed "$seed" --profile portable -C "$c" --fee "$fee" \
    --created-at "$G0" "$@"
}
partition "$T/dummy" 11 2 0
partition "$T/model" 12 2 1000000000
MODEL="$(cat "$T/out")"

expect_exit 0 pot-genesis -o "$T/genesis" --timestamp "$G0" --stakeholders 3 --min-stake-age 10 \
  --declaration-target max --header-target max --dummy-request "$T/dummy/request" \
  --alloc "$T/n1.pem=100000000000" --alloc "$T/n2.pem=100000000000" \
  --alloc "$T/n3.pem=100000000000" --alloc "$T/n4.pem=100000000000" --alloc "$T/emp.pem=50000000000"
GEN=(--genesis "$T/genesis" --chain "$T/chain")

# train REPO STAGE NODE [STATE]: S_stage into $T/<repo>-s<stage>-n<node>; sets RHO and STATE_HASH.
train() {
  local repo="$1" stage="$2" node="$3" prev="${4:-}"
  local out="$T/$(basename "$repo")-s$stage-n$node"
  expect_exit 0 pot-train-stage -q --repo "$repo" -s "$stage" ${prev:+--state "$prev"} -o "$out"
  RHO="$(field rho "$T/out")"; STATE_HASH="$(field state "$T/out")"
}

# wrap HEADER NOW OUT [tx...]: stakeholders 1..K-1 sign in turn, stakeholder K builds the block.
wrap() {
  local header="$1" now="$2" out="$3"; shift 3
  local txs=() sigs=() k=0 tds=()
  for tx in "$@"; do txs+=(--tx "$tx"); done
  for td in "$T"/td-*; do tds+=(-d "$td"); done
  expect_exit 0 pot-stake "${GEN[@]}" --header "$header" --list
  mapfile -t drawn <"$T/out"
  [ "${#drawn[@]}" -eq 3 ] && pass || { fail "expected K = 3 stakeholders, got ${#drawn[@]}"; return; }
  for ((k = 1; k < 3; k++)); do
    expect_exit 0 pot-stake "${GEN[@]}" --header "$header" -k "${KEYFILE[${drawn[$((k - 1))]}]}" \
      "${sigs[@]}" -o "$T/sig$k" --json
    expect_grep "\"role\": \"stakeholder\", \"index\": $k" "$T/out"
    sigs+=(--signature "$T/sig$k")
  done
  expect_exit 0 pot-stake "${GEN[@]}" --header "$header" -k "${KEYFILE[${drawn[2]}]}" \
    "${sigs[@]}" "${tds[@]}" "${txs[@]}" -o "$out" --json
  expect_grep '"role": "wrapper", "index": 3' "$T/out"
}

# round REPO MODEL STAGE NOW BLOCKFILE PREV [tx...]: every node trains, declares; node 1 builds.
round() {
  local repo="$1" model="$2" stage="$3" now="$4" block="$5" prev="$6"; shift 6
  rm -f "$T"/td-*
  local first=""
  for i in 1 2 3 4; do
    train "$repo" "$stage" "$i" "$prev"
    if [ -z "$first" ]; then first="$RHO $STATE_HASH"; BUILDER_RHO="$RHO"; BUILDER_STATE="$STATE_HASH"
    else [ "$RHO $STATE_HASH" = "$first" ] && pass || fail "node $i trained stage $stage differently"; fi
    expect_exit 0 pot-declare "${GEN[@]}" -k "$T/n$i.pem" --model "$model" -s "$stage" \
      --state-hash "$STATE_HASH" --rho "$RHO" --now "$now" -o "$T/td-$i" --json
  done
  expect_exit 0 pot-build-header "${GEN[@]}" -k "$T/n1.pem" --rho "$BUILDER_RHO" \
    --state-hash "$BUILDER_STATE" --now "$now" -o "$T/header-$stage" "$T"/td-*
  wrap "$T/header-$stage" "$now" "$block" "$@"
  expect_exit 0 pot-verify-block "${GEN[@]}" --now "$now" --json "$block"
  expect_grep '"valid": true' "$T/out"
}

# Block 1: the dummy model's stage 1, carrying the employer's registration and deposit.
DUMMY="$(pot-inspect --id "$T/dummy/request")"
expect_exit 0 pot-tx register -k "$T/emp.pem" --request "$T/model/request" --fee 1000 "${GEN[@]}" -o "$T/tx-reg"
# The chain still says nonce 0: the second transaction of the block names its nonce.
expect_exit 0 pot-tx deposit -k "$T/emp.pem" --request "$T/model/request" --amount 30000000000 \
  --fee 500 --nonce 1 --json -o "$T/tx-dep"
expect_grep '"nonce": 1' "$T/out"
round "$T/dummy" "$DUMMY" 1 $((G0 + 100)) "$T/b1" "" "$T/tx-reg" "$T/tx-dep"
cp "$T/b1" "$T/chain/000001.block"

# Block 2: the employer's model, stage 1. Node 4 trained on a batch with one label
# changed (a poisoned repository of the same request otherwise): the builder leaves
# its declaration out, and cannot make a header with it alone.
rm -f "$T"/td-*
for i in 1 2 3; do
  train "$T/model" 1 "$i"
  expect_exit 0 pot-declare "${GEN[@]}" -k "$T/n$i.pem" --request "$T/model/request" -s 1 \
    --state-hash "$STATE_HASH" --rho "$RHO" --now $((G0 + 300)) -o "$T/td-$i"
done
HONEST_RHO="$RHO"; HONEST_STATE="$STATE_HASH"
# The poisoned batch: B_1 with sample 5's label changed, trained through the same code path.
B1="$(pot-inspect --full "$T/model/request" | /usr/bin/python3 -c \
  'import json,sys; print(json.load(sys.stdin)["trainingRequest"]["body"]["stageBatches"][0])')"
pot-inspect --full "$T/model/objects/$B1" | /usr/bin/python3 -c '
import json, sys
m = json.load(sys.stdin)
m["stageBatch"]["labels"][5] = (m["stageBatch"]["labels"][5] + 1) % 10
json.dump(m, sys.stdout)' | pot-inspect --from-json -o "$T/poisoned-batch"
[ -s "$T/poisoned-batch" ] && pass || fail "could not make the poisoned batch"
# pot-train-stage refuses a batch that is not B_1 of the request, so the poisoned node
# trains through a copy of the request that names its batch as B_1: same S_0, same
# code, one label changed.
expect_exit 1 pot-train-stage -q --repo "$T/model" -s 1 --batch "$T/poisoned-batch" -o "$T/never"
expect_no_file "$T/never"
pot-inspect --full "$T/model/request" | /usr/bin/python3 -c '
import json, sys, hashlib
m = json.load(sys.stdin)
m["trainingRequest"]["body"]["stageBatches"][0] = hashlib.sha256(open(sys.argv[1], "rb").read()).hexdigest()
json.dump(m, sys.stdout)' "$T/poisoned-batch" | pot-inspect --from-json -o "$T/poisoned-request"
expect_exit 0 pot-train-stage -q -r "$T/poisoned-request" --repo "$T/model" -s 1 \
  --batch "$T/poisoned-batch" -o "$T/poisoned-s1"
P_RHO="$(field rho "$T/out")"; P_STATE="$(field state "$T/out")"
[ "$P_RHO" != "$HONEST_RHO" ] && [ "$P_STATE" != "$HONEST_STATE" ] && pass || fail "one changed label left rho or H(S_1) unchanged"
expect_exit 0 pot-declare "${GEN[@]}" -k "$T/n4.pem" --model "$MODEL" -s 1 --state-hash "$P_STATE" \
  --rho "$P_RHO" --now $((G0 + 300)) -o "$T/td-0-poisoned"
# Alone with one honest declaration it cannot make C = 2.
expect_exit 1 pot-build-header "${GEN[@]}" -k "$T/n1.pem" --rho "$HONEST_RHO" --state-hash "$HONEST_STATE" \
  --now $((G0 + 300)) -o "$T/never" "$T/td-0-poisoned" "$T/td-1"
expect_grep "only 1 of C = 2 declarations pass" "$T/err"
expect_grep "state-hash-mismatch" "$T/err"
expect_no_file "$T/never"
# With the honest ones it is left out, by name.
expect_exit 0 pot-build-header "${GEN[@]}" -k "$T/n1.pem" --rho "$HONEST_RHO" --state-hash "$HONEST_STATE" \
  --now $((G0 + 300)) -o "$T/header-m1" "$T/td-0-poisoned" "$T/td-1" "$T/td-2" "$T/td-3"
expect_grep "left out declaration 1: state-hash-mismatch" "$T/err"
expect_exit 0 pot-tx transfer -k "$T/n2.pem" --to "$T/n3.pem" --amount 12345 --fee 7 "${GEN[@]}" -o "$T/tx-pay"
wrap "$T/header-m1" $((G0 + 300)) "$T/b2" "$T/tx-pay"
expect_exit 0 pot-verify-block "${GEN[@]}" --now $((G0 + 300)) --json "$T/b2"
expect_grep '"valid": true' "$T/out"
# The auditor's check: re-run stage 1 from the employer's repository.
expect_exit 0 pot-verify-block "${GEN[@]}" --now $((G0 + 300)) --reexecute --repo "$T/model" "$T/b2"
expect_grep '^valid ' "$T/out"
expect_exit 0 pot-verify-block "${GEN[@]}" --now $((G0 + 300)) --reexecute --repo "$T/model" --json "$T/b2"
expect_grep '"stage": 1, "reexecuted": true}' "$T/out"
# A repository without the objects is our problem, not the block's: exit 4.
mkdir -p "$T/empty-repo"
expect_exit 4 pot-verify-block "${GEN[@]}" --now $((G0 + 300)) --reexecute --repo "$T/empty-repo" --json "$T/b2"
expect_grep '"code": "reexecute-error"' "$T/out"
# A header may commit to its stage's loss trace (free for validation); the
# auditor's re-run checks it sample for sample: the honest trace passes, the
# poisoned node's trace (one label changed) does not.
expect_exit 0 pot-train-stage -q --repo "$T/model" -s 1 --loss-trace "$T/trace-honest" -o "$T/s1-again"
expect_exit 0 pot-train-stage -q -r "$T/poisoned-request" --repo "$T/model" -s 1 \
  --batch "$T/poisoned-batch" --loss-trace "$T/trace-poisoned" -o "$T/s1-poisoned-again"
for t in honest poisoned; do
  expect_exit 0 pot-build-header "${GEN[@]}" -k "$T/n1.pem" --rho "$HONEST_RHO" \
    --state-hash "$HONEST_STATE" --now $((G0 + 300)) --loss-trace "$T/trace-$t" \
    -o "$T/header-trace-$t" "$T/td-1" "$T/td-2" "$T/td-3"
  wrap "$T/header-trace-$t" $((G0 + 300)) "$T/b2-trace-$t"
  expect_exit 0 pot-verify-block "${GEN[@]}" --now $((G0 + 300)) "$T/b2-trace-$t"
done
expect_exit 0 pot-verify-block "${GEN[@]}" --now $((G0 + 300)) --reexecute --repo "$T/model" \
  "$T/b2-trace-honest"
expect_exit 1 pot-verify-block "${GEN[@]}" --now $((G0 + 300)) --reexecute --repo "$T/model" \
  --json "$T/b2-trace-poisoned"
expect_grep '"code": "reexecute-mismatch"' "$T/out"
expect_grep 'gives loss trace [0-9a-f]*, the header commits to' "$T/out"
cp "$T/b2" "$T/chain/000002.block"

# Block 3: stage 2 on top of S_1 (which the employer's repository now holds).
cp "$T/model-s1-n1" "$T/model/objects/$HONEST_STATE"
round "$T/model" "$MODEL" 2 $((G0 + 500)) "$T/b3" "$T/model-s1-n1"
expect_exit 0 pot-verify-block "${GEN[@]}" --now $((G0 + 500)) --reexecute --repo "$T/model" "$T/b3"
cp "$T/b3" "$T/chain/000003.block"

# Nodes that skip training and agree on a made-up rho and state make a block every
# consensus rule accepts; only the auditor's re-execution catches it.
mkdir -p "$T/lazy" && cp "$T/chain"/* "$T/lazy/"
LAZY=(--genesis "$T/genesis" --chain "$T/lazy")
FAKE_RHO="$(printf 'lazy' | sha256sum | cut -c1-64)"; FAKE_STATE="$(printf 'state' | sha256sum | cut -c1-64)"
rm -f "$T"/td-*
for i in 1 2; do
  expect_exit 0 pot-declare "${LAZY[@]}" -k "$T/n$i.pem" --model "$MODEL" -s 3 --state-hash "$FAKE_STATE" \
    --rho "$FAKE_RHO" --now $((G0 + 700)) -o "$T/td-$i"
done
expect_exit 0 pot-build-header "${LAZY[@]}" -k "$T/n2.pem" --rho "$FAKE_RHO" --state-hash "$FAKE_STATE" \
  --now $((G0 + 700)) -o "$T/header-lazy" "$T"/td-*
SAVED=("${GEN[@]}"); GEN=("${LAZY[@]}")
wrap "$T/header-lazy" $((G0 + 700)) "$T/b-lazy"
GEN=("${SAVED[@]}")
expect_exit 0 pot-verify-block "${LAZY[@]}" --now $((G0 + 700)) "$T/b-lazy"
cp "$T/model-s2-n1" "$T/model/objects/$(sha256sum "$T/model-s2-n1" | cut -c1-64)"
expect_exit 1 pot-verify-block "${LAZY[@]}" --now $((G0 + 700)) --reexecute --repo "$T/model" --json "$T/b-lazy"
expect_grep '"code": "reexecute-mismatch"' "$T/out"
expect_error_line pot-verify-block

# The chain replays from its files: node 2's next nonce counts its payment in block 2.
expect_exit 0 pot-tx transfer -k "$T/n2.pem" --to "$T/n1.pem" --amount 1 "${GEN[@]}" --json -o "$T/tx-next"
expect_grep '"nonce": 1' "$T/out"
finish
