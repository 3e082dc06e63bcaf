#!/usr/bin/env bash
# bench/train_stage/worker.sh: N small stages three ways, side by side in the same run: N
# one-shot pot-train-stage processes as pot-node ran them (each re-executes itself into the
# profile and loads libtorch), N one-shot processes with the profile's environment preset,
# and one stage worker (pot-train-stage serve) given the N jobs; against the bare stage
# compute (bench_train_stage's in-process stage function, times N). Checks that the worker's
# states equal the one-shot ones.
# Usage: bench/train_stage/worker.sh [BUILD_DIR] [PROFILE] [N] [SAMPLES] [ARCH] [THREADS]
# Default: x86-64-v3, 20 stages of 512 samples of mlp:784-128-10 (b = 32), 1 thread.
set -euo pipefail
BUILD="${1:-build}"; PROFILE="${2:-x86-64-v3}"; N="${3:-20}"; S="${4:-512}"
ARCH="${5:-mlp:784-128-10}"; THREADS="${6:-1}"
BIN="$(cd "$BUILD/bin" && pwd)"; BENCH="$(cd "$BUILD/bench" && pwd)"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
"$BIN/pot-keygen" -o "$T/emp.pem" >/dev/null
"$BIN/pot-partition" -q -k "$T/emp.pem" -o "$T/repo" --samples-per-stage "$S" --limit $((N * S)) \
  -b 32 --lr 0.05 --momentum 0.9 --profile "$PROFILE" -a "$ARCH" >/dev/null
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores; $(uptime)"
echo "profile $PROFILE, $ARCH, b = 32, $N stages of $S samples, $THREADS thread(s)"
now() { date +%s.%N; }
oneshot() {  # oneshot DIR: the N stages, one process each
  local s prev=()
  for s in $(seq "$N"); do
    "$BIN/pot-train-stage" -q --repo "$T/repo" -s "$s" "${prev[@]}" --threads "$THREADS" \
      -o "$1/s$s" >/dev/null
    prev=(--state "$1/s$s")
  done
}
mkdir "$T/a" "$T/b" "$T/w"
t0=$(now); oneshot "$T/a"; t1=$(now)
(eval "$("$BIN/pot-train-stage" print-env "$PROFILE" --threads "$THREADS")"; oneshot "$T/b"); t2=$(now)
for s in $(seq "$N"); do
  prev=""; [ "$s" = 1 ] || prev="--state $T/w/s$((s - 1))"
  echo "run -q --repo $T/repo -s $s $prev -o $T/w/s$s"
done >"$T/jobs"
t3=$(now)
"$BIN/pot-train-stage" serve --profile "$PROFILE" --threads "$THREADS" <"$T/jobs" >"$T/answers"
t4=$(now)
[ "$(grep -c '^exit 0$' "$T/answers")" = "$N" ] || { echo "a job failed: $(grep -v '^rho\|^state' "$T/answers")"; exit 1; }
same=yes
cmp -s "$T/a/s$N" "$T/w/s$N" && cmp -s "$T/b/s$N" "$T/w/s$N" || same=NO
bare="$( (eval "$("$BIN/pot-train-stage" print-env "$PROFILE" --threads "$THREADS")"
  "$BENCH/bench_train_stage" --repo "$T/repo" -s 1 --reps 3 --poc-samples 32) |
  awk '/^stage function/ {print $(NF-1)}')"
awk -v a="$t0" -v b="$t1" -v c="$t2" -v d="$t3" -v e="$t4" -v n="$N" -v s="$S" -v r="$bare" -v same="$same" 'BEGIN {
  bare = n * s / r
  printf "bare stage compute (in-process stage function x N): %6.2f s\n", bare
  printf "one-shot, re-exec (as pot-node ran):  %6.2f s  %5.2fx bare  %.3f s/stage over bare\n", b - a, (b - a) / bare, (b - a - bare) / n
  printf "one-shot, environment preset:         %6.2f s  %5.2fx bare  %.3f s/stage over bare\n", c - b, (c - b) / bare, (c - b - bare) / n
  printf "one worker (serve), N jobs:           %6.2f s  %5.2fx bare  %.3f s/stage over bare\n", e - d, (e - d) / bare, (e - d - bare) / n
  printf "worker states equal one-shot states: %s\n", same }'
echo "after: $(uptime)"
