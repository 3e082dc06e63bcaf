#!/usr/bin/env bash
# bench/report: pot-report of a model of STAGES stages (a real one-node chain, each stage
# trained by pot-train-stage with its loss trace published), side by side with its baselines:
#  - without evaluation (--no-evaluate, from --db) against reading the same blocks with
#    pot-chain-report (target: under 2x);
#  - with evaluation against STAGES + 1 pot-evaluate processes, one per state (S_0 .. S_t):
#    the report should cost one libtorch start plus the evaluations.
# Usage: bench/report/run.sh [BUILD_DIR] [STAGES] [SAMPLES_PER_STAGE] [TEST_SAMPLES] [SVG_OUT]
set -euo pipefail
BUILD="${1:-build}"; STAGES="${2:-100}"; DELTA="${3:-64}"; LIMIT="${4:-1000}"; SVG="${5:-}"
BIN="$(cd "$BUILD/bin" && pwd)"; export PATH="$BIN:$PATH"
T="$(mktemp -d)"; trap 'rm -rf "$T"' EXIT
G0=1700000000
pot-keygen -o "$T/node.pem" >/dev/null
pot-keygen -o "$T/emp.pem" >/dev/null
MODEL="$(pot-partition -q -k "$T/emp.pem" -o "$T/repo" --limit $((DELTA * STAGES)) -b 8 \
  --samples-per-stage "$DELTA" --profile portable -C 1 --created-at "$G0")"
pot-genesis -o "$T/genesis" --timestamp "$G0" --stakeholders 1 --min-stake-age 10 \
  --declaration-target max --header-target max --dummy-request "$T/repo/request" \
  --alloc "$T/node.pem=100000000000" >/dev/null
mkdir -p "$T/chain"
# After block 1 the tools read the growing chain from pot-chaind's store: no replay of every
# block per call.
GEN=(--genesis "$T/genesis" --chain "$T/chain")
eval "$(pot-train-stage --print-env portable)"
prev=""
for ((s = 1; s <= STAGES; s++)); do
  pot-train-stage -q --repo "$T/repo" -s "$s" ${prev:+--state "$prev"} -o "$T/s$s" \
    --loss-trace "$T/trace" >"$T/claim"
  rho="$(awk '$1 == "rho" {print $2}' "$T/claim")"
  cp "$T/s$s" "$T/repo/objects/$(awk '$1 == "state" {print $2}' "$T/claim")"
  cp "$T/trace" "$T/repo/objects/$(sha256sum "$T/trace" | cut -c1-64)"
  now=$((G0 + 100 * s))
  pot-declare "${GEN[@]}" -k "$T/node.pem" --model "$MODEL" -s "$s" --state "$T/s$s" \
    --rho "$rho" --now "$now" -o "$T/td" >/dev/null
  pot-build-header "${GEN[@]}" -k "$T/node.pem" --state "$T/s$s" --rho "$rho" --now "$now" \
    --loss-trace "$T/trace" -o "$T/header" "$T/td" >/dev/null
  block="$T/chain/$(printf '%06d' "$s").block"
  pot-stake "${GEN[@]}" --header "$T/header" -k "$T/node.pem" -d "$T/td" -o "$block" >/dev/null
  pot-chaind import --db "$T/db" --genesis "$T/genesis" "$block" >/dev/null
  GEN=(--db "$T/db")
  prev="$T/s$s"
done

# best N CMD...: the least wall time of N runs, in seconds.
best() {
  local n="$1" b=1e9 r s e; shift
  for ((r = 0; r < n; r++)); do
    s=$(date +%s.%N); "$@" >/dev/null; e=$(date +%s.%N)
    b=$(awk -v a="$b" -v s="$s" -v e="$e" 'BEGIN{t = e - s; print (t < a) ? t : a}')
  done
  echo "$b"
}
# Reading the blocks and the report without evaluation, alternately (the machine is
# shared, its load changes within seconds), best of 15 each. Both write to standard output,
# as pot-chain-report does; the report to a file (-o: a temporary file, fsync, rename) is
# timed too.
blocks=1e9 quick=1e9 quickfile=1e9
for ((r = 0; r < 15; r++)); do
  blocks=$(awk -v a="$blocks" -v t="$(best 1 pot-chain-report "$T"/chain/*.block)" \
    'BEGIN{print (t < a) ? t : a}')
  quick=$(awk -v a="$quick" \
    -v t="$(best 1 pot-report "$MODEL" --db "$T/db" --repo "$T/repo" --no-evaluate)" \
    'BEGIN{print (t < a) ? t : a}')
  quickfile=$(awk -v a="$quickfile" -v t="$(best 1 pot-report "$MODEL" --db "$T/db" \
    --repo "$T/repo" --no-evaluate -o "$T/q.html")" 'BEGIN{print (t < a) ? t : a}')
done
one=$(best 3 pot-evaluate --limit "$LIMIT" "$T/s1")
full=$(best 2 pot-report "$MODEL" --db "$T/db" --repo "$T/repo" --limit "$LIMIT" -o "$T/r.html")
per=$(best 2 pot-evaluate --per-stage --db "$T/db" --repo "$T/repo" --model "$MODEL" \
  --limit "$LIMIT")
# The baseline of the evaluation: a process per state.
s0=$(date +%s.%N)
pot-evaluate --limit "$LIMIT" "$T/repo/objects/$(pot-inspect "$T/repo/request" |
  grep -o '"initialState": "[0-9a-f]*' | cut -c18-)" >/dev/null
for ((s = 1; s <= STAGES; s++)); do pot-evaluate --limit "$LIMIT" "$T/s$s" >/dev/null; done
e0=$(date +%s.%N)
procs=$(awk -v s="$s0" -v e="$e0" 'BEGIN{print e - s}')
grep -c '<td>trace</td>' "$T/r.html" | grep -qx "$STAGES" || { echo "losses missing" >&2; exit 1; }

echo "$STAGES stages of $DELTA samples (mlp:784-128-10, portable), $LIMIT test samples"
echo "load average: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
awk -v n="$STAGES" -v blocks="$blocks" -v quick="$quick" -v one="$one" -v full="$full" \
  -v per="$per" -v procs="$procs" -v quickfile="$quickfile" 'BEGIN {
  printf "pot-chain-report of the %d blocks (baseline): %.4f s\n", n, blocks
  printf "pot-report --no-evaluate: %.4f s, ratio %.2f (target < 2)\n", quick, quick / blocks
  printf "pot-report --no-evaluate -o FILE: %.4f s, ratio %.2f\n", quickfile, quickfile / blocks
  printf "one pot-evaluate process (libtorch start + 1 evaluation): %.3f s\n", one
  printf "%d pot-evaluate processes, S_0..S_%d (baseline): %.2f s\n", n + 1, n, procs
  printf "pot-evaluate --per-stage: %.2f s, ratio %.3f to the processes\n", per, per / procs
  printf "pot-report with evaluation: %.2f s, ratio %.3f to the processes\n", full, full / procs
  printf "  = one start + %.4f s an evaluation (a process costs %.4f s)\n", \
    (full - one) / n, procs / (n + 1) }'
if [ -n "$SVG" ]; then
  cp "$T/r.html" "${SVG%.svg}.html"
  pot-report "$MODEL" --db "$T/db" --repo "$T/repo" --limit "$LIMIT" --svg accuracy -o "$SVG"
fi
