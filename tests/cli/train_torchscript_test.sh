#!/usr/bin/env bash
# A TorchScript module (torch.jit.script from Debian's python3-torch) as the
# architecture: partition, train two stages deterministically, evaluate.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/train_lib.sh"
employer_key
if ! /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 has no torch (install python3-torch)"; exit 77
fi

# torch.jit.script needs the class source in a file, not from -c.
cat >"$T/tiny.py" <<'PY'
import sys
import torch

class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, 32)
        self.fc2 = torch.nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.relu(self.fc1(torch.flatten(x, 1))))

torch.manual_seed(0)
torch.jit.script(Tiny()).save(sys.argv[1])
PY
/usr/bin/python3 "$T/tiny.py" "$T/tiny.pt" && pass || fail "could not script the module"

expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/repo" -a "$T/tiny.pt" --limit 512 \
  --samples-per-stage 256 -b 32 --optimizer adam --lr 0.003 --profile x86-64-v3 --json
expect_grep '"stages": 2' "$T/out"
mod_hash="$(sha256sum <"$T/tiny.pt" | cut -d' ' -f1)"
[ -f "$T/repo/objects/$mod_hash" ] && pass || fail "the module is not in the repository"
pot-inspect "$T/repo/request" >"$T/req.json"
expect_grep "\"torchScript\": \"$mod_hash\"" "$T/req.json"

for threads in 1 2; do
  expect_exit 0 pot-train-stage -q --repo "$T/repo" -s 1 --threads "$threads" -o "$T/s1-$threads"
  cp "$T/out" "$T/res-$threads"
done
cmp -s "$T/res-1" "$T/res-2" && pass || fail "TorchScript stage differs between 1 and 2 threads"
cmp -s "$T/s1-1" "$T/s1-2" && pass || fail "TorchScript state files differ"
pot-inspect "$T/s1-1" >"$T/s1.json"
expect_grep "\"architecture\": \"torchscript:$mod_hash\"" "$T/s1.json"
expect_grep '"name": "fc1.weight"' "$T/s1.json"
expect_grep '"name": "exp_avg_sq.fc2.bias"' "$T/s1.json"
expect_exit 0 pot-train-stage -q --repo "$T/repo" -s 2 --state "$T/s1-1" -o "$T/s2"
# The module given explicitly must be the one the request names.
batch2="$(/usr/bin/python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["trainingRequest"]["body"]["stageBatches"][1])' "$T/req.json")"
expect_exit 0 pot-train-stage -q --request "$T/repo/request" --batch "$T/repo/objects/$batch2" \
  --state "$T/s1-1" --module "$T/tiny.pt" -s 2
cmp -s "$T/out" <(pot-train-stage -q --repo "$T/repo" -s 2 --state "$T/s1-1") && pass ||
  fail "explicit files and the repository give different results"
cp "$T/tiny.pt" "$T/other.pt"; printf 'x' >>"$T/other.pt"
expect_exit 1 pot-train-stage --repo "$T/repo" -s 1 --module "$T/other.pt" -o "$T/never"
expect_grep "the TorchScript module file has SHA-256" "$T/err"
expect_no_file "$T/never"

# Dropout draws from libtorch's generator, seeded per stage from H(seed || stage):
# two processes with 1 and 2 threads agree.
sed 's/self.fc2(torch.relu(/self.fc2(self.drop(torch.relu(/; s/(torch.flatten(x, 1))))/(torch.flatten(x, 1)))))/; s/self.fc2 = torch.nn.Linear(32, 10)/self.fc2 = torch.nn.Linear(32, 10)\n        self.drop = torch.nn.Dropout(0.5)/' \
  "$T/tiny.py" >"$T/drop.py"
/usr/bin/python3 "$T/drop.py" "$T/drop.pt" && pass || fail "could not script the dropout module"
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/repo-drop" -a "$T/drop.pt" --limit 256 \
  --samples-per-stage 128 -b 16 --lr 0.05 --profile x86-64-v3
for threads in 1 2; do
  expect_exit 0 pot-train-stage -q --repo "$T/repo-drop" -s 1 --threads "$threads"
  cp "$T/out" "$T/drop-$threads"
done
cmp -s "$T/drop-1" "$T/drop-2" && pass || fail "a dropout stage differs between processes"

# A module that cannot take the dataset's samples: the stage is invalid (exit 1), no output.
printf '1,2,3,0\n4,5,6,1\n7,8,9,0\n1,1,1,1\n' >"$T/small.csv"
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/repo-small" -a "$T/tiny.pt" --csv "$T/small.csv" \
  --samples-per-stage 4 -b 2 --profile portable
expect_exit 1 pot-train-stage --repo "$T/repo-small" -s 1 -o "$T/never2"
expect_error_line pot-train-stage
expect_grep "the model's forward pass fails on the batch" "$T/err"
expect_no_file "$T/never2"

# A file that is not a TorchScript archive: malformed (3), nothing written.
echo "not a module" >"$T/bad.pt"
expect_exit 3 pot-partition -q -k "$T/emp.pem" -o "$T/repo-bad" -a "$T/bad.pt" --csv "$T/small.csv" \
  --samples-per-stage 4 -b 2
expect_error_line pot-partition
expect_grep "cannot load the TorchScript module" "$T/err"
expect_no_file "$T/repo-bad"

# A module with buffers (BatchNorm running statistics): S_0 holds them
# (DESIGN 4.6; train_batchnorm_test.sh trains one).
sed 's/self.fc2 = torch.nn.Linear(32, 10)/self.fc2 = torch.nn.Linear(32, 10)\n        self.bn = torch.nn.BatchNorm1d(32)/; s/torch.relu(self.fc1(/torch.relu(self.bn(self.fc1(/; s/(torch.flatten(x, 1))))/(torch.flatten(x, 1)))))/' \
  "$T/tiny.py" >"$T/bn.py"
/usr/bin/python3 "$T/bn.py" "$T/bn.pt" && pass || fail "could not script the BatchNorm module"
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/repo-bn" -a "$T/bn.pt" --limit 64 \
  --samples-per-stage 32 -b 32 --profile x86-64-v3 --json
pot-inspect "$T/repo-bn/objects/$(json_field initialState "$T/out")" >"$T/bn-s0.json"
expect_grep '"name": "bn.running_mean"' "$T/bn-s0.json"

expect_exit 0 pot-evaluate --module "$T/tiny.pt" --limit 1000 "$T/s2" --json
acc="$(json_field accuracy "$T/out")"
awk -v a="$acc" 'BEGIN {exit !(a >= 0.5)}' && pass || fail "TorchScript model accuracy $acc < 0.5"
finish
