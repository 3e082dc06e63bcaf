#!/usr/bin/env bash
# A stage gives the same bits on 1, 2 and 3 threads for every built-in architecture
# and a TorchScript module, under every compute profile (DESIGN 4.4); the default
# thread count is the cores available. mlp:784-256-512-10's large GEMMs (at least
# 8.4M multiply-adds at b = 64) are split across the threads (parallel_gemm.h), its
# weights (200 704 and 131 072 values) take the split optimizer step
# (optimizer_step.cpp), and on 2 threads its second layer's input and weight
# gradients are computed at once (linear_layer.h), so this also proves all three
# under each profile's BLAS and ATen.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/train_lib.sh"
employer_key

archs=(mlp:784-256-512-10 cnn:lenet5)
if /usr/bin/python3 -c 'import torch' 2>/dev/null; then
  cat >"$T/tiny.py" <<'PY'
import sys
import torch

class Tiny(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = torch.nn.Linear(784, 48)
        self.fc2 = torch.nn.Linear(48, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.fc2(torch.relu(self.fc1(torch.flatten(x, 1))))

torch.manual_seed(0)
torch.jit.script(Tiny()).save(sys.argv[1])
PY
  /usr/bin/python3 "$T/tiny.py" "$T/tiny.pt" && archs+=("$T/tiny.pt") || fail "could not script the module"
else
  echo "note: /usr/bin/python3 has no torch: the TorchScript case is skipped"
fi

for profile in portable portable-fast x86-64-v3; do
  for arch in "${archs[@]}"; do
    name="$profile-$(basename "$arch")"
    repo="$T/repo-$name"
    # b = 64, two minibatches.
    expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$repo" -a "$arch" --limit 128 \
      --samples-per-stage 128 -b 64 --lr 0.05 --momentum 0.9 --seed 5 --profile "$profile"
    for threads in 1 2 3; do
      # The environment preset for the count saves the profile's re-exec.
      expect_exit 0 bash -c 'eval "$(pot-train-stage print-env "$1" --threads "$2")" && shift 2 &&
        exec pot-train-stage "$@"' _ "$profile" "$threads" -q --repo "$repo" -s 1 \
        --threads "$threads" -o "$T/s1-$name-$threads" --loss-trace "$T/trace-$name-$threads"
      cp "$T/out" "$T/res-$name-$threads"
    done
    r1="$(field rho "$T/res-$name-1")"
    [[ "$r1" =~ ^[0-9a-f]{64}$ ]] && pass || fail "$name: no rho: $(cat "$T/res-$name-1")"
    for threads in 2 3; do
      cmp -s "$T/res-$name-1" "$T/res-$name-$threads" && pass ||
        fail "$name: rho or H(S_1) differs between 1 and $threads threads"
      cmp -s "$T/s1-$name-1" "$T/s1-$name-$threads" && pass ||
        fail "$name: S_1 differs between 1 and $threads threads"
      cmp -s "$T/trace-$name-1" "$T/trace-$name-$threads" && pass ||
        fail "$name: loss trace differs between 1 and $threads threads"
    done
  done
done

# The default is the cores available, and print-env says so.
cores="$(nproc)"
expect_exit 0 pot-train-stage print-env portable
expect_grep "^export OMP_NUM_THREADS='$cores'$" "$T/out"
expect_exit 0 pot-train-stage print-env portable --threads 3
expect_grep "^export OMP_NUM_THREADS='3'$" "$T/out"
# With the environment preset for the default, a default run does not re-exec
# and gives the same bits as --threads 1.
name="portable-mlp:784-256-512-10"
expect_exit 0 bash -c "eval \"\$(pot-train-stage print-env portable)\" &&
  POT_COMPUTE_PROFILE_EXEC=portable:\$\$ exec pot-train-stage -q --repo '$T/repo-$name' -s 1"
cmp -s "$T/out" "$T/res-$name-1" && pass || fail "default thread count gives other bits"
# A bad count is a usage error.
expect_exit 2 pot-train-stage -q --repo "$T/repo-$name" -s 1 --threads 0
expect_exit 2 env POT_STAGE_THREADS=many pot-train-stage -q --repo "$T/repo-$name" -s 1
expect_error_line pot-train-stage
finish
