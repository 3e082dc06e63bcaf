#!/usr/bin/env bash
# Training really learns: mlp:784-128-10 on 3000 Fashion-MNIST samples, two epochs
# of consecutive pot-train-stage calls, reaches >= 70% on 2000 test samples.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/train_lib.sh"
employer_key

expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/repo" --limit 3000 --samples-per-stage 1024 \
  -b 32 --optimizer sgd --lr 0.05 --momentum 0.9 --epochs 2 --seed 3 --profile x86-64-v3 --json
cp "$T/out" "$T/partition.json"
stages="$(json_field stages "$T/partition.json")"
state="$T/repo/objects/$(json_field initialState "$T/partition.json")"
[ "$stages" = 6 ] && pass || fail "expected 6 stages (3 per epoch), got '$stages'"
expect_exit 0 pot-evaluate --limit 2000 "$state" --json
before="$(json_field accuracy "$T/out")"
for i in $(seq 1 "$stages"); do
  expect_exit 0 pot-train-stage -q --repo "$T/repo" -s "$i" --state "$state" -o "$T/s$i"
  state="$T/s$i"
done
expect_exit 0 pot-evaluate --limit 2000 "$state" --json
after="$(json_field accuracy "$T/out")"
echo "accuracy before $before, after $after"
awk -v a="$after" 'BEGIN {exit !(a >= 0.70)}' && pass || fail "accuracy $after < 0.70 after training"
awk -v a="$before" 'BEGIN {exit !(a < 0.3)}' && pass || fail "S_0 already scores $before: not trained?"
# The plain output names accuracy and loss.
expect_exit 0 pot-evaluate --limit 100 "$state"
expect_grep '^accuracy 0\.[0-9]* ([0-9]*/100)$' "$T/out"
expect_grep '^loss [0-9.]*$' "$T/out"

# LeNet-5 with Adam learns too: two stages of 512 samples beat S_0 by far.
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/lenet" -a cnn:lenet5 --limit 1024 \
  --samples-per-stage 512 -b 16 --optimizer adam --lr 0.002 --profile x86-64-v3 --json
cp "$T/out" "$T/lenet.json"
lenet_s0="$T/lenet/objects/$(json_field initialState "$T/lenet.json")"
expect_exit 0 pot-train-stage -q --repo "$T/lenet" -s 1 -o "$T/l1"
expect_exit 0 pot-train-stage -q --repo "$T/lenet" -s 2 --state "$T/l1" -o "$T/l2"
expect_exit 0 pot-evaluate --limit 1000 "$lenet_s0" --json
l0="$(json_field accuracy "$T/out")"
expect_exit 0 pot-evaluate --limit 1000 "$T/l2" --json
l2="$(json_field accuracy "$T/out")"
echo "LeNet-5 accuracy before $l0, after $l2"
awk -v a="$l2" 'BEGIN {exit !(a >= 0.45)}' && pass || fail "LeNet-5 accuracy $l2 < 0.45 after 1024 samples"
finish
