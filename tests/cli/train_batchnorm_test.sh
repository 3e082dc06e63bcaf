#!/usr/bin/env bash
# Buffers in the state (DESIGN 4.6): a small ResNet-like TorchScript module with
# BatchNorm trains two stages; S_i holds running_mean, running_var and
# num_batches_tracked; the bits are the same in two processes and with 1 and 2
# threads; an independent PyTorch run of each stage (tests/cli/stage_reference.py,
# training mode, docs/protocol.md's stage function) gives the same rho and H(S_i).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/train_lib.sh"
employer_key
PY=/usr/bin/python3
if ! "$PY" -c 'import numpy, torch' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 has no torch (install python3-torch)"; exit 77
fi

"$PY" "$POT_SOURCE_DIR/tests/cli/tiny_resnet.py" "$T/resnet.pt" && pass || fail "could not script the module"

SEED=7 N=256 DELTA=128 B=32 LR=0.05
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/repo" -a "$T/resnet.pt" --limit $N \
  --samples-per-stage $DELTA -b $B --lr $LR --seed $SEED --profile x86-64-v3 --json
expect_grep '"stages": 2' "$T/out"
s0="$T/repo/objects/$(json_field initialState "$T/out")"
pot-inspect "$s0" >"$T/s0.json"
expect_grep '"name": "bn.running_mean"' "$T/s0.json"
expect_grep '"name": "block.bn2.num_batches_tracked"' "$T/s0.json"

prev="$s0"
for stage in 1 2; do
  for threads in 1 2; do
    expect_exit 0 pot-train-stage -q --repo "$T/repo" -s $stage --state "$prev" --threads $threads \
      -o "$T/s$stage-$threads"
    cp "$T/out" "$T/res$stage-$threads"
  done
  # A second process with 1 thread: the same bits again.
  expect_exit 0 pot-train-stage -q --repo "$T/repo" -s $stage --state "$prev" -o "$T/s$stage-again"
  cmp -s "$T/res$stage-1" "$T/res$stage-2" && cmp -s "$T/s$stage-1" "$T/s$stage-2" &&
    cmp -s "$T/s$stage-1" "$T/s$stage-again" && pass || fail "stage $stage: bits differ across runs"
  prev="$T/s$stage-1"
done
pot-inspect "$T/s2-1" >"$T/s2.json"
expect_grep '"name": "bn.running_var"' "$T/s2.json"
# The running statistics moved: S_2's differ from S_0's.
[ "$(grep -A3 '"bn.running_mean"' "$T/s0.json")" != "$(grep -A3 '"bn.running_mean"' "$T/s2.json")" ] &&
  pass || fail "BatchNorm's running mean did not change"

# PyTorch, stage by stage from the previous state: the same rho and H(S_i).
# The reference runs under the request's compute profile, as pot-train-stage does.
expect_exit 0 pot-export "$s0" -o "$T/py0.safetensors"
profile_env="$(pot-train-stage print-env x86-64-v3)"
reference() { (eval "$profile_env" && "$PY" "$(dirname "$0")/stage_reference.py" "$@"); }
for stage in 1 2; do
  expect_exit 0 reference "$T/resnet.pt" \
    "$T/py$((stage - 1)).safetensors" "$T/py$stage.safetensors" $stage $SEED $N $DELTA $B $LR
  [ "$(field rho "$T/out")" = "$(field rho "$T/res$stage-1")" ] && pass ||
    fail "stage $stage: PyTorch rho $(field rho "$T/out"), pot-train-stage $(field rho "$T/res$stage-1")"
  expect_exit 0 pot-export --verify "$T/py$stage.safetensors" --state-hash "$(field state "$T/res$stage-1")"
done
echo "batchnorm: rho and H(S_i) of 2 stages equal in PyTorch and pot-train-stage"

# Evaluation runs the module in eval mode on the trained running statistics.
expect_exit 0 pot-evaluate "$T/s2-1" --module "$T/resnet.pt" --request "$T/repo/request" --limit 500 --json
expect_grep '"samples": 500' "$T/out"
# The export carries the buffers under their PyTorch names.
expect_exit 0 pot-export "$T/s2-1" -o "$T/s2.safetensors"
expect_exit 0 pot-export --verify "$T/s2.safetensors" --state-hash "$(sha256sum <"$T/s2-1" | cut -d' ' -f1)"
finish
