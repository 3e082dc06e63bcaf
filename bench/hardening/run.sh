#!/usr/bin/env bash
# Hardening benches (DESIGN 3 and 8), both against the normal build (scripts/test):
#  1. every single-bit flip of every message file below: a small real chain made by the tools
#     (genesis, request, S_0, stage batches, declarations, header, endorsement, block,
#     transaction), a trained state S_1, and the 40 re-signed blocks of (2)'s CLI sample;
#     0 equivalent re-encodings may be accepted;
#  1b. large trained Fashion-MNIST states, S_1 of mlp:784-128-10 and cnn:lenet5
#     (large_states.sh): every bit of their structure, every LARGE_DATA_STRIDE-th bit of
#     their tensor bytes (default 1: all of them, over an hour);
#  2. the re-signing property test (tests/resign) with BLOCKS random edits (default 10000):
#     0 verdicts of the validator may differ from the model of the rules;
#  3. the same blocks through pot-chaind import (all) and pot-verify-block (a sample).
# Usage: [LARGE_DATA_STRIDE=M] bench/hardening/run.sh [BLOCKS]
set -uo pipefail
BLOCKS="${1:-10000}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
B="${BUILD_DIR:-$ROOT/build}"
export POT_TOOL_DIR="${POT_TOOL_DIR:-$B/bin}"
source "$ROOT/tests/cli/lib.sh"
source "$ROOT/tests/cli/consensus_lib.sh"
for exe in "$B/bench/bench_bitflip" "$B/tests/resign/resign_property_test"; do
  [ -x "$exe" ] || { echo "run.sh: error: $exe not built" >&2; exit 4; }
done
echo "machine: $(nproc) cores, $(sed -n 's/^model name\s*: //p' /proc/cpuinfo | head -1)"

make_chain
make_block 1 $((G0 + 100)) "$T/chain/000001.block" || exit 1
pot-tx transfer -k "$T/n2.pem" --to "$T/n3.pem" --amount 5 --fee 1 "${GEN[@]}" -o "$T/tx" >/dev/null
pot-train-stage -q --repo "$T/dummy" -s 1 -o "$T/s1" >/dev/null || exit 1
mkdir -p "$T/dump"
POT_RESIGN_BLOCKS=40 POT_RESIGN_DUMP="$T/dump" "$B/tests/resign/resign_property_test" \
  --gtest_filter='ResignProperty.VerdictEqualsTheModel' >/dev/null || exit 1
files=("$T/genesis" "$T/dummy/request" "$T"/dummy/objects/* "$T/chain/000001.block" "$T/mb-td1"
       "$T/mb-header" "$T/mb-sig1" "$T/tx" "$T/s1" "$T"/dump/block[0-9]*)
echo "== 1. single-bit flips of ${#files[@]} files"
"$B/bench/bench_bitflip" "${files[@]}"
flip=$?
echo "== 1b. large trained states"
"$ROOT/bench/hardening/large_states.sh" "${LARGE_DATA_STRIDE:-1}" || flip=1

echo "== 2. re-signing property test, $BLOCKS blocks, in process (validateBlockBytes)"
mkdir -p "$T/all"
start=$(date +%s.%N)
POT_RESIGN_BLOCKS="$BLOCKS" POT_RESIGN_DUMP="$T/all" POT_RESIGN_DUMP_COUNT="$BLOCKS" \
  "$B/tests/resign/resign_property_test" --gtest_filter='ResignProperty.VerdictEqualsTheModel' |
  grep -v '^\[\|^Running\|^Note\|^$'
prop=${PIPESTATUS[0]}
echo "$(echo "$(date +%s.%N) - $start" | bc) s"

# The same blocks through the tools: pot-chaind import (each block, one call each) and
# pot-verify-block (the first VERIFY_SAMPLE: it loads libtorch, ~0.5 s a call).
VERIFY_SAMPLE="${VERIFY_SAMPLE:-200}"
echo "== 3. the same $BLOCKS blocks through pot-chaind import, $VERIFY_SAMPLE through pot-verify-block"
NOW="$(cat "$T/all/now")"
mkdir -p "$T/vchain"
cp "$T/all/block-1" "$T/vchain/000001.block"
pot-chaind import --db "$T/db" --genesis "$T/all/genesis" --now "$NOW" "$T/all/block-1" >/dev/null || exit 4
start=$(date +%s.%N)
n=0 agree=0 differ=0 vagree=0 vdiffer=0
while read -r name verdict; do
  pot-chaind import --db "$T/db" --now "$NOW" "$T/all/$name" >/dev/null 2>&1
  c=$?
  if { [ "$verdict" = valid ] && [ "$c" = 0 ]; } || { [ "$verdict" = invalid ] && { [ "$c" = 1 ] || [ "$c" = 3 ]; }; }; then
    agree=$((agree + 1))
  else
    differ=$((differ + 1)); echo "pot-chaind import: $name: model $verdict, exit $c"
  fi
  if [ $((n++)) -lt "$VERIFY_SAMPLE" ]; then
    pot-verify-block --genesis "$T/all/genesis" --chain "$T/vchain" --now "$NOW" -q "$T/all/$name" >/dev/null 2>&1
    v=$?
    if { [ "$verdict" = valid ] && [ "$v" = 0 ]; } || { [ "$verdict" = invalid ] && { [ "$v" = 1 ] || [ "$v" = 3 ]; }; }; then
      vagree=$((vagree + 1))
    else
      vdiffer=$((vdiffer + 1)); echo "pot-verify-block: $name: model $verdict, exit $v"
    fi
  fi
done <"$T/all/expected.txt"
echo "pot-chaind import: $agree agree with the model, $differ differ"
echo "pot-verify-block: $vagree agree with the model, $vdiffer differ"
echo "$(echo "$(date +%s.%N) - $start" | bc) s"
[ "$flip" = 0 ] && [ "$prop" = 0 ] && [ "$differ" = 0 ] && [ "$vdiffer" = 0 ]
