#!/usr/bin/env bash
# bench/train_stage/worker_threads.sh: a stage's wall time on 1 thread and on N threads inside
# a stage worker (pot-train-stage serve), as pot-node runs its stages: libtorch loaded and the
# profile in effect once. Per thread count, one worker given 1 job and one given 1 + R jobs of
# the same stage; their difference over R is the time of a stage without the worker's start.
# Alternating 1 and N threads, REPS rounds; checks that rho and H(S_1) are the same.
# With LOADED=P: P such workers at once (a devnet's nodes sharing the machine), the wall time of
# all of them, on 1 thread each and on N threads each.
# Usage: bench/train_stage/worker_threads.sh [BUILD_DIR] [PROFILE] [SAMPLES] [ARCH] [B] [THREADS]
#        [REPS] [R]
# Default: x86-64-v3, 59 904 samples of mlp:784-512-512-10, b = 128, 2 threads, 3 reps, R = 2.
set -euo pipefail
BUILD="${1:-build}"; PROFILE="${2:-x86-64-v3}"; N="${3:-59904}"
ARCH="${4:-mlp:784-512-512-10}"; B="${5:-128}"; THREADS="${6:-2}"; REPS="${7:-3}"; R="${8:-2}"
BIN="$(cd "$BUILD/bin" && pwd)"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
"$BIN/pot-keygen" -o "$T/emp.pem" >/dev/null
"$BIN/pot-partition" -q -k "$T/emp.pem" -o "$T/repo" --samples-per-stage "$N" --limit "$N" \
  -b "$B" --lr 0.05 --momentum 0.9 --profile "$PROFILE" -a "$ARCH" >/dev/null
echo "machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2-), $(nproc) cores; $(uptime)"
echo "profile $PROFILE, $ARCH, b = $B, $N samples"
jobs() {  # jobs COUNT TAG: COUNT runs of stage 1
  local i
  for i in $(seq "$1"); do echo "run -q --repo $T/repo -s 1 -o $T/s1-$2-$i"; done
}
serve() {  # serve THREADS COUNT TAG: seconds for one worker given COUNT jobs
  local s e
  jobs "$2" "$3" >"$T/jobs-$3"
  s=$(date +%s.%N)
  "$BIN/pot-train-stage" serve --profile "$PROFILE" --threads "$1" <"$T/jobs-$3" >"$T/ans-$3"
  e=$(date +%s.%N)
  [ "$(grep -c '^exit 0$' "$T/ans-$3")" = "$2" ] || { echo "a job failed: $(cat "$T/ans-$3")" >&2; exit 1; }
  awk -v s="$s" -v e="$e" 'BEGIN { print e - s }'
}
if [ -n "${LOADED:-}" ]; then
  for t in 1 "$THREADS"; do
    s=$(date +%s.%N)
    for p in $(seq "$LOADED"); do serve "$t" "$R" "l$t-$p" >/dev/null & done
    wait
    e=$(date +%s.%N)
    awk -v t="$t" -v p="$LOADED" -v r="$R" -v s="$s" -v e="$e" 'BEGIN {
      printf "%d workers at once, %d stages each, %d thread(s) each: %.2f s\n", p, r, t, e - s }'
  done
  echo "after: $(uptime)"
  exit 0
fi
# The machine's own speed drifts by 15-25% within minutes: besides the best of each, the
# median of each round's own ratio (both counts measured back to back).
declare -A best
ratios=""
for t in 1 "$THREADS"; do best[$t]=1e9; done
for r in $(seq "$REPS"); do
  declare -A round
  for t in 1 "$THREADS"; do
    one=$(serve "$t" 1 "a$t")
    more=$(serve "$t" $((R + 1)) "b$t")
    round[$t]=$(awk -v one="$one" -v more="$more" -v r="$R" 'BEGIN { print (more - one) / r }')
    best[$t]=$(awk -v a="${best[$t]}" -v d="${round[$t]}" 'BEGIN { print (d < a) ? d : a }')
  done
  ratios="$ratios $(awk -v a="${round[1]}" -v b="${round[$THREADS]}" 'BEGIN { print b / a }')"
  echo "round $r: 1 thread ${round[1]} s, $THREADS threads ${round[$THREADS]} s"
done
median=$(printf '%s\n' $ratios | sort -g | awk '{ v[NR] = $1 } END {
  print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
same=yes
for f in "$T"/s1-*; do cmp -s "$f" "$T/s1-a1-1" || same=NO; done
for f in "$T"/ans-*; do
  [ "$(grep -v '^exit' "$f" | sort -u)" = "$(grep -v '^exit' "$T/ans-a1" | sort -u)" ] || same=NO
done
awk -v a="${best[1]}" -v b="${best[$THREADS]}" -v t="$THREADS" 'BEGIN {
  printf "per stage in a worker, best of each: 1 thread %.2f s; %d threads %.2f s; ratio %.3f\n",
    a, t, b, b / a }'
echo "median of the rounds' ratios: $median; same rho and H(S_1): $same"
echo "after: $(uptime)"
