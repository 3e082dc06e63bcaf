#!/usr/bin/env bash
# Runs every libFuzzer target of tests/fuzz for SECONDS each on seed corpora made by the real
# tools, and prints executions per second and coverage. Exit 1 if any target crashed, leaked or
# hung (its reproducer is left in build-fuzz/findings/<target>/).
# Usage: bench/fuzz/run.sh SECONDS [TARGET...]
#   Needs clang with libFuzzer (libclang-rt-14-dev) and the normal build (scripts/test) for
#   the seed-making tools. FUZZ_BUILD_DIR overrides build-fuzz. FUZZ_SEED=N fixes libFuzzer's
#   random seed, so a run from the seed corpora replays the same inputs (CI uses it).
set -uo pipefail
SECONDS_EACH="${1:?usage: run.sh SECONDS [TARGET...]}"; shift
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
B="${FUZZ_BUILD_DIR:-$ROOT/build-fuzz}"
TARGETS=("$@")
[ ${#TARGETS[@]} -gt 0 ] ||
  TARGETS=(fuzz_message fuzz_json_message fuzz_arrays fuzz_datasets fuzz_validate_block
           fuzz_chaind_request fuzz_gossip_frames)

GEN=(); command -v ninja >/dev/null && GEN=(-G Ninja)
if [ ! -f "$B/CMakeCache.txt" ]; then
  CC=clang CXX=clang++ cmake -S "$ROOT" -B "$B" "${GEN[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DPOT_FUZZ=ON -DPOT_WITH_TORCH=OFF -DPOT_BUILD_TESTS=OFF \
    -DCMAKE_CXX_FLAGS="-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer" \
    -DCMAKE_C_FLAGS="-fsanitize=address,undefined" >/dev/null || exit 4
fi
cmake --build "$B" -j "$(nproc)" --target "${TARGETS[@]}" >"$B/fuzz-build.log" 2>&1 ||
  { tail -20 "$B/fuzz-build.log"; exit 4; }
# Seeds made before the chain targets existed lack the chain: made again.
[ -d "$B/seeds/chain" ] || { rm -rf "$B/seeds"; bash "$ROOT/bench/fuzz/seeds.sh" "$B/seeds"; } || exit 4
# The real chain fuzz_validate_block and fuzz_chaind_request judge their input against.
export POT_FUZZ_CHAIN="$B/seeds/chain"

failed=0 passed=0
printf '%-20s %10s %8s %8s %s\n' target execs/s cov ft result
for t in "${TARGETS[@]}"; do
  corpus="$B/corpus/$t" findings="$B/findings/$t"
  mkdir -p "$corpus" "$findings"
  UBSAN_OPTIONS=halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
    "$B/tests/fuzz/$t" -max_total_time="$SECONDS_EACH" -timeout=10 -rss_limit_mb=2048 \
    -max_len=65536 -print_final_stats=1 -artifact_prefix="$findings/" ${FUZZ_SEED:+-seed=$FUZZ_SEED} \
    "$corpus" "$B/seeds/$t" >"$B/$t.log" 2>&1
  rc=$?
  stats="$(grep -E '^#[0-9]+.*(DONE|pulse|NEW|REDUCE)' "$B/$t.log" | tail -1)"
  cov="$(sed -n 's/.* cov: \([0-9]*\).*/\1/p' <<<"$stats")"
  ft="$(sed -n 's/.* ft: \([0-9]*\).*/\1/p' <<<"$stats")"
  eps="$(sed -n 's/^stat::average_exec_per_sec: *//p' "$B/$t.log")"
  result=ok
  if [ "$rc" -ne 0 ]; then result="FAILED (exit $rc, see $B/$t.log)"; failed=$((failed + 1)); else passed=$((passed + 1)); fi
  printf '%-20s %10s %8s %8s %s\n' "$t" "${eps:-?}" "${cov:-?}" "${ft:-?}" "$result"
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
