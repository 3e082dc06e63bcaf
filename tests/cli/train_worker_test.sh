#!/usr/bin/env bash
# pot-train-stage serve, the stage worker: a stage run as a job gives the same rho, S_i and
# loss trace as the one-shot command, also after other jobs (of another model, a failed one);
# a bad job is answered with the one-shot's error and exit code and the worker reads on.
# About 15 s (two small models, a few stages under x86-64-v3 or portable-fast).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/train_lib.sh"
employer_key

profile=x86-64-v3
grep -qw avx2 /proc/cpuinfo && grep -qw fma /proc/cpuinfo || profile=portable-fast
for arch in mlp:784-64-10 cnn:lenet5; do
  expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/repo-${arch%%:*}" -a "$arch" --limit 128 \
    --samples-per-stage 64 -b 32 --lr 0.05 --momentum 0.9 --seed 3 --profile "$profile"
done
M="$T/repo-mlp" L="$T/repo-cnn"
# The one-shot runs.
expect_exit 0 pot-train-stage -q --repo "$M" -s 1 -o "$T/m1" --loss-trace "$T/mt1"
cp "$T/out" "$T/m1.out"
expect_exit 0 pot-train-stage -q --repo "$M" -s 2 --state "$T/m1" -o "$T/m2" --loss-trace "$T/mt2"
cp "$T/out" "$T/m2.out"
expect_exit 0 pot-train-stage check -q --repo "$M" -s 2 --state "$T/m1" --trace "$T/mt2" --json
cp "$T/out" "$T/c2.out"

# The same stages through one worker, between a LeNet stage, bad jobs and a job with tabs
# (paths with spaces).
mkdir "$T/with space"
tab=$'\t'
cat >"$T/jobs" <<JOBS
run -q --repo $L -s 1 -o $T/l1
run -q --repo $M -s 1 -o $T/w1 --loss-trace $T/wt1
run -q --repo $M -s 2 --state $T/missing -o $T/never
--repo $M -s 1 -o $T/never --bogus

run${tab}-q${tab}--repo${tab}$M${tab}-s${tab}2${tab}--state${tab}$T/w1${tab}-o${tab}$T/with space/w2${tab}--loss-trace${tab}$T/wt2
run -q --repo $M -s 1 -o -
run -q --repo $M -s 1 --threads 77 -o $T/never
check -q --repo $M -s 2 --state $T/w1 --trace $T/mt2 --json
run -q --repo $M -s 1 -o $T/again
JOBS
expect_exit 0 bash -c 'pot-train-stage serve --profile "$1" <"$2"' _ "$profile" "$T/jobs"
cp "$T/out" "$T/answers"
[ "$(grep -c '^exit ' "$T/answers")" = 9 ] && pass || fail "not 9 answers: $(cat "$T/answers")"
# answer N: the lines of the Nth answer (its "exit" line last).
answer() { awk -v n="$1" 'BEGIN {k = 1} k == n {print} /^exit / {k++}' "$T/answers"; }
[ "$(answer 1 | tail -1)" = "exit 0" ] && pass || fail "the LeNet job: $(answer 1)"
diff <(answer 2 | head -n -1) "$T/m1.out" >/dev/null && pass || fail "stage 1 answer differs: $(answer 2)"
cmp -s "$T/m1" "$T/w1" && cmp -s "$T/mt1" "$T/wt1" && pass || fail "stage 1 S_1 or trace differs"
[ "$(answer 3 | tail -1)" = "exit 4" ] && answer 3 | grep -q "^error .*missing" && pass ||
  fail "a missing state: $(answer 3)"
[ "$(answer 4 | tail -1)" = "exit 2" ] && answer 4 | grep -q "^error unknown option '--bogus'" &&
  pass || fail "an unknown option: $(answer 4)"
diff <(answer 5 | head -n -1) "$T/m2.out" >/dev/null && pass || fail "stage 2 answer differs: $(answer 5)"
cmp -s "$T/m2" "$T/with space/w2" && cmp -s "$T/mt2" "$T/wt2" && pass ||
  fail "stage 2 S_2 or trace differs"
[ "$(answer 6 | tail -1)" = "exit 2" ] && answer 6 | grep -q "^error .*cannot use '-'" && pass ||
  fail "'-o -': $(answer 6)"
[ "$(answer 7 | tail -1)" = "exit 2" ] && answer 7 | grep -q "^error .*threads" && pass ||
  fail "another thread count: $(answer 7)"
diff <(answer 8 | head -n -1) "$T/c2.out" >/dev/null && [ "$(answer 8 | tail -1)" = "exit 0" ] &&
  pass || fail "the check job: $(answer 8)"
cmp -s "$T/m1" "$T/again" && pass || fail "stage 1 after the other jobs gives other bits"
expect_no_file "$T/never"

# A request of another profile than the worker's is refused, and the worker reads on.
other=portable
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/repo-p" -a mlp:784-64-10 --limit 64 \
  --samples-per-stage 64 -b 32 --profile "$other"
printf 'run -q --repo %s -s 1\nrun -q --repo %s -s 1 -o %s\n' "$T/repo-p" "$M" "$T/w1b" >"$T/jobs2"
expect_exit 0 bash -c 'pot-train-stage serve --profile "$1" <"$2"' _ "$profile" "$T/jobs2"
grep -q "^error this stage worker runs compute profile '$profile', the request needs '$other'" \
  "$T/out" && pass || fail "another profile: $(cat "$T/out")"
[ "$(grep '^exit ' "$T/out" | tr '\n' ' ')" = "exit 2 exit 0 " ] && pass || fail "$(cat "$T/out")"
cmp -s "$T/m1" "$T/w1b" && pass || fail "stage 1 after a refused job gives other bits"
# The worker's own options: an unknown profile is the one-shot's error, before any job.
expect_exit 1 pot-train-stage serve --profile nonesuch </dev/null
expect_error_line pot-train-stage
finish
