#!/usr/bin/env bash
# Single-bit flips of large trained states (DESIGN 3: one byte form): S_1 of
# mlp:784-128-10 and of cnn:lenet5, each trained by pot-train-stage on 512 real
# Fashion-MNIST samples (Debian's dataset-fashion-mnist) with momentum, so the
# state carries its optimizer state too (about 800 KB and 500 KB). Every bit
# outside the contents of Data fields (segment table, pointers, tag words,
# struct bodies, names, padding: about 0.1-0.3% of each file) is flipped, and
# every DATA_STRIDE-th bit of the tensor bytes (default 1: every bit, about
# 10 M flips, over an hour of CPU at about 0.5 ms a flip; see bench_bitflip's
# --data-stride for why tensor bytes can be sampled). 0 equivalent
# re-encodings may be accepted.
# Usage: [LARGE_ARCHS='cnn:lenet5'] bench/hardening/large_states.sh [DATA_STRIDE]
# (run.sh calls it)
set -uo pipefail
DATA_STRIDE="${1:-1}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
B="${BUILD_DIR:-$ROOT/build}"
export PATH="${POT_TOOL_DIR:-$B/bin}:$PATH"
FASHION=/usr/share/datasets/fashion-mnist
[ -x "$B/bench/bench_bitflip" ] || { echo "large_states.sh: error: $B/bench/bench_bitflip not built" >&2; exit 4; }
[ -r "$FASHION/train-images-idx3-ubyte.gz" ] ||
  { echo "large_states.sh: error: no Fashion-MNIST in $FASHION (apt install dataset-fashion-mnist)" >&2; exit 4; }
W="$(mktemp -d)"
trap 'rm -rf "$W"' EXIT
pot-keygen -o "$W/emp.pem" >/dev/null || exit 4
files=()
for arch in ${LARGE_ARCHS:-mlp:784-128-10 cnn:lenet5}; do
  name="s1-${arch//[:-]/_}"
  pot-partition -q -k "$W/emp.pem" -o "$W/repo-$name" --images "$FASHION/train-images-idx3-ubyte.gz" \
    --labels "$FASHION/train-labels-idx1-ubyte.gz" --limit 512 -a "$arch" -b 32 \
    --samples-per-stage 512 --lr 0.02 --momentum 0.9 --seed 3 >/dev/null || exit 4
  pot-train-stage -q --repo "$W/repo-$name" -s 1 -o "$W/$name" >/dev/null || exit 4
  echo "$name: $(stat -c %s "$W/$name") bytes ($arch, trained on 512 Fashion-MNIST samples)"
  files+=("$W/$name")
done
echo "== single-bit flips of ${#files[@]} large states: all structure bits, every $DATA_STRIDE-th tensor bit"
"$B/bench/bench_bitflip" --data-stride "$DATA_STRIDE" "${files[@]}"
