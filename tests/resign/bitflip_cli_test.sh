#!/usr/bin/env bash
# A CI sample of bench/hardening's single-bit-flip bench: every 7th bit of each message file
# of a small real chain (genesis, request, S_0, stage batches, declaration, header,
# endorsement, block, transaction) is flipped; no flip may be accepted as an equivalent
# re-encoding (DESIGN 3), and a flipped signature never verifies. Cost: about 5 s.
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
# A file that is not a message is an error, not a result.
printf 'junk' >"$T/junk"
expect_exit 3 "$POT_BITFLIP_BIN" "$T/junk"
finish
