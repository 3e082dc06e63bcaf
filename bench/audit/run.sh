#!/usr/bin/env bash
# bench/audit: pot-audit over a real chain of STAGES Fashion-MNIST stages, with --jobs 1 and
# --jobs 2, against bare pot-train-stage processes re-running the same stages one by one.
# Usage: bench/audit/run.sh [BUILD_DIR] [PROFILE] [SAMPLES_PER_STAGE] [ARCH] [STAGES] [ENV] [ROUNDS]
# ENV=env sets the profile environment first (pot-train-stage --print-env), so neither
# tool re-executes itself; without it both pay the re-exec (pot-audit once, pot-train-stage
# once per stage).
# The default stage is 16384 samples (about 0.5 s of compute for mlp:784-128-10 here):
# a stage of the design's size (Delta = T x reference speed / tau, DESIGN 4.5) is millions of
# samples and minutes of compute, beside which pot-audit's one libtorch start vanishes;
# 4096-sample stages (0.1 s) would measure process start-up more than auditing. 16384 is
# the largest that keeps the whole run within a few minutes on the shared 2-core machine.
# -j 1 and -j 2 run alternately, ROUNDS (default 3) each, best kept: the machine is shared
# and its load changes within a minute; the load average is printed with the figures.
set -euo pipefail
BUILD="${1:-build}"; PROFILE="${2:-x86-64-v3}"; DELTA="${3:-16384}"; ARCH="${4:-mlp:784-128-10}"
STAGES="${5:-12}"; ROUNDS="${7:-3}"
BIN="$(cd "$BUILD/bin" && pwd)"; export PATH="$BIN:$PATH"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
G0=1700000000
declare -A KEYFILE
for i in 1 2 3 4; do
  pot-keygen -o "$T/n$i.pem" >/dev/null
  KEYFILE[$(pot-keygen --show "$T/n$i.pem")]="$T/n$i.pem"
done
pot-keygen -o "$T/emp.pem" >/dev/null
# The employer's model is the genesis's dummy model: every block trains it.
MODEL="$(pot-partition -q -k "$T/emp.pem" -o "$T/repo" --samples-per-stage "$DELTA" -b 32 \
  --lr 0.05 --momentum 0.9 --profile "$PROFILE" --limit $((DELTA * STAGES)) -a "$ARCH" -C 2 \
  --created-at "$G0")"
mkdir -p "$T/chain"
pot-genesis -o "$T/genesis" --timestamp "$G0" --stakeholders 3 --min-stake-age 10 \
  --declaration-target max --header-target max --dummy-request "$T/repo/request" \
  --alloc "$T/n1.pem=100000000000" --alloc "$T/n2.pem=100000000000" \
  --alloc "$T/n3.pem=100000000000" --alloc "$T/n4.pem=100000000000" >/dev/null
GEN=(--genesis "$T/genesis" --chain "$T/chain")
if [ "${6:-}" = env ]; then eval "$(pot-train-stage --print-env "$PROFILE")"; fi

# One block per stage: the stage trained by pot-train-stage (timed: the baseline), S_i
# stored in the repository, two declarations, a header, the stakeholders' signatures.
bare=0 prev=""
for ((s = 1; s <= STAGES; s++)); do
  t0=$(date +%s.%N)
  pot-train-stage -q --repo "$T/repo" -s "$s" ${prev:+--state "$prev"} -o "$T/s$s" >"$T/out"
  t1=$(date +%s.%N)
  bare=$(awk -v a="$bare" -v s="$t0" -v e="$t1" 'BEGIN{print a + e - s}')
  rho="$(awk '$1 == "rho" {print $2}' "$T/out")"; state="$(awk '$1 == "state" {print $2}' "$T/out")"
  cp "$T/s$s" "$T/repo/objects/$state"
  now=$((G0 + 100 * s))
  for i in 1 2; do
    pot-declare "${GEN[@]}" -k "$T/n$i.pem" --model "$MODEL" -s "$s" --state-hash "$state" \
      --rho "$rho" --now "$now" -o "$T/td$i" >/dev/null
  done
  pot-build-header "${GEN[@]}" -k "$T/n3.pem" --rho "$rho" --state-hash "$state" --now "$now" \
    -o "$T/header" "$T/td1" "$T/td2" >/dev/null
  mapfile -t drawn < <(pot-stake "${GEN[@]}" --header "$T/header" --list)
  sigs=()
  for ((k = 1; k < 3; k++)); do
    pot-stake "${GEN[@]}" --header "$T/header" -k "${KEYFILE[${drawn[$((k - 1))]}]}" "${sigs[@]}" \
      -o "$T/sig$k" >/dev/null
    sigs+=(--signature "$T/sig$k")
  done
  pot-stake "${GEN[@]}" --header "$T/header" -k "${KEYFILE[${drawn[2]}]}" "${sigs[@]}" \
    -d "$T/td1" -d "$T/td2" -o "$T/chain/$(printf '%06d' "$s").block" >/dev/null
  prev="$T/s$s"
done

# The audits, alternately, best of ROUNDS each; their reports must agree line for line.
audit() {  # audit JOBS: the wall time of one pot-audit run
  local s e
  s=$(date +%s.%N)
  pot-audit "${GEN[@]}" --repo "$T/repo" -q -j "$1" "$MODEL" >"$T/audit-$1"
  e=$(date +%s.%N)
  awk -v s="$s" -v e="$e" 'BEGIN{print e - s}'
}
j1=1e9 j2=1e9 loads=""
for ((r = 0; r < ROUNDS; r++)); do
  loads+="$(cut -d' ' -f1 /proc/loadavg) "
  t=$(audit 1); j1=$(awk -v a="$j1" -v t="$t" 'BEGIN{print (t < a) ? t : a}')
  t=$(audit 2); j2=$(awk -v a="$j2" -v t="$t" 'BEGIN{print (t < a) ? t : a}')
done
diff <(grep '^stage ' "$T/audit-1") <(grep '^stage ' "$T/audit-2") >/dev/null ||
  { echo "--jobs 1 and --jobs 2 disagree" >&2; exit 1; }
grep -q "^audited $STAGES stages: $STAGES ok" "$T/audit-1" || { cat "$T/audit-1" >&2; exit 1; }
echo "architecture $ARCH, profile $PROFILE, $STAGES stages of $DELTA samples, env preset: ${6:-no}"
echo "load average (1 min) before each round: $loads($(nproc) CPUs)"
tail -1 "$T/audit-1"
awk -v n="$STAGES" -v bare="$bare" -v j1="$j1" -v j2="$j2" 'BEGIN {
  printf "pot-train-stage, one process per stage: %.2f s (%.3f s a stage)\n", bare, bare / n
  printf "pot-audit --jobs 1: %.2f s (%.3f s a stage)\n", j1, j1 / n
  printf "pot-audit --jobs 2: %.2f s\n", j2
  printf "ratio pot-audit -j 1 / pot-train-stage per stage: %.3f (target <= 1.15)\n", j1 / bare
  printf "ratio pot-audit -j 2 / -j 1: %.3f (target <= 0.6)\n", j2 / j1 }'
