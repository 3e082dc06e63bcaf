#!/usr/bin/env bash
# The employer's side (DESIGN 4.6): CSV with text labels, NumPy .npy/.npz, a
# per-channel mean/std recorded in the request and followed by the stage,
# pot-evaluate --request and pot-export; what pot-partition drops and says.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/train_lib.sh"
employer_key
PY=/usr/bin/python3
if ! "$PY" -c 'import numpy, torch' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 has no numpy/torch (install python3-torch)"; exit 77
fi
"$PY" "$(dirname "$0")/dataset_fixtures.py" "$T" && pass || fail "could not write the fixtures"

# CSV with text labels: 203 rows, b = 8: 200 trained, 3 dropped and said so;
# --json gives the stage's real size, not Delta (about 178 million here).
expect_exit 0 pot-partition -k "$T/emp.pem" -o "$T/iris" --csv "$T/iris.csv" -a mlp:4-8-3 -b 8 \
  --lr 0.1 --epochs 2 --profile x86-64-v3 --json
expect_grep '"samplesPerStage": 200' "$T/out"
expect_grep '"samplesDropped": 3' "$T/out"
expect_grep '"stages": 2' "$T/out"
expect_grep "dropped 3 of 203 samples per epoch: they do not fill a last minibatch of 8" "$T/err"
pot-inspect "$T/iris/request" >"$T/req.json"
expect_grep '"classNames": \["setosa", "versicolor", "virginica"\]' "$T/req.json"
expect_grep '"inputTransform": {"inputType": "float32"}' "$T/req.json"
expect_exit 0 pot-train-stage -q --repo "$T/iris" -s 1 -o "$T/i1"
expect_exit 0 pot-train-stage -q --repo "$T/iris" -s 2 --state "$T/i1" -o "$T/i2"
expect_exit 0 pot-evaluate "$T/i2" --request "$T/iris/request" --csv "$T/iris-test.csv" --json
expect_grep '"samples": 60' "$T/out"
# A label the model never saw: one line, exit 3.
expect_exit 3 pot-evaluate "$T/i2" --request "$T/iris/request" --csv "$T/iris-unknown.csv"
expect_one_line_error pot-evaluate
expect_grep "label 'rose' is not a class the model was trained on" "$T/err"
# No test set given: the request says this is not Fashion-MNIST (usage, 2).
expect_exit 2 pot-evaluate "$T/i2" --request "$T/iris/request"
expect_one_line_error pot-evaluate
expect_grep "give its test set" "$T/err"
# Text labels without the request's class names: refused, not guessed.
expect_exit 3 pot-evaluate "$T/i2" --csv "$T/iris-test.csv"
expect_one_line_error pot-evaluate
# The export carries the class names.
expect_exit 0 pot-export "$T/i2" --request "$T/iris/request" -o "$T/i2.safetensors"
head -c 4096 "$T/i2.safetensors" | tr -cd '[:print:]' >"$T/i2.header"
expect_grep '"classNames": "\[\\"setosa\\", \\"versicolor\\", \\"virginica\\"\]"' "$T/i2.header"

# NumPy: float32 samples (256, 3, 4, 4) with a per-channel mean/std.
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/np" --npy "$T/x.npy" "$T/y.npy" \
  -a mlp:48-16-4 -b 16 --lr 0.05 --samples-per-stage 128 --mean 1.9,2.0,2.1 --std 1.2,1.1,1.0 \
  --profile x86-64-v3 --json
expect_grep '"stages": 2' "$T/out"
pot-inspect "$T/np/request" >"$T/req.json"
expect_grep '"std": \[1.2000000476837158, 1.1000000238418579, 1\]' "$T/req.json"
# Bit-exact with 1 and 2 threads; the transform changes the bits (it is applied).
for threads in 1 2; do
  expect_exit 0 pot-train-stage -q --repo "$T/np" -s 1 --threads "$threads" -o "$T/n1-$threads"
  cp "$T/out" "$T/nres-$threads"
done
cmp -s "$T/nres-1" "$T/nres-2" && cmp -s "$T/n1-1" "$T/n1-2" && pass || fail "threads change the bits"
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/np-plain" --npy "$T/x.npy" "$T/y.npy" \
  -a mlp:48-16-4 -b 16 --lr 0.05 --samples-per-stage 128 --profile x86-64-v3
expect_exit 0 pot-train-stage -q --repo "$T/np-plain" -s 1 -o "$T/p1"
[ "$(field rho "$T/out")" != "$(field rho "$T/nres-1")" ] && pass || fail "mean/std changed nothing"
# The same arrays from an .npz under other names score the same.
expect_exit 0 pot-evaluate "$T/n1-1" --request "$T/np/request" --npy "$T/x.npy" "$T/y.npy" --json
cp "$T/out" "$T/ev-npy"
expect_exit 0 pot-evaluate "$T/n1-1" --request "$T/np/request" --npz "$T/xy.npz" \
  --npz-keys samples,targets --json
cmp -s "$T/out" "$T/ev-npy" && pass || fail ".npz and .npy scores differ"
# Unsupported dtype (float64): one line, exit 3, nothing written.
expect_exit 3 pot-partition -q -k "$T/emp.pem" -o "$T/np64" --npy "$T/x64.npy" "$T/y.npy" -a mlp:48-16-4
expect_one_line_error pot-partition
expect_grep "float64 are not supported" "$T/err"
expect_no_file "$T/np64"
# A mean per channel: two values for three channels is a usage error.
expect_exit 2 pot-partition -q -k "$T/emp.pem" -o "$T/np2" --npy "$T/x.npy" "$T/y.npy" \
  -a mlp:48-16-4 --mean 1,2 --std 1,1
expect_grep "have 2 values, the samples have 3 channels" "$T/err"
# Two datasets at once: usage.
expect_exit 2 pot-partition -q -k "$T/emp.pem" -o "$T/np3" --npz "$T/xy.npz" --csv "$T/iris.csv"

# Fashion-MNIST (uint8) without a transform: the request has neither new field,
# so it keeps today's bytes.
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/fm" --limit 512 --samples-per-stage 512 -b 32 \
  --profile x86-64-v3
pot-inspect "$T/fm/request" >"$T/req.json"
if grep -q 'inputTransform\|classNames\|repoEndpoints' "$T/req.json"; then fail "a plain request has new fields"; else pass; fi
# With a mean/std: PyTorch's preprocess() from pot-export scores what pot-evaluate scores.
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/fmn" --limit 512 --samples-per-stage 512 -b 32 \
  --mean 0.286 --std 0.353 --profile x86-64-v3
expect_exit 0 pot-train-stage -q --repo "$T/fmn" -s 1 -o "$T/f1"
mkdir -p "$T/fmn-py"
expect_exit 0 pot-export "$T/f1" --request "$T/fmn/request" -o "$T/f1.safetensors" --pytorch "$T/fmn-py"
expect_grep '"inputMean": "\[0.286000013\]"' "$T/f1.safetensors"
expect_exit 0 pot-evaluate --limit 1000 "$T/f1" --request "$T/fmn/request" --json
want="$(json_field correct "$T/out")"
expect_exit 0 "$PY" "$(dirname "$0")/export_eval.py" "$T/fmn-py" "$T/f1.safetensors" 1000
read -r got _ <"$T/out"
[ "$got" = "$want" ] && pass || fail "normalised: PyTorch scored $got of 1000, pot-evaluate $want"
echo "normalised mlp: $got/1000 in PyTorch and in pot-evaluate"
finish
