#!/usr/bin/env bash
# A CI sample of bench/hardening's single-bit-flip bench: every 7th bit of each message file
# of a small real chain (genesis, request, S_0, stage batches, declaration, header,
# endorsement, block, transaction) is flipped; no flip may be accepted as an equivalent
# re-encoding (DESIGN 3), and a flipped signature never verifies; likewise every structure bit
# of a large trained Fashion-MNIST state. Cost: about 10 s.
source "$POT_SOURCE_DIR/tests/cli/lib.sh"
source "$POT_SOURCE_DIR/tests/cli/consensus_lib.sh"
: "${POT_BITFLIP_BIN:?POT_BITFLIP_BIN must point at bench_bitflip}"
make_chain
make_block 1 $((G0 + 100)) "$T/chain/000001.block"
pot-tx transfer -k "$T/n2.pem" --to "$T/n3.pem" --amount 5 --fee 1 "${GEN[@]}" -o "$T/tx" >/dev/null
files=("$T/genesis" "$T/dummy/request" "$T"/dummy/objects/* "$T/chain/000001.block" "$T/mb-td1"
       "$T/mb-header" "$T/mb-sig1" "$T/tx")
expect_exit 0 "$POT_BITFLIP_BIN" --stride 7 "${files[@]}"
expect_grep '^TOTAL .* 0 equivalent' "$T/out"
# The bench sees what it should: flips refused both ways, and flipped signatures with the same id.
total="$(grep '^TOTAL' "$T/out")"
for what in malformed non-canonical same-id-bad-sig; do
  n="$(sed -n "s/.* \([0-9]*\) $what .*/\1/p" <<<"$total")"
  [ "${n:-0}" -gt 0 ] && pass || fail "no flip counted as $what: $total"
done
# A large trained state: S_1 of mlp:784-128-10 with momentum on 64 real Fashion-MNIST
# samples (about 800 KB): every bit of its structure (pointers, tag words, struct bodies,
# names: about 570 bytes) and every 4999th bit of its tensor bytes.
FASHION=/usr/share/datasets/fashion-mnist
if [ -r "$FASHION/train-images-idx3-ubyte.gz" ]; then
  pot-keygen -o "$T/emp.pem" >/dev/null
  pot-partition -q -k "$T/emp.pem" -o "$T/big" --images "$FASHION/train-images-idx3-ubyte.gz" \
    --labels "$FASHION/train-labels-idx1-ubyte.gz" --limit 64 -a mlp:784-128-10 -b 32 \
    --samples-per-stage 64 --momentum 0.9 --seed 3 >/dev/null &&
    pot-train-stage -q --repo "$T/big" -s 1 -o "$T/big-s1" >/dev/null || fail "cannot train the large state"
  expect_exit 0 "$POT_BITFLIP_BIN" --data-stride 4999 "$T/big-s1"
  expect_grep '^TOTAL .* 0 equivalent' "$T/out"
else
  echo "no Fashion-MNIST in $FASHION: the large state is not flipped here"
fi
# A file that is not a message is an error, not a result.
printf 'junk' >"$T/junk"
expect_exit 3 "$POT_BITFLIP_BIN" "$T/junk"
finish
