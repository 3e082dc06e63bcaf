#!/usr/bin/env bash
# A devnet with adversaries among honest nodes (DESIGN 4.9): nodes 1-3 honest, node 4 the
# poisoner (tests/adversary/poisoner-bin: every stage it trains, of either model, on a
# backdoored batch), node 5 the lazy node (tests/adversary/lazy-bin: copies another
# node's H(S_i) with a guessed rho). C = 2. The employer's Fashion-MNIST MLP gets 2
# stages through the whole protocol. Then: every poisoned and lazy declaration that
# was gossiped is kept out of every block any node holds (100%), the chain's final
# state equals the single-process clean run, and pot-audit of the devnet chain passes;
# after a stored batch or state is swapped in the employer's repository, the stage that
# needs it is reported missing (exit 1) and the other is still checked.
# Costs one 5-node devnet start (about as long as cli.devnet) and three audits of 2 stages.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/node_lib.sh"
ADV="$POT_SOURCE_DIR/tests/adversary"
STAGES=2 N=5 POISONER=4 LAZY=5
json_field() { /usr/bin/python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

NOW="$(date +%s)"
for i in $(seq "$N"); do pot-keygen -o "$T/node$i.pem" >/dev/null; done
pot-keygen -o "$T/employer.pem" >/dev/null
PK_POISONER="$(pot-keygen --show "$T/node$POISONER.pem")"; PK_LAZY="$(pot-keygen --show "$T/node$LAZY.pem")"
# As pot-devnet: a small dummy model for idle blocks, the employer's model of 2 stages.
expect_exit 0 pot-partition -q -k "$T/employer.pem" -o "$T/dummy" --limit 256 -a mlp:784-16-10 -b 16 \
  --samples-per-stage 16 --lr 0.05 --seed 7 --profile portable -C 2 --fee 0 --created-at $((NOW - 7200))
expect_exit 0 pot-partition -q -k "$T/employer.pem" -o "$T/model" --limit $((STAGES * 64)) -a mlp:784-128-10 \
  -b 32 --samples-per-stage 64 --lr 0.02 --momentum 0.9 --seed 42 --profile portable -C 2 \
  --fee 100000000 --created-at $((NOW - 7200))
MODEL="$(cat "$T/out")"
# The single-process clean run the network's chain must equal (states $T/ref-sI).
prev=()
for s in $(seq "$STAGES"); do
  expect_exit 0 pot-train-stage -q --repo "$T/model" -s "$s" "${prev[@]}" -o "$T/ref-s$s"
  REF[$s]="$(awk '$1 == "state" {print $2}' "$T/out")"
  prev=(--state "$T/ref-s$s")
done
allocs=()
for i in $(seq "$N"); do allocs+=(--alloc "$T/node$i.pem=100000000000"); done
expect_exit 0 pot-genesis -o "$T/genesis" --timestamp $((NOW - 3600)) --stakeholders 3 --min-stake-age 1 \
  --declaration-target max --header-target max --target-spacing 10 --dummy-request "$T/dummy/request" \
  "${allocs[@]}" --alloc "$T/employer.pem=1000000000"

: >"$T/repos"
# Every daemon binds a port the kernel picks (pot-node's default, and '*'
# for the repositories) and is found through its endpoint file: a fixed port
# in the ephemeral range can be taken by another test's connection first.
start_node 1
for r in dummy model; do
  pot-repo serve "$T/$r" --bind "tcp://127.0.0.1:*" --chaind "$(ep 1 chaind)" --endpoint-file "$T/$r.ep" --quiet 2>>"$T/repo-$r.log" &
  PIDS+=($!)
  wait_file "$T/$r.ep"
  cat "$T/$r.ep" >>"$T/repos"
done
for i in $(seq 2 "$N"); do
  role=()
  [ "$i" = "$POISONER" ] && role=(--bin "$ADV/poisoner-bin")
  [ "$i" = "$LAZY" ] && role=(--bin "$ADV/lazy-bin")
  start_node "$i" --peer "$(ep 1 gossip-peer)" --peer "$(ep $((i - 1)) gossip-peer)" \
    --sync-from "$(ep 1 chaind)" "${role[@]}"
done
expect_exit 0 pot-tx register -k "$T/employer.pem" --request "$T/model/request" --fee 1000 --nonce 0 -o "$T/tx-register"
expect_exit 0 pot-tx deposit -k "$T/employer.pem" --request "$T/model/request" \
  --amount $((STAGES * 100000000 + 1000000)) --fee 500 --nonce 1 -o "$T/tx-deposit"
sleep 1
expect_exit 0 pot-gossip publish --control "$(ep 1 gossip-control)" "$T/tx-register" "$T/tx-deposit"

# Until the employer's 2 stages are on chain and both adversaries have declared a stage
# (of either model: both race the honest block, the poisoner with its extra work, the
# lazy node because it can copy a hash only once honest nodes declared it).
q() { pot-chaind query --connect "$(ep 1 chaind)" "$@"; }
st=0
for _ in $(seq 400); do
  st="$(q model "$MODEL" 2>/dev/null | pot-json get lastStage 2>/dev/null)" || st=0
  [ "$st" -ge "$STAGES" ] && grep -q "declared stage" "$T/node$LAZY.log" &&
    grep -q "declared stage" "$T/node$POISONER.log" && break
  sleep 1
done
[ "$st" -ge "$STAGES" ] && pass || fail "employer's model at stage $st after 400 s: $(tail -3 "$T/node1.log")"
HFINAL="$(q model "$MODEL" | pot-json get lastHeight)"
FINAL="$(q model "$MODEL" | pot-json get lastStateHash)"
TIP="$(q tip | pot-json get height)"
# A node uploads S_1 once its block is in: the auditor needs it.
for _ in $(seq 100); do [ -s "$T/model/objects/${REF[1]}" ] && break; sleep 0.3; done
# Let the adversaries' last declarations spread, then stop everything.
sleep 2
stop_all

# --- every declaration gossiped, and every block any node holds
for f in "$T"/n*/spool/*/*.msg; do pot-inspect --full "$f"; echo; done 2>/dev/null >"$T/spool.json"
for f in "$T"/n*/chain/*; do [ -f "$f" ] && pot-inspect --full "$f" && echo; done 2>/dev/null >"$T/blocks.json"
/usr/bin/python3 - "$T/spool.json" "$T/blocks.json" "$PK_POISONER" "$PK_LAZY" "$MODEL" >"$T/count" <<'PY'
import json, sys
def messages(path):
    dec = json.JSONDecoder(); text = open(path).read(); i = 0
    while True:
        while i < len(text) and text[i].isspace(): i += 1
        if i >= len(text): return
        m, i = dec.raw_decode(text, i); yield m
poisoner, lazy, model = sys.argv[3], sys.argv[4], sys.argv[5]
declared = {poisoner: set(), lazy: set()}     # (model, stage, stateHash, commitment)
employer = {poisoner: 0, lazy: 0}
for m in messages(sys.argv[1]):
    d = m.get("trainingDeclaration")
    if d and d["body"]["pubkey"] in declared:
        b = d["body"]
        key = (b["modelId"], b["stage"], b["stateHash"], b["commitment"])
        if key not in declared[b["pubkey"]] and b["modelId"] == model: employer[b["pubkey"]] += 1
        declared[b["pubkey"]].add(key)
blocks = kept = 0; seen = set(); chain_states = {}
for m in messages(sys.argv[2]):
    b = m.get("block")
    if not b: continue
    h = b["body"]["header"]["body"]
    if h["pubkey"] + h["stateHash"] + str(h["height"]) in seen: continue
    seen.add(h["pubkey"] + h["stateHash"] + str(h["height"])); blocks += 1
    chain_states.setdefault((h["modelId"], h["stage"]), set()).add(h["stateHash"])
    for d in b["body"]["declarations"]:
        if d["body"]["pubkey"] in (poisoner, lazy): kept += 1
# A poisoned declaration's state is never a recorded state of that stage.
poison_on_chain = sum(1 for (mo, st, s, _) in declared[poisoner] if s in chain_states.get((mo, st), set()))
lazy_copied = sum(1 for (mo, st, s, _) in declared[lazy] if s in chain_states.get((mo, st), set()))
print("poisoned", len(declared[poisoner]), "employer", employer[poisoner])
print("lazy", len(declared[lazy]), "employer", employer[lazy])
print("blocks", blocks)
print("kept", kept)
print("poisoned-state-on-chain", poison_on_chain)
print("lazy-copied-recorded", lazy_copied)
PY
cat "$T/count" >&2
val() { awk -v k="$1" '$1 == k { print $2 }' "$T/count"; }
[ "$(val poisoned)" -ge 1 ] && pass || fail "the poisoner declared nothing: $(cat "$T/count")"
[ "$(val lazy)" -ge 1 ] && pass || fail "the lazy node declared nothing: $(cat "$T/count")"
[ "$(val blocks)" -ge "$HFINAL" ] && pass || fail "only $(val blocks) blocks read of $HFINAL"
# 100% kept out: no block holds a poisoned or lazy declaration, no poisoned state is recorded.
[ "$(val kept)" = 0 ] && pass || fail "$(val kept) adversarial declarations entered blocks"
[ "$(val poisoned-state-on-chain)" = 0 ] && pass || fail "a poisoned state was recorded"
# The poisoner really trained on backdoored batches; the lazy node copied honest hashes.
grep -q "^poisoned $MODEL 1 " "$T/n$POISONER/adversary.log" && pass || fail "no poisoned stage 1 in the log"
# The lazy node copied a state hash the chain recorded: its guessed rho is what kept it out.
[ "$(val lazy-copied-recorded)" -ge 1 ] && pass || fail "the lazy node copied no recorded H(S_i)"

# --- the honest chain's final state equals the single-process clean run
[ "$FINAL" = "${REF[$STAGES]}" ] && pass || fail "chain's final state $FINAL, clean run ${REF[$STAGES]}"

# --- pot-audit of the devnet chain (node 1's store, the employer's repository)
AUDIT=(pot-audit --db "$T/n1/db" --repo "$T/model" -q "$MODEL")
expect_exit 0 "${AUDIT[@]}"
[ "$(grep -c '^stage .* ok$' "$T/out")" = "$STAGES" ] && pass || fail "audit: $(cat "$T/out")"
expect_grep "^audited $STAGES stages: $STAGES ok, 0 mismatched, 0 missing objects" "$T/out"
# B_1 swapped for a backdoored copy: stage 1 missing, stage 2 still checked and ok.
B1="$(pot-inspect --full "$T/model/request" | json_field '["trainingRequest"]["body"]["stageBatches"][0]')"
cp "$T/model/objects/$B1" "$T/b1-saved"
expect_exit 0 "$ADV/poison-batch" --request "$T/model/request" --batch "$T/b1-saved" --out-batch "$T/b1-poisoned"
cp "$T/b1-poisoned" "$T/model/objects/$B1"
expect_exit 1 "${AUDIT[@]}"
expect_grep '^stage 1 .* missing: B_1' "$T/out"
expect_grep '^stage 2 .* ok$' "$T/out"
expect_grep "^audited $STAGES stages: 1 ok, 0 mismatched, 1 missing objects" "$T/out"
cp "$T/b1-saved" "$T/model/objects/$B1"
# S_1 swapped for another valid state (S_2): stage 2 missing, stage 1 still ok.
cp "$T/model/objects/${REF[1]}" "$T/s1-saved"
cp "$T/ref-s2" "$T/model/objects/${REF[1]}"
expect_exit 1 "${AUDIT[@]}"
expect_grep '^stage 2 .* missing: S_1' "$T/out"
expect_grep '^stage 1 .* ok$' "$T/out"
cp "$T/s1-saved" "$T/model/objects/${REF[1]}"
expect_exit 0 "${AUDIT[@]}"
finish
