#!/usr/bin/env bash
# Re-signed blocks judged by the real tools: the property test (resign_property_test) writes
# 40 blocks that a re-signing adversary edited and sealed again, with the verdict of the model
# of the rules; pot-chaind import (all 40) and pot-verify-block (the first 12) must give it.
# Also: a correctly re-signed block whose empty transaction list is zero-length instead of null
# is `non-canonical` for both. Cost: about 15 s of CPU (15 pot-verify-block calls load libtorch;
# 45 s to 165 s wall on the shared 2-core VM under load).
source "$POT_SOURCE_DIR/tests/cli/lib.sh"
: "${POT_RESIGN_BIN:?POT_RESIGN_BIN must point at resign_property_test}"
D="$T/dump"
mkdir -p "$D" "$T/chain"
POT_RESIGN_BLOCKS=40 POT_RESIGN_DUMP="$D" "$POT_RESIGN_BIN" \
  --gtest_filter='ResignProperty.*' >"$T/gtest" 2>&1 ||
  fail "the property test failed: $(tail -5 "$T/gtest")"
NOW="$(cat "$D/now")"
cp "$D/block-1" "$T/chain/000001.block"
expect_exit 0 pot-chaind import --db "$T/db" --genesis "$D/genesis" --now "$NOW" "$D/block-1"
valid=0 invalid=0
n=0
while read -r name verdict; do
  # pot-verify-block loads libtorch (about 0.5 s a call): the first 12 blocks only.
  v=skip
  if [ $((n++)) -lt 12 ]; then
    pot-verify-block --genesis "$D/genesis" --chain "$T/chain" --now "$NOW" -q "$D/$name" \
      >/dev/null 2>"$T/err"
    v=$?
  fi
  pot-chaind import --db "$T/db" --now "$NOW" "$D/$name" >/dev/null 2>"$T/err2"
  c=$?
  if [ "$verdict" = valid ]; then
    valid=$((valid + 1))
    [ "$v" = 0 ] || [ "$v" = skip ] && pass || fail "$name: the model says valid, pot-verify-block exit $v: $(cat "$T/err")"
    [ "$c" = 0 ] && pass || fail "$name: the model says valid, pot-chaind import exit $c: $(cat "$T/err2")"
  else
    invalid=$((invalid + 1))
    [ "$v" = 1 ] || [ "$v" = 3 ] || [ "$v" = skip ] && pass ||
      fail "$name: the model says invalid, pot-verify-block exit $v"
    [ "$c" = 1 ] || [ "$c" = 3 ] && pass ||
      fail "$name: the model says invalid, pot-chaind import exit $c"
  fi
done <"$D/expected.txt"
[ $((valid + invalid)) = 40 ] && [ "$valid" -gt 0 ] && [ "$invalid" -gt 0 ] && pass ||
  fail "expected 40 blocks of both verdicts, got $valid valid and $invalid invalid"
# One form of empty, on another chain the property test made: null transactions are valid,
# a zero-length list (correctly re-signed) is non-canonical.
E="$D/empty"
mkdir -p "$T/echain"
cp "$E/block-1" "$T/echain/000001.block"
expect_exit 0 pot-verify-block --genesis "$E/genesis" --chain "$T/echain" --now "$NOW" "$E/null-transactions"
expect_exit 3 pot-verify-block --genesis "$E/genesis" --chain "$T/echain" --now "$NOW" --json \
  "$E/empty-transactions"
expect_grep '"code": "non-canonical"' "$T/out"
expect_grep 'transactions is zero-length' "$T/out"
expect_exit 0 pot-chaind import --db "$T/edb" --genesis "$E/genesis" --now "$NOW" "$E/block-1"
expect_exit 0 pot-chaind import --db "$T/edb" --now "$NOW" "$E/null-transactions"
expect_exit 3 pot-chaind import --db "$T/edb" --now "$NOW" "$E/empty-transactions"
finish
