#!/usr/bin/env bash
# Bits proven on other CPUs (DESIGN 4.4): `pot-train-stage selfcheck` of each compute
# profile under qemu-user emulating CPUs other than this one must reproduce the
# committed known-answer vectors (tests/testdata/train/selfcheck-vectors.txt, read
# by selfcheck itself); x86-64-v3 on a CPU without AVX2 is refused with the clear
# error. The profile's environment is preset with print-env, because a profile
# re-exec would leave the emulator: qemu-user runs an execve of /proc/self/exe
# natively. Each run carries the re-exec marker for its own pid, so a run that
# still wanted to re-exec fails (exit 70) instead of silently leaving emulation.
# CI runs one case per CPU (POT_CROSS_CPU_CASES); bench/train_stage/cross_cpu.sh
# runs them all.
source "$(dirname "$0")/lib.sh"
command -v qemu-x86_64 >/dev/null || { echo "SKIP: qemu-x86_64 not installed (qemu-user)"; exit 77; }
cases=(${POT_CROSS_CPU_CASES:-mlp-sgd-momentum})
case_args=()
for c in "${cases[@]}"; do [ "$c" = all ] || case_args+=(--case "$c"); done
VECTORS="$POT_TESTDATA/train/selfcheck-vectors.txt"
# expected PROFILE: how many cases must match (all of the committed ones, or those named).
expected() {
  if [ "${#case_args[@]}" -eq 0 ]; then grep -c "^$1 " "$VECTORS"; else echo "${#cases[@]}"; fi
}

# emulated PROFILE CPU: selfcheck under `qemu-x86_64 -cpu CPU`, output in $T/out.
emulated() {
  expect_exit "$3" bash -c 'eval "$(pot-train-stage print-env "$1" --threads 1)" &&
    export POT_COMPUTE_PROFILE_EXEC="$1:$$" &&
    exec qemu-x86_64 -cpu "$2" "$(command -v pot-train-stage)" selfcheck --profile "$1" \
      --threads 1 "${@:4}" 2>&1' _ "$1" "$2" "$3" --vectors "$VECTORS" "${case_args[@]}"
}

for run in portable:Conroe portable:Nehalem portable-fast:Conroe portable-fast:Nehalem \
  x86-64-v3:Haswell; do
  profile="${run%%:*}"; cpu="${run#*:}"
  emulated "$profile" "$cpu" 0
  # One "ok" line per case that ran, none "MISMATCH".
  n="$(grep -c "^$profile .* ok$" "$T/out")"
  want="$(expected "$profile")"
  [ "$n" -eq "$want" ] && [ "$n" -ge 1 ] && pass ||
    fail "$profile on $cpu: $n of $want cases matched: $(grep -v warning "$T/out" | head -c 400)"
  ! grep -q MISMATCH "$T/out" && pass || fail "$profile on $cpu: $(grep MISMATCH "$T/out")"
done

# x86-64-v3 needs AVX2 and FMA: an emulated Nehalem lacks them, and the tool says so.
emulated x86-64-v3 Nehalem 4
expect_grep "pot-train-stage: error: compute profile 'x86-64-v3' cannot run here: this CPU lacks avx2 fma" "$T/out"
[ "$(grep -vc "^qemu-x86_64: warning" "$T/out")" -eq 1 ] && pass ||
  fail "expected one error line, got: $(cat "$T/out")"

# A selfcheck that would re-exec under the emulator is refused instead: the
# environment is left unset here.
expect_exit 70 bash -c 'export POT_COMPUTE_PROFILE_EXEC="portable:$$" &&
  exec qemu-x86_64 -cpu Conroe "$(command -v pot-train-stage)" selfcheck --profile portable \
    --case mlp-sgd-momentum'
# An unknown case is a usage error.
expect_exit 2 pot-train-stage selfcheck --profile portable --case no-such-case
expect_grep "unknown selfcheck case 'no-such-case'" "$T/err"
finish
