#!/usr/bin/env bash
# Bad input to pot-partition, pot-train-stage and pot-evaluate: one clear error
# line, the documented exit code, and no output file left behind.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/train_lib.sh"
employer_key
P=(pot-partition -q -k "$T/emp.pem" --samples-per-stage 64 --lr 0.05 --profile portable)

# --- pot-partition
# b = 1 is refused (exit 2) and names the rule.
expect_exit 2 "${P[@]}" -o "$T/r-b1" --limit 128 -b 1
expect_error_line pot-partition
expect_grep "minibatch size must be at least 2" "$T/err"
expect_no_file "$T/r-b1"
# Missing dataset: I/O (4).
expect_exit 4 "${P[@]}" -b 16 -o "$T/r-missing" --images "$T/none-images.gz" --labels "$T/none-labels.gz"
expect_error_line pot-partition
expect_grep "cannot open '$T/none-images.gz'" "$T/err"
expect_no_file "$T/r-missing"
# Corrupt dataset: a truncated gzip, and a bad IDX magic: malformed (3).
head -c 5000 "$FASHION/t10k-images-idx3-ubyte.gz" >"$T/trunc.gz"
expect_exit 3 "${P[@]}" -b 16 -o "$T/r-trunc" --images "$T/trunc.gz" --labels "$FASHION/t10k-labels-idx1-ubyte.gz"
expect_error_line pot-partition
expect_grep "corrupt or truncated gzip" "$T/err"
expect_no_file "$T/r-trunc"
expect_exit 3 "${P[@]}" -b 16 -o "$T/r-magic" --images "$FASHION/t10k-labels-idx1-ubyte.gz" --labels "$FASHION/t10k-labels-idx1-ubyte.gz"
expect_grep "not an IDX image file" "$T/err"
expect_no_file "$T/r-magic"
# Wrong image size for the architecture: invalid (1).
expect_exit 1 "${P[@]}" -b 16 -o "$T/r-size" --limit 128 -a mlp:100-10
expect_error_line pot-partition
expect_grep "samples are 1x28x28, architecture 'mlp:100-10' takes 100" "$T/err"
expect_no_file "$T/r-size"
# Unknown architecture / unknown profile: invalid (1).
expect_exit 4 "${P[@]}" -b 16 -o "$T/r-arch" --limit 128 -a resnet50
expect_error_line pot-partition
expect_no_file "$T/r-arch"
expect_exit 1 pot-partition -q -k "$T/emp.pem" -o "$T/r-prof" --limit 128 --profile gpu-fast
expect_error_line pot-partition
expect_grep "unknown compute profile 'gpu-fast'" "$T/err"
expect_no_file "$T/r-prof"
# A CSV whose rows disagree in width: malformed (3).
printf '1,2,3\n4,5\n' >"$T/bad.csv"
expect_exit 3 "${P[@]}" -b 16 -o "$T/r-csv" --csv "$T/bad.csv" -a mlp:2-2
expect_grep "line 2: 2 columns, expected 3" "$T/err"
expect_no_file "$T/r-csv"

# --- pot-train-stage: a good repo, and another of a different architecture.
expect_exit 0 "${P[@]}" -b 16 -o "$T/repo" --limit 128
expect_exit 0 "${P[@]}" -b 16 -o "$T/other" --limit 128 -a mlp:784-32-10
s0_other="$T/other/objects/$(pot-inspect --full "$T/other/request" | /usr/bin/python3 -c \
  'import json,sys; print(json.load(sys.stdin)["trainingRequest"]["body"]["initialState"])')"
batches=($(pot-inspect --full "$T/repo/request" | /usr/bin/python3 -c \
  'import json,sys; print(" ".join(json.load(sys.stdin)["trainingRequest"]["body"]["stageBatches"]))'))
# A batch whose hash is not the request's B_1: invalid (1).
expect_exit 1 pot-train-stage --repo "$T/repo" -s 1 --batch "$T/repo/objects/${batches[1]}" -o "$T/o1"
expect_error_line pot-train-stage
expect_grep "is not B_1 of the request" "$T/err"
expect_no_file "$T/o1"
# A state file of another architecture: invalid (1).
expect_exit 1 pot-train-stage --repo "$T/repo" -s 1 --state "$s0_other" -o "$T/o2"
expect_error_line pot-train-stage
expect_grep "state file is of architecture 'mlp:784-32-10', the request trains 'mlp:784-128-10'" "$T/err"
expect_no_file "$T/o2"
# A truncated state file: malformed (3).
head -c 1000 "$s0_other" >"$T/trunc-state"
expect_exit 3 pot-train-stage --repo "$T/repo" -s 1 --state "$T/trunc-state" -o "$T/o3"
expect_error_line pot-train-stage
expect_no_file "$T/o3"
# A batch given as the state: malformed (3), the kinds are named.
expect_exit 3 pot-train-stage --repo "$T/repo" -s 1 --state "$T/repo/objects/${batches[0]}" -o "$T/o4"
expect_grep "expected a model state, got a stage batch" "$T/err"
expect_no_file "$T/o4"
# Beyond t the batches cycle (docs/protocol.md, "Liveness"): stage 9 of a
# 2-stage request trains B_1, and needs S_8, not S_0: invalid (1).
expect_exit 1 pot-train-stage --repo "$T/repo" -s 9 --state "$s0_other" -o "$T/o5"
expect_grep "stage 9 needs S_8" "$T/err"
expect_no_file "$T/o5"
# S_1 given for stage 1 (the wrong state index): invalid (1).
expect_exit 0 pot-train-stage -q --repo "$T/repo" -s 1 -o "$T/s1"
expect_exit 1 pot-train-stage --repo "$T/repo" -s 1 --state "$T/s1" -o "$T/o6"
expect_grep "state file is S_1, stage 1 needs S_0" "$T/err"
expect_no_file "$T/o6"
# A profile the machine cannot honour: reference BLAS forced under x86-64-v3 (exit 4).
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/fast" --limit 64 --samples-per-stage 64 -b 16 --profile x86-64-v3
expect_exit 4 env LD_PRELOAD=/usr/lib/x86_64-linux-gnu/blas/libblas.so.3 \
  pot-train-stage --repo "$T/fast" -s 1 -o "$T/o7"
expect_error_line pot-train-stage
expect_grep "compute profile 'x86-64-v3' is not honoured here" "$T/err"
expect_no_file "$T/o7"
# An unknown profile: invalid (1).
expect_exit 1 pot-train-stage --selfcheck --profile gpu-fast
expect_error_line pot-train-stage
expect_grep "unknown compute profile 'gpu-fast' (known: portable, x86-64-v3, portable-fast)" "$T/err"
# A request whose profile fields disagree with the built-in table: invalid (1).
pot-inspect --full "$T/repo/request" | sed 's/"atenCapability": "default"/"atenCapability": "avx2"/' >"$T/req.json"
if pot-inspect --from-json "$T/req.json" >"$T/forged" 2>"$T/err"; then
  expect_exit 1 pot-train-stage --request "$T/forged" --repo "$T/repo" -s 1 -o "$T/o8"
  expect_grep "has atenCapability 'avx2', the built-in table says 'default'" "$T/err"
  expect_no_file "$T/o8"
else
  fail "pot-inspect --from-json failed: $(cat "$T/err")"
fi
# Usage: no stage.
expect_exit 2 pot-train-stage --repo "$T/repo"
expect_error_line pot-train-stage

# --- pot-evaluate
expect_exit 4 pot-evaluate "$T/nope"
expect_error_line pot-evaluate
expect_exit 3 pot-evaluate "$T/s1" --csv "$T/bad.csv"
expect_error_line pot-evaluate
printf '1,2,0\n3,4,1\n' >"$T/small.csv"
expect_exit 1 pot-evaluate "$T/s1" --csv "$T/small.csv"
expect_grep "dataset's samples have shape \[2\], the architecture takes \[784\]" "$T/err"
finish
