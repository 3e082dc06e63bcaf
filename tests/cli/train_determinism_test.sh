#!/usr/bin/env bash
# The same stage in two processes, with 1 and 2 threads, gives identical rho and
# H(S_1) under every compute profile; profiles differ from each other (DESIGN 4.4).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/train_lib.sh"
employer_key

declare -A RHO
for profile in portable x86-64-v3 portable-fast; do
  repo="$T/repo-$profile"
  expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$repo" --limit 256 --samples-per-stage 128 \
    -b 16 --lr 0.05 --momentum 0.9 --seed 11 --profile "$profile"
  for threads in 1 2; do
    expect_exit 0 env OMP_NUM_THREADS=$((3 - threads)) pot-train-stage -q --repo "$repo" -s 1 \
      --threads "$threads" -o "$T/s1-$profile-$threads" --loss-trace "$T/trace-$profile-$threads"
    cp "$T/out" "$T/res-$profile-$threads"
  done
  r1="$(field rho "$T/res-$profile-1")"; r2="$(field rho "$T/res-$profile-2")"
  [[ "$r1" =~ ^[0-9a-f]{64}$ ]] && pass || fail "$profile: no rho printed: $(cat "$T/res-$profile-1")"
  [ "$r1" = "$r2" ] && pass || fail "$profile: rho differs between 1 and 2 threads: $r1 vs $r2"
  [ "$(field state "$T/res-$profile-1")" = "$(field state "$T/res-$profile-2")" ] && pass ||
    fail "$profile: state hash differs between 1 and 2 threads"
  cmp -s "$T/s1-$profile-1" "$T/s1-$profile-2" && pass || fail "$profile: state files differ"
  cmp -s "$T/trace-$profile-1" "$T/trace-$profile-2" && pass || fail "$profile: loss traces differ"
  # H(S_1) printed is the SHA-256 of the file written.
  [ "$(sha256sum <"$T/s1-$profile-1" | cut -d' ' -f1)" = "$(field state "$T/res-$profile-1")" ] &&
    pass || fail "$profile: printed state hash is not SHA-256 of the state file"
  # Stage 2 chains from S_1, again thread-invariant.
  for threads in 1 2; do
    expect_exit 0 pot-train-stage -q --repo "$repo" -s 2 --state "$T/s1-$profile-1" --threads "$threads"
    cp "$T/out" "$T/res2-$profile-$threads"
  done
  cmp -s "$T/res2-$profile-1" "$T/res2-$profile-2" && pass || fail "$profile: stage 2 differs by threads"
  # Inputs on a pipe survive the profile's re-exec; S_1 on stdout is the same file.
  expect_exit 0 bash -c "cat '$repo/request' | pot-train-stage -q --request - --repo '$repo' -s 1"
  cmp -s "$T/out" "$T/res-$profile-1" && pass || fail "$profile: request on a pipe gives another result"
  expect_exit 0 bash -c "pot-train-stage -q --repo '$repo' -s 1 -o - | cat >'$T/piped-$profile'"
  cmp -s "$T/piped-$profile" "$T/s1-$profile-1" && pass || fail "$profile: S_1 on stdout differs"
  RHO[$profile]="$r1"
done
# Same request fields except the profile: the batches are equal, the bits are not.
[ "${RHO[portable]}" != "${RHO[x86-64-v3]}" ] && pass || fail "portable and x86-64-v3 agree: probe too weak?"
[ "${RHO[x86-64-v3]}" != "${RHO[portable-fast]}" ] && pass || fail "x86-64-v3 and portable-fast agree"
finish
