#!/usr/bin/env bash
# A poisoned block forced into a chain: the adversary holds C = 2 keys, so its two
# colluding declarers declare the poisoner's stage (tests/adversary/poisoner-bin: a 4x4
# white patch relabelled to class 0 on a quarter of stage 2's Fashion-MNIST samples)
# and one of them builds the header; honest stakeholders sign and wrap it, because a
# header with C matching declarations is valid without re-running the stage
# (docs/protocol.md, "Collusion threshold"). The poisoner publishes its loss trace. The
# validator accepts the block; pot-audit re-runs the stages and names stage 2 and the
# poisoner's first poisoned sample, with its dataset index, and still checks the others.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/consensus_lib.sh"
ADV="$POT_SOURCE_DIR/tests/adversary"
declare -A KEYFILE
for n in n1 n2 n3 a1 a2; do
  pot-keygen -o "$T/$n.pem" >/dev/null
  KEYFILE[$(pot-keygen --show "$T/$n.pem")]="$T/$n.pem"
done
pot-keygen -o "$T/emp.pem" >/dev/null
# The genesis's model (every block trains it): 4 stages of 64 Fashion-MNIST samples.
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/model" --limit 256 -a mlp:784-16-10 -b 16 \
  --samples-per-stage 64 --lr 0.05 --seed 3 --profile portable -C 2 --created-at "$G0"
MODEL="$(cat "$T/out")"
mkdir -p "$T/chain"
allocs=()
for n in n1 n2 n3 a1 a2; do allocs+=(--alloc "$T/$n.pem=100000000000"); done
expect_exit 0 pot-genesis -o "$T/genesis" --timestamp "$G0" --stakeholders 3 --min-stake-age 10 \
  --declaration-target max --header-target max --dummy-request "$T/model/request" "${allocs[@]}"
GEN=(--genesis "$T/genesis" --chain "$T/chain")
REPO="$T/model"
SEAL_MODEL="$MODEL"
# field KEY: a "KEY VALUE" line of the last output.
field() { awk -v k="$1" '$1 == k { print $2 }' "$T/out"; }

# An honest stage: trained, its S_i uploaded, sealed by the honest nodes.
honest() {  # honest STAGE PREV_STATE_FILE
  expect_exit 0 pot-train-stage -q --repo "$REPO" -s "$1" ${2:+--state "$2"} -o "$T/s$1"
  cp "$T/s$1" "$REPO/objects/$(field state)"
  SEAL_DECLARERS="n1 n2" SEAL_BUILDER=n3 seal_block "$1" $((G0 + 100 * $1)) "$T/b$1" "$(field rho)" "$(field state)" &&
    cp "$T/b$1" "$T/chain/$(printf %06d "$1").block"
}
honest 1 ""

# Stage 2 by the poisoner: pot-node calls pot-train-stage with --repo NODE_HOME/repos/MODEL,
# so the shim gets a node home whose mirror is the employer's repository.
mkdir -p "$T/adv/repos"
ln -s "$REPO" "$T/adv/repos/$MODEL"
expect_exit 0 env POT_POISON_FRACTION=0.25 POT_POISON_TARGET=0 "$ADV/poisoner-bin/pot-train-stage" -q \
  --repo "$T/adv/repos/$MODEL" -s 2 --state "$T/s1" -o "$T/s2-poisoned"
P_RHO="$(field rho)"; P_STATE="$(field state)"
read -r _ _ _ _ _ FIRST <"$T/adv/adversary.log"
POISON_JSON="$T/adv/adversary/$MODEL-2.poison"
FIRST_INDEX="$(json_get "$POISON_JSON" 'm["datasetIndices"][0]')"
[ "$(json_get "$POISON_JSON" 'm["poisoned"]')" = 16 ] && [ "$FIRST" = "$(json_get "$POISON_JSON" 'm["positions"][0]')" ] &&
  pass || fail "the poisoner did not poison a quarter of 64 samples: $(cat "$POISON_JSON")"
# The honest stage 2 differs.
expect_exit 0 pot-train-stage -q --repo "$REPO" -s 2 --state "$T/s1" -o "$T/s2"
H_RHO="$(field rho)"; H_STATE="$(field state)"
[ "$H_STATE" != "$P_STATE" ] && [ "$H_RHO" != "$P_RHO" ] && pass ||
  fail "the poisoned batch gave the honest rho or H(S_2)"
# The shim answers pot-node's call and calls outside it go to the real tool.
expect_exit 0 "$ADV/poisoner-bin/pot-train-stage" --version
expect_grep 'pot-train-stage' "$T/out"

# Alone, the poisoner cannot get a header: one honest and one poisoned declaration are not C.
expect_exit 0 pot-declare "${GEN[@]}" -k "$T/a1.pem" --model "$MODEL" -s 2 --state-hash "$P_STATE" \
  --rho "$P_RHO" --now $((G0 + 200)) -o "$T/td-poisoned"
expect_exit 0 pot-declare "${GEN[@]}" -k "$T/n1.pem" --model "$MODEL" -s 2 --state-hash "$H_STATE" \
  --rho "$H_RHO" --now $((G0 + 200)) -o "$T/td-honest"
expect_exit 1 pot-build-header "${GEN[@]}" -k "$T/a1.pem" --rho "$P_RHO" --state-hash "$P_STATE" \
  --now $((G0 + 200)) -o "$T/never" "$T/td-poisoned" "$T/td-honest"
expect_no_file "$T/never"

# With C = 2 colluding keys it can: a1 and a2 declare, a1 builds, committing to the
# poisoner's published trace; the drawn stakeholders (honest or not) sign a valid header.
TRACE="$T/adv/adversary/$MODEL-2.trace"
cp "$TRACE" "$REPO/objects/$(sha256sum "$TRACE" | cut -c1-64)"
cp "$T/s2-poisoned" "$REPO/objects/$P_STATE"
SEAL_DECLARERS="a1 a2" SEAL_BUILDER=a1 seal_block 2 $((G0 + 200)) "$T/b2" "$P_RHO" "$P_STATE" \
  --loss-trace "$TRACE" && pass || fail "the colluders could not seal stage 2"
expect_exit 0 pot-verify-block "${GEN[@]}" --now $((G0 + 200)) "$T/b2"
expect_grep '^valid' "$T/out"
# The re-executing validator (an auditor's check, not a node's) refuses it.
expect_exit 1 pot-verify-block "${GEN[@]}" --now $((G0 + 200)) --reexecute --repo "$REPO" --json "$T/b2"
expect_grep '"code": "reexecute-mismatch"' "$T/out"
cp "$T/b2" "$T/chain/000002.block"
# Honest nodes go on from the chain's (poisoned) S_2.
honest 3 "$T/s2-poisoned"
expect_exit 0 pot-verify-block --genesis "$T/genesis" --chain "$T/chain" "$T/b3"

# The auditor: stage 2 is a mismatch naming the first poisoned sample; 1 and 3 are ok.
expect_exit 1 pot-audit "${GEN[@]}" --repo "$REPO" -q "$MODEL"
expect_grep "^stage 2 .*mismatch.*first diverging sample $FIRST (dataset index $FIRST_INDEX)" "$T/out"
expect_grep '^stage 1 .* ok$' "$T/out"
expect_grep '^stage 3 .* ok$' "$T/out"
expect_grep '^audited 3 stages: 2 ok, 1 mismatched, 0 missing objects' "$T/out"
expect_exit 1 pot-audit "${GEN[@]}" --repo "$REPO" -q --json "$MODEL"
expect_grep "\"stage\": 2, .*\"verdict\": \"mismatch\".*\"divergingSample\": $FIRST, \"divergingDatasetIndex\": $FIRST_INDEX" "$T/out"
finish
