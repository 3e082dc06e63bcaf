#!/usr/bin/env bash
# pot-export: a trained state to safetensors and back (H(S_i) re-derived), loaded in
# PyTorch with the module file it writes, scoring exactly what pot-evaluate scores.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/train_lib.sh"
employer_key
PY=/usr/bin/python3
EVAL="$(dirname "$0")/export_eval.py"

# Two stages of an MLP with momentum (so optimizer tensors ride along).
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/repo" --limit 1024 --samples-per-stage 512 \
  -b 32 --optimizer sgd --lr 0.05 --momentum 0.9 --seed 5 --profile x86-64-v3 --json
expect_exit 0 pot-train-stage -q --repo "$T/repo" -s 1 -o "$T/s1"
expect_exit 0 pot-train-stage -q --repo "$T/repo" -s 2 --state "$T/s1" -o "$T/s2"
s2_hash="$(sha256sum "$T/s2" | cut -d' ' -f1)"

expect_exit 0 pot-export "$T/s2" --request "$T/repo/request" -o "$T/s2.safetensors" \
  --pytorch "$T" --json
expect_grep "\"stateHash\": \"$s2_hash\"" "$T/out"
[ -s "$T/pot_model.py" ] && pass || fail "no pot_model.py written"
# The export re-derives H(S_2) byte for byte: same weights, exit 0.
expect_exit 0 pot-export --verify "$T/s2.safetensors" --state-hash "$s2_hash"
expect_grep "^$s2_hash$" "$T/out"
expect_exit 0 pot-export --verify "$T/s2.safetensors"
# Against another stage's hash: exit 1.
s1_hash="$(sha256sum "$T/s1" | cut -d' ' -f1)"
expect_exit 1 pot-export --verify "$T/s2.safetensors" --state-hash "$s1_hash"
expect_error_line pot-export

# Accuracy in PyTorch equals pot-evaluate's, sample for sample.
expect_exit 0 pot-evaluate --limit 2000 "$T/s2" --json
want="$(json_field correct "$T/out")"
expect_exit 0 "$PY" "$EVAL" "$T" "$T/s2.safetensors" 2000
read -r got stage arch <"$T/out"
[ "$got" = "$want" ] && pass || fail "PyTorch scored $got of 2000, pot-evaluate $want"
[ "$stage" = 2 ] && [ "$arch" = "mlp:784-128-10" ] && pass || fail "metadata: stage $stage, $arch"
echo "mlp: $got/2000 in PyTorch and in pot-evaluate"

# One weight changed (the last float of the file: the last tensor's last
# element): the weights are no longer the chain's, exit 1.
cp "$T/s2.safetensors" "$T/edited.safetensors"
size="$(stat -c %s "$T/edited.safetensors")"
printf '\x01' | dd of="$T/edited.safetensors" bs=1 seek=$((size - 1)) conv=notrunc status=none
expect_exit 1 pot-export --verify "$T/edited.safetensors" --state-hash "$s2_hash"
expect_grep "not $s2_hash" "$T/err"

# A truncated header: malformed (3), one line, nothing else.
head -c 40 "$T/s2.safetensors" >"$T/short.safetensors"
expect_exit 3 pot-export --verify "$T/short.safetensors"
expect_one_line_error pot-export
expect_grep "truncated safetensors header" "$T/err"
# Not an export of a state (no metadata): invalid (1).
printf '\x02\x00\x00\x00\x00\x00\x00\x00{}' >"$T/empty.safetensors"
expect_exit 1 pot-export --verify "$T/empty.safetensors"
expect_grep "not a PoT state export" "$T/err"
# Bad usage: 2; no partial output file on failure.
expect_exit 2 pot-export
expect_exit 3 pot-export "$T/repo/request" -o "$T/never.safetensors"
expect_no_file "$T/never.safetensors"

# LeNet-5 with Adam: two optimizer tensors per parameter, and the same score.
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/lenet" -a cnn:lenet5 --limit 512 \
  --samples-per-stage 512 -b 16 --optimizer adam --lr 0.002 --profile x86-64-v3 --json
expect_exit 0 pot-train-stage -q --repo "$T/lenet" -s 1 -o "$T/l1"
mkdir -p "$T/lenet-py"
expect_exit 0 pot-export "$T/l1" -o "$T/l1.safetensors" --pytorch "$T/lenet-py" --json
expect_grep '"tensors": 30' "$T/out"
expect_exit 0 pot-export --verify "$T/l1.safetensors" --state-hash "$(sha256sum "$T/l1" | cut -d' ' -f1)"
expect_exit 0 pot-evaluate --limit 1000 "$T/l1" --json
want="$(json_field correct "$T/out")"
expect_exit 0 "$PY" "$EVAL" "$T/lenet-py" "$T/l1.safetensors" 1000
read -r got stage arch <"$T/out"
[ "$got" = "$want" ] && pass || fail "LeNet-5: PyTorch scored $got of 1000, pot-evaluate $want"
echo "lenet5: $got/1000 in PyTorch and in pot-evaluate"
finish
