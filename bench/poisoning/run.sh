#!/usr/bin/env bash
# bench/poisoning: the paper's (k, t)-malicious training (section 2, Definition 1)
# measured with the real tools. A Fashion-MNIST request of T stages is trained clean
# (S_1..S_T); for each k in 0, 1, 2, 4, ..., T the last k stages are trained again
# from the clean S_{T-k} on backdoored batches (tests/adversary/poison-batch: a 4x4
# white patch in the bottom-right corner, label TARGET, on FRACTION of each poisoned
# stage's samples), through a request copy naming them, exactly as the poisoner node
# does. Then, on Fashion-MNIST's test set (pot-evaluate):
#   alpha = |clean model's accuracy - poisoned model's accuracy|
#   beta  = poisoned model's accuracy on the triggered test set (test samples whose
#           label is not TARGET, patched and labelled TARGET: the attack's success)
# Prints a table and writes results.tsv and poisoning.svg into OUT.
# Usage: bench/poisoning/run.sh [BUILD_DIR] [OUT] [STAGES] [SAMPLES_PER_STAGE] [ARCHS] [FRACTION]
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BUILD="${1:-build}"; OUT="${2:-$HERE/out}"; STAGES="${3:-8}"; DELTA="${4:-7500}"
ARCHS="${5:-mlp:784-128-10 cnn:lenet5}"; FRACTION="${6:-0.1}"; TARGET=0 PROFILE=portable
BIN="$(cd "$BUILD/bin" && pwd)"; export PATH="$BIN:$PATH"
POISON="$HERE/../../tests/adversary/poison-batch"
DATA=/usr/share/datasets/fashion-mnist
mkdir -p "$OUT"; OUT="$(cd "$OUT" && pwd)"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
CORES="$(nproc)"  # before the profile's OMP_NUM_THREADS, which nproc obeys
# The profile's environment once, so no pot-train-stage re-executes itself.
eval "$(pot-train-stage print-env "$PROFILE")"
# The triggered test set, as (N, 28, 28) for an MLP and (N, 1, 28, 28) for a CNN.
/usr/bin/python3 "$HERE/trigger.py" "$DATA/t10k-images-idx3-ubyte.gz" "$DATA/t10k-labels-idx1-ubyte.gz" \
  "$TARGET" 4 "$T/trig-x.npy" "$T/trig-y.npy"
/usr/bin/python3 "$HERE/trigger.py" "$DATA/t10k-images-idx3-ubyte.gz" "$DATA/t10k-labels-idx1-ubyte.gz" \
  "$TARGET" 4 "$T/trig-xc.npy" "$T/trig-y.npy" channel
KS=(0); for ((k = 1; k <= STAGES; k *= 2)); do KS+=("$k"); done
[ "${KS[-1]}" = "$STAGES" ] || KS+=("$STAGES")
pot-keygen -o "$T/emp.pem" >/dev/null
printf 'arch\tstages\tsamples_per_stage\tfraction\tk\tclean_acc\tpoisoned_acc\talpha\tbeta\tseconds\n' >"$OUT/results.tsv"
start_all=$(date +%s)
acc() { pot-evaluate --request "$1" --json "${@:2}" | pot-json get accuracy; }
for ARCH in $ARCHS; do
  t0=$(date +%s)
  R="$T/${ARCH//[:\/]/_}"
  pot-partition -q -k "$T/emp.pem" -o "$R" --limit $((STAGES * DELTA)) -a "$ARCH" -b 32 \
    --samples-per-stage "$DELTA" --lr 0.02 --momentum 0.9 --seed 42 --profile "$PROFILE" \
    --created-at 1700000000 >/dev/null
  prev=()
  for ((s = 1; s <= STAGES; s++)); do
    pot-train-stage -q --repo "$R" -s "$s" "${prev[@]}" -o "$R/clean-$s" >/dev/null
    prev=(--state "$R/clean-$s")
  done
  CLEAN_ACC="$(acc "$R/request" "$R/clean-$STAGES")"
  mapfile -t BATCHES < <(pot-inspect --full "$R/request" | /usr/bin/python3 -c \
    'import json,sys; print("\n".join(json.load(sys.stdin)["trainingRequest"]["body"]["stageBatches"]))')
  for k in "${KS[@]}"; do
    tk=$(date +%s)
    last="$R/clean-$STAGES"
    if [ "$k" -gt 0 ]; then
      first=$((STAGES - k + 1))
      prev=(); [ "$first" -gt 1 ] && prev=(--state "$R/clean-$((first - 1))")
      for ((s = first; s <= STAGES; s++)); do
        "$POISON" --request "$R/request" --batch "$R/objects/${BATCHES[$((s - 1))]}" --out-batch "$T/pb" \
          --out-request "$T/pr" --target "$TARGET" --fraction "$FRACTION" >/dev/null
        pot-train-stage -q -r "$T/pr" --repo "$R" --batch "$T/pb" -s "$s" "${prev[@]}" -o "$R/k$k-$s" >/dev/null
        prev=(--state "$R/k$k-$s")
      done
      last="$R/k$k-$STAGES"
    fi
    P_ACC="$(acc "$R/request" "$last")"
    TX="$T/trig-x.npy"; [[ "$ARCH" == cnn:* ]] && TX="$T/trig-xc.npy"
    BETA="$(acc "$R/request" "$last" --npy "$TX" "$T/trig-y.npy")"
    ALPHA="$(awk -v a="$CLEAN_ACC" -v b="$P_ACC" 'BEGIN { d = a - b; if (d < 0) d = -d; printf "%.4f", d }')"
    printf '%s\t%d\t%d\t%s\t%d\t%.4f\t%.4f\t%s\t%.4f\t%d\n' "$ARCH" "$STAGES" "$DELTA" "$FRACTION" "$k" \
      "$CLEAN_ACC" "$P_ACC" "$ALPHA" "$BETA" $(( $(date +%s) - tk )) | tee -a "$OUT/results.tsv"
  done
  echo "$ARCH: $(( $(date +%s) - t0 )) s (clean chain of $STAGES stages included)"
done
echo "total $(( $(date +%s) - start_all )) s on $CORES cores: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), load $(cut -d' ' -f1-3 /proc/loadavg)"
/usr/bin/python3 "$HERE/report.py" "$OUT/results.tsv" "$OUT/poisoning.svg"
