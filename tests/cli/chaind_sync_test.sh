#!/usr/bin/env bash
# pot-chaind catching up from peers: a running daemon killed with SIGKILL in
# the middle of a sync reopens consistent and catches up, with the same
# ledger; a fork deeper than the first sync window is crossed; a sync peer
# that serves an invalid block is dropped while honest peers are still
# followed; a peer that never answers does not stall the daemon.
source "$(dirname "$0")/lib.sh"
N=60 FORK=20 YTOP=45
POT_DUMMY_LIMIT=$((16 * (N + 10)))
source "$(dirname "$0")/chaind_lib.sh"

# Chain X: N blocks by builder 1. Chain Y: X's first FORK blocks, then its
# own up to YTOP by builder 2 (shorter, so X has more trust).
make_chain_keys
mkdir -p "$T/X" "$T/Y"
for s in $(seq "$N"); do
  make_block "$T/X" "$s" $((G0 + 100 * s)) 1 "$T/X/$(printf %06d "$s").block" || break
done
cp "$T"/X/0000{01..20}.block "$T/Y/"
for s in $(seq $((FORK + 1)) "$YTOP"); do
  make_block "$T/Y" "$s" $((G0 + 100 * s + 50)) 2 "$T/Y/$(printf %06d "$s").block" || break
done
[ "$(ls "$T/X" | wc -l)" = "$N" ] && [ "$(ls "$T/Y" | wc -l)" = "$YTOP" ] && pass || fail "chains not made"
pot-chaind import --db "$T/a.db" --genesis "$T/genesis" "$T"/X/*.block || fail "import X"
cp -r "$T/a.db" "$T/e.db"  # for the dishonest peer below, copied while no process has it open
start_chaind a --quiet
A="$(chaind_ep a)"
db_height() { pot-chaind tip --db "$1" 2>/dev/null | json_field height /dev/stdin; }
same_accounts() {  # same_accounts NAME: every key's account equals a's
  local i
  for i in 1 2 3 4; do
    addr="$(pot-keygen --show "$T/n$i.pem")"
    [ "$(pot-chaind query --connect "$A" account "$addr")" = \
      "$(pot-chaind query --connect "$(chaind_ep "$1")" account "$addr")" ] || return 1
  done
}
stop_last() { kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}"; unset 'PIDS[-1]'; }

# --- SIGKILL in the middle of a sync. The kill comes as soon as the store
# holds a block (read-only, while the daemon writes), so it lands among the
# N imports; the store must then hold a gap-free prefix of X, and the
# restarted daemon must reach a's tip with a's ledger.
mid=0
for attempt in 1 2 3; do
  rm -rf "$T/k.db" "$T/k.ep"
  pot-chaind run --db "$T/k.db" --genesis "$T/genesis" --bind 'tcp://127.0.0.1:*' \
    --endpoint-file "$T/k.ep" --sync-from "$A" --quiet 2>>"$T/k.log" &
  KP=$!
  for _ in $(seq 2000); do
    h="$(db_height "$T/k.db")"
    [ -n "$h" ] && [ "$h" -ge 1 ] && break
  done
  kill -9 "$KP"; wait "$KP" 2>/dev/null
  rm -f "$T/k.ep"  # a killed daemon leaves its endpoint file behind
  h="$(db_height "$T/k.db")"
  [ -n "$h" ] && [ "$h" -lt "$N" ] && mid=$((mid + 1))
  rm -rf "$T/k-chain"
  expect_exit 0 pot-chaind export --db "$T/k.db" -o "$T/k-chain"
  n=$(ls "$T/k-chain" | grep -c '\.block$')
  [ "$n" = "$h" ] && pass || fail "tip height $h but $n blocks exported"
  for f in $(ls "$T/k-chain"); do cmp -s "$T/k-chain/$f" "$T/X/$f" || fail "killed store: $f differs from X"; done
  start_chaind k --quiet --sync-from "$A"
  wait_for same_tip k a && pass || fail "restarted node did not catch up (attempt $attempt, killed at $h)"
  same_accounts k && pass || fail "restarted node's ledger differs from a's"
  stop_last
done
[ "$mid" -ge 1 ] && pass || fail "no kill landed in the middle of the sync"
echo "killed mid-sync in $mid of 3 attempts"

# --- a fork deeper than the first probe (8 blocks) and than a sync batch
# (4 blocks here): p holds Y, 25 blocks past the fork point; syncing from a
# it must find where the chains meet and reorganise onto X. Its export
# directory, which held Y plus a stale higher file and a killed write's
# temp file, must end up exactly X.
pot-chaind import --db "$T/p.db" --genesis "$T/genesis" "$T"/Y/*.block || fail "import Y"
[ "$(db_height "$T/p.db")" = "$YTOP" ] && pass || fail "p did not start on Y"
pot-chaind export --db "$T/p.db" -o "$T/p-chain" || fail "export Y"
cp "$T/X/000060.block" "$T/p-chain/000099.block"; echo x >"$T/p-chain/000010.block.tmp.AbCdEf"
start_chaind p --sync-from "$A" --sync-batch 4 --export-dir "$T/p-chain"
wait_for same_tip p a && pass || fail "p did not cross the fork: at $(tip_of p height)"
same_accounts p && pass || fail "p's ledger after the deep reorganisation differs from a's"
expect_grep "forked from our chain" "$T/p.log"
expect_grep "reorganised $((YTOP - FORK)) blocks" "$T/p.log"
diff -r "$T/p-chain" "$T/X" >/dev/null && pass || fail "p's export is not X: $(diff -rq "$T/p-chain" "$T/X" | head -3)"
stop_last

# --- a peer serving an invalid block. e's store is a's with the wrapper
# signature of block 30 flipped in the LMDB file, so e's chaind serves it.
# LMDB may keep an old copy of a page, so every copy is flipped.
/usr/bin/python3 - "$T/e.db/data.mdb" "$T/X/000030.block" <<'PYEOF' && pass || fail "could not tamper e's store"
import sys
db, blk = sys.argv[1], open(sys.argv[2], "rb").read()
data = bytearray(open(db, "rb").read())
i, n = data.find(blk), 0
while i >= 0:
    data[i + len(blk) - 1] ^= 1
    n += 1
    i = data.find(blk, i + 1)
assert n >= 1
open(db, "wb").write(data)
PYEOF
start_chaind e --quiet
E="$(chaind_ep e)"
# Following e alone stops below the bad block, for good.
start_chaind v1 --sync-from "$E"
at_29() { [ "$(tip_of v1 height)" = 29 ]; }
wait_for at_29 && pass || fail "v1 at $(tip_of v1 height), want 29"
sleep 2
[ "$(tip_of v1 height)" = 29 ] && pass || fail "v1 went past the bad block"
[ "$(grep -c "refused block from $E" "$T/v1.log")" = 1 ] && pass || fail "e was asked again: $(grep -c "refused block from" "$T/v1.log") refusals"
expect_grep "bad-block-sig.*dropped sync peer" "$T/v1.log"
# Its status names the dropped peer and how far ahead it claims to be, and
# is not syncing: a dropped peer is not followed.
expect_exit 0 pot-chaind query --connect "$(chaind_ep v1)" status
expect_grep "^sync peer $E: height [0-9]* tip [0-9a-f]\{64\}, [1-9][0-9]* blocks ahead (dropped: served bad data)$" "$T/out"
expect_grep '^syncing: no$' "$T/out"
expect_grep '^height 29$' "$T/out"
stop_last
# With an honest peer beside it, the node still reaches a's tip; a dead peer
# (nobody listening) does not stall its loop: queries keep being answered.
start_chaind v2 --sync-from "$E" --sync-from tcp://127.0.0.1:1 --sync-from "$A"
wait_for same_tip v2 a && pass || fail "v2 did not reach a's tip"
same_accounts v2 && pass || fail "v2's ledger differs from a's"
for _ in 1 2 3 4 5; do
  expect_exit 0 pot-chaind query --connect "$(chaind_ep v2)" tip --timeout-ms 1500
  sleep 0.3
done
expect_exit 0 pot-chaind query --connect "$(chaind_ep v2)" status --json
expect_grep '"endpoint": "tcp://127.0.0.1:1", "answered": false' "$T/out"
expect_grep "\"endpoint\": \"$A\", \"answered\": true, \"dropped\": false, \"tip\": \"$(tip_of a id)\", \"height\": $(tip_of a height), \"tipKnown\": true, \"ahead\": 0" "$T/out"
stop_last

# A --sync-from that is no endpoint is a usage error before the daemon
# announces itself.
expect_exit 2 pot-chaind run --db "$T/u.db" --genesis "$T/genesis" --endpoint-file "$T/u.ep" --sync-from foo
expect_grep "sync-from" "$T/err"
expect_no_file "$T/u.ep"
# Usage: tip needs --db; a missing store is an I/O error, nothing created.
expect_exit 2 pot-chaind tip
expect_exit 4 pot-chaind tip --db "$T/none.db"
expect_no_file "$T/none.db"
expect_one_line_error pot-chaind
finish
