#!/usr/bin/env bash
# bench/train_stage/shared_cores.sh: P stage workers (pot-train-stage serve) at once, as a
# devnet's nodes share one machine, each given S runs of the same stage: the wall time of all
# of them on 1 thread each and on THREADS threads each. Checks every run's rho and H(S_1).
# (One worker alone, 1 thread against N: bench_train_stage --threads-against N.)
# Usage: bench/train_stage/shared_cores.sh [BUILD_DIR] [PROFILE] [SAMPLES] [ARCH] [B] [THREADS]
#        [P] [S]
# Default: x86-64-v3, 16384 samples of mlp:784-512-512-10, b = 128, 2 threads, 4 workers, 2 runs.
set -euo pipefail
BUILD="${1:-build}"; PROFILE="${2:-x86-64-v3}"; N="${3:-16384}"
ARCH="${4:-mlp:784-512-512-10}"; B="${5:-128}"; THREADS="${6:-2}"; P="${7:-4}"; S="${8:-2}"
BIN="$(cd "$BUILD/bin" && pwd)"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
. "$(dirname "$0")/stage_repo.sh"
make_stage_repo "$BIN" "$T" "$N" "$B" "$PROFILE" "$ARCH"
echo "profile $PROFILE, $ARCH, b = $B, $N samples; $P workers at once, $S runs each"
for t in 1 "$THREADS"; do
  # Each worker its own output files; the environment preset, so no re-exec is timed.
  for w in $(seq "$P"); do
    for s in $(seq "$S"); do echo "run -q --repo $T/repo -s 1 -o $T/s1-$t-$w-$s"; done >"$T/jobs-$t-$w"
  done
  start=$(date +%s.%N)
  for w in $(seq "$P"); do
    (eval "$("$BIN/pot-train-stage" print-env "$PROFILE" --threads "$t")"
     exec "$BIN/pot-train-stage" serve --profile "$PROFILE" --threads "$t" <"$T/jobs-$t-$w" \
       >"$T/ans-$t-$w") &
  done
  wait
  end=$(date +%s.%N)
  awk -v t="$t" -v s="$start" -v e="$end" 'BEGIN { printf "%d thread(s) each: %.2f s\n", t, e - s }'
done
for f in "$T"/ans-*; do
  [ "$(grep -c '^exit 0$' "$f" || true)" = "$S" ] || { echo "a run failed: $(cat "$f")"; exit 1; }
done
first="$(grep -v '^exit' "$T/ans-1-1" | sort -u)"
for f in "$T"/ans-*; do
  [ "$(grep -v '^exit' "$f" | sort -u)" = "$first" ] || { echo "rho or H(S_1) differs: $f"; exit 1; }
done
echo "same rho and H(S_1) in every run: yes"
echo "after: $(uptime)"
