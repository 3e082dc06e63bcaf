#!/usr/bin/env bash
# Seed corpora for the fuzz targets, made by the real tools: a small chain (genesis, requests,
# declarations, headers, blocks, transactions), stage batches and states, their JSON, .npy/.npz
# arrays written by numpy, a safetensors export, CSV and IDX datasets.
# Usage: bench/fuzz/seeds.sh CORPUS_DIR   (tools from $POT_TOOL_DIR, default build/bin)
set -uo pipefail
OUT="${1:?usage: seeds.sh CORPUS_DIR}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export POT_TOOL_DIR="${POT_TOOL_DIR:-$ROOT/build/bin}"
source "$ROOT/tests/cli/lib.sh"
source "$ROOT/tests/cli/consensus_lib.sh"
mkdir -p "$OUT"/{fuzz_message,fuzz_json_message,fuzz_arrays,fuzz_datasets}
OUT="$(cd "$OUT" && pwd)"

make_chain
make_block 1 $((G0 + 100)) "$T/chain/000001.block" || exit 1
pot-tx transfer -k "$T/n2.pem" --to "$T/n3.pem" --amount 5 --fee 1 "${GEN[@]}" -o "$T/tx" >/dev/null
pot-train-stage -q --repo "$T/dummy" -s 1 -o "$T/s1" >/dev/null
n=0
for f in "$T/genesis" "$T/dummy/request" "$T"/dummy/objects/* "$T/chain/000001.block" \
         "$T/mb-td1" "$T/mb-header" "$T/mb-sig1" "$T/tx" "$T/s1"; do
  [ -s "$f" ] || continue
  n=$((n + 1))
  cp "$f" "$OUT/fuzz_message/seed$n"
  pot-inspect --full --compact "$f" >"$OUT/fuzz_json_message/seed$n.json" 2>/dev/null
done

cp "$T/data.csv" "$OUT/fuzz_datasets/data.csv"
/usr/bin/python3 - "$OUT" <<'PYEOF'
import gzip, sys
import numpy as np
out = sys.argv[1]
x = (np.arange(4 * 2 * 3) % 7).astype(np.uint8).reshape(4, 2, 3)
y = np.array([0, 1, 2, 1], dtype=np.int64)
np.save(out + "/fuzz_arrays/x.npy", x)
np.save(out + "/fuzz_arrays/f.npy", x.astype(np.float32))
np.savez(out + "/fuzz_datasets/plain.npz", x=x, y=y)
np.savez_compressed(out + "/fuzz_datasets/packed.npz", x=x, y=y)
# IDX: one byte picks the split between the image and label files (see fuzz_datasets.cpp).
img = bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 2, 0, 0, 0, 2]) + bytes(range(8))
lab = bytes([0, 0, 8, 1, 0, 0, 0, 2, 3, 4])
split = len(img) + 1
open(out + "/fuzz_datasets/idx", "wb").write(bytes([(split - 1) * 255 // (len(img) + len(lab))]) + img + lab)
PYEOF
pot-export "$T/s1" -o "$OUT/fuzz_arrays/s1.safetensors" >/dev/null
echo "seeds: $n messages, $(ls "$OUT/fuzz_arrays" | wc -l) arrays, $(ls "$OUT/fuzz_datasets" | wc -l) datasets in $OUT"
finish >/dev/null
