#!/usr/bin/env bash
# bench/train_stage/threads.sh: one stage on 1 thread and on N threads, side by side in
# the same run (alternating, best of REPS), with the profile's environment preset so no
# re-exec is timed; checks that rho and H(S_1) are the same for every count.
# Usage: bench/train_stage/threads.sh [BUILD_DIR] [PROFILE] [SAMPLES] [ARCH] [B] [THREADS] [REPS]
# Default: x86-64-v3, 60000 samples of mlp:784-512-512-10, b = 128, 2 threads, 3 reps.
set -euo pipefail
BUILD="${1:-build}"; PROFILE="${2:-x86-64-v3}"; N="${3:-60000}"
ARCH="${4:-mlp:784-512-512-10}"; B="${5:-128}"; THREADS="${6:-2}"; REPS="${7:-3}"
BIN="$(cd "$BUILD/bin" && pwd)"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/stage_repo.sh"
make_stage_repo "$BIN" "$T" "$N" "$B" "$PROFILE" "$ARCH"
echo "profile $PROFILE, $ARCH, b = $B, $N samples"
declare -A best res
for t in 1 "$THREADS"; do best[$t]=1e9; done
for r in $(seq "$REPS"); do
  for t in 1 "$THREADS"; do
    s=$(date +%s.%N)
    (eval "$("$BIN/pot-train-stage" print-env "$PROFILE" --threads "$t")"
     exec "$BIN/pot-train-stage" -q --repo "$T/repo" -s 1 --threads "$t" -o "$T/s1-$t" >"$T/res-$t")
    e=$(date +%s.%N)
    best[$t]=$(awk -v a="${best[$t]}" -v s="$s" -v e="$e" 'BEGIN{d=e-s; print (d<a)?d:a}')
  done
done
same=yes
cmp -s "$T/res-1" "$T/res-$THREADS" && cmp -s "$T/s1-1" "$T/s1-$THREADS" || same=NO
awk -v a="${best[1]}" -v b="${best[$THREADS]}" -v t="$THREADS" -v same="$same" 'BEGIN {
  printf "1 thread: %.2f s; %d threads: %.2f s; ratio %.3f; same rho and H(S_1): %s\n", a, t, b, b / a, same }'
echo "after: $(uptime)"
