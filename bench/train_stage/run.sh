#!/usr/bin/env bash
# bench/train_stage: pot-train-stage (whole process: start-up, profile re-exec, file
# I/O) and the in-process stage function against a bare libtorch loop and the
# PoC-style one-step-per-sample loop on the same Fashion-MNIST MLP stage.
# Usage: bench/train_stage/run.sh [BUILD_DIR] [PROFILE] [SAMPLES_PER_STAGE] [ARCH] [ENV]
# ENV=env sets the profile environment first (pot-train-stage --print-env), as a
# node script would, so the process does not re-execute itself.
set -euo pipefail
BUILD="${1:-build}"; PROFILE="${2:-x86-64-v3}"; DELTA="${3:-19968}"; ARCH="${4:-mlp:784-128-10}"
BIN="$BUILD/bin"; BENCH="$BUILD/bench/bench_train_stage"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
"$BIN/pot-keygen" -o "$T/emp.pem" >/dev/null
"$BIN/pot-partition" -q -k "$T/emp.pem" -o "$T/repo" --samples-per-stage "$DELTA" -b 32 \
  --lr 0.05 --momentum 0.9 --profile "$PROFILE" --limit "$DELTA" -a "$ARCH" >/dev/null
if [ "${5:-}" = env ]; then eval "$("$BIN/pot-train-stage" --print-env "$PROFILE")"; fi
best=1e9
for r in 1 2 3; do
  s=$(date +%s.%N)
  "$BIN/pot-train-stage" -q --repo "$T/repo" -s 1 -o "$T/s1" >/dev/null
  e=$(date +%s.%N)
  best=$(awk -v a="$best" -v b="$(awk -v s="$s" -v e="$e" 'BEGIN{print e-s}')" 'BEGIN{print (b<a)?b:a}')
done
echo "architecture $ARCH"
bestBare=1e9
for r in 1 2 3; do
  s=$(date +%s.%N)
  "$BENCH" --repo "$T/repo" -s 1 --bare-only
  e=$(date +%s.%N)
  bestBare=$(awk -v a="$bestBare" -v b="$(awk -v s="$s" -v e="$e" 'BEGIN{print e-s}')" 'BEGIN{print (b<a)?b:a}')
done
"$BENCH" --repo "$T/repo" -s 1 --reps 3 | tee "$T/bench.txt"
bare=$(awk '/bare libtorch/ {print $(NF-1)}' "$T/bench.txt")
awk -v n="$DELTA" -v t="$best" -v bare="$bare" 'BEGIN {
  printf "pot-train-stage process (incl. start-up, I/O): %10.0f samples/s (%.2f s)\n", n / t, t
  printf "ratio pot-train-stage process/bare loop: %.3f\n", (n / t) / bare }'
awk -v n="$DELTA" -v t="$best" -v b="$bestBare" 'BEGIN {
  printf "bare libtorch program (process, same start-up, reads the batch): %10.0f samples/s (%.2f s)\n", n / b, b
  printf "ratio pot-train-stage process/bare program: %.3f\n", b / t }'
