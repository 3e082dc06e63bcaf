#!/usr/bin/env bash
# Seed corpora for the fuzz targets, made by the real tools: a small chain (genesis, requests,
# declarations, headers, blocks, transactions), stage batches and states, their JSON, .npy/.npz
# arrays written by numpy, a safetensors export, CSV and IDX datasets; the chain itself
# (CORPUS_DIR/chain: genesis and blocks 1-2) that fuzz_validate_block and fuzz_chaind_request
# start from, with block 3 and requests to pot-chaind and pot-gossip frames as their seeds.
# Usage: bench/fuzz/seeds.sh CORPUS_DIR   (tools from $POT_TOOL_DIR, default build/bin)
set -uo pipefail
OUT="${1:?usage: seeds.sh CORPUS_DIR}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
export POT_TOOL_DIR="${POT_TOOL_DIR:-$ROOT/build/bin}"
source "$ROOT/tests/cli/lib.sh"
source "$ROOT/tests/cli/consensus_lib.sh"
mkdir -p "$OUT"/{fuzz_message,fuzz_json_message,fuzz_arrays,fuzz_datasets,fuzz_validate_block} \
  "$OUT"/{fuzz_chaind_request,fuzz_gossip_frames,chain/chain}
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

# A chain of three blocks: 1 and 2 are the chain the targets load, 3 is valid on its tip. Frames as tests/fuzz/fuzz_frames.h reads them: a 2-byte little-endian
# length, then the bytes.
cp "$T/chain/000001.block" "$T/b1"
make_block 2 $((G0 + 200)) "$T/chain/000002.block" || exit 1
cp "$T/mb-header" "$T/h2"
pot-tx transfer -k "$T/n1.pem" --to "$T/n4.pem" --amount 7 --fee 2 "${GEN[@]}" -o "$T/tx3" >/dev/null
cp "$T/genesis" "$OUT/chain/genesis"
cp "$T/chain/"*.block "$OUT/chain/chain/"
make_block 3 $((G0 + 300)) "$T/b3" || exit 1
cp "$T/b1" "$T/chain/000002.block" "$T/b3" "$OUT/fuzz_validate_block/"
n3=0
for f in "$T/mb-td1" "$T/mb-header" "$T/tx3" "$T/genesis"; do
  n3=$((n3 + 1)); cp "$f" "$OUT/fuzz_validate_block/other$n3"
done
le16() { printf '\\x%02x\\x%02x' $(($1 & 255)) $(($1 >> 8)); }
text_frame() { printf "$(le16 ${#1})%s" "$1"; }
file_frame() { printf "$(le16 "$(stat -c %s "$1")")"; cat "$1"; }
hash_frame() { printf "$(le16 32)$(sed 's/../\\x&/g' <<<"$1")"; }
tip="$(pot-next "${GEN[@]}" | cut -d' ' -f7)"
addr="$(pot-keygen --show "$T/n1.pem")"
C="$OUT/fuzz_chaind_request"
text_frame tip >"$C/tip"
text_frame models >"$C/models"
text_frame pending >"$C/pending"
text_frame status >"$C/status"
{ text_frame status; hash_frame "$addr"; } >"$C/status-account"
{ text_frame account; hash_frame "$addr"; } >"$C/account"
{ text_frame model; hash_frame "$DUMMY"; } >"$C/model"
{ text_frame block-at; text_frame 1; } >"$C/block-at"
{ text_frame range; text_frame 1; text_frame 2; } >"$C/range"
{ text_frame state; hash_frame "$(fake_hash state2)"; } >"$C/state"
{ text_frame stakeholders; file_frame "$T/h2"; } >"$C/stakeholders"
{ text_frame submit; file_frame "$T/b3"; } >"$C/submit"
{ text_frame submit; file_frame "$T/b1"; } >"$C/submit-known"
{ text_frame block; hash_frame "$tip"; } >"$C/block"
G="$OUT/fuzz_gossip_frames"
genesis_id="$(cat "$T/genesis-id")"
# The first byte picks the side: odd = inbound (a routing id frame first), even = dialled.
{ printf '\x01'; text_frame rid1; text_frame hello; text_frame 1; hash_frame "$genesis_id"; } >"$G/hello-in"
{ printf '\x00'; text_frame hello; text_frame 1; text_frame ""; } >"$G/hello-out"
{ printf '\x00'; text_frame refuse; text_frame "other chain"; } >"$G/refuse"
ng=0
for f in "$T/mb-td1" "$T/mb-header" "$T/mb-sig1" "$T/tx3" "$T/b3" "$T/genesis"; do
  ng=$((ng + 1))
  { printf '\x01'; text_frame rid1; text_frame msg; file_frame "$f"; } >"$G/in$ng"
  { printf '\x00'; text_frame msg; file_frame "$f"; } >"$G/out$ng"
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
