#!/usr/bin/env bash
# pot-gossip: four real daemons in a line on loopback flood signed messages
# both ways; duplicates are not relayed twice; garbage, replayed, oversized
# and invalid-signature messages are refused and their sender dropped and
# banned for a while.
source "$(dirname "$0")/lib.sh"
PIDS=() INJ=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT

wait_file() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.1; done; fail "no $1"; return 1; }
ep() { awk -v k="$2" '$1==k{print $2}' "$T/$1.ep"; }
# wait_for COND-CMD...: polls for up to 10 s.
wait_for() { for _ in $(seq 100); do "$@" && return 0; sleep 0.1; done; return 1; }
has_msg() { [ -e "$T/$1.spool/transaction/$2.msg" ]; }
stat_of() { pot-gossip stats --control "$(ep "$1" control)" | sed -n "s/.*\"$2\": \([0-9]*\).*/\1/p"; }

start() {  # start NAME [PEER-NAME]
  local args=(run --bind 'tcp://127.0.0.1:*' --control 'tcp://127.0.0.1:*' --events 'tcp://127.0.0.1:*'
              --endpoint-file "$T/$1.ep" --spool "$T/$1.spool" --max-message-bytes 65536)
  [ -n "${2:-}" ] && args+=(--peer "$(ep "$2" peer)")
  pot-gossip "${args[@]}" 2>"$T/$1.log" &
  PIDS+=($!)
  wait_file "$T/$1.ep"
}
start a; start b a; start c b; start d c
# Each outbound link has said hello, so floods can go both ways.
wait_for test "$(stat_of a inboundPeers)" = 1 && wait_for test "$(stat_of c inboundPeers)" = 1 \
  && pass || fail "links did not come up"

pot-keygen -o "$T/k.key" >/dev/null
TO="$(printf '%064d' 7)"
for n in 1 2 3 4 5; do pot-tx transfer -k "$T/k.key" --to "$TO" --amount 5 --nonce $n -o "$T/tx$n.msg" >"$T/tx$n.id" || fail "pot-tx $n"; done
id() { cat "$T/tx$1.id"; }

# Published at one end, it reaches every node; from the other end likewise.
expect_exit 0 pot-gossip publish --control "$(ep d control)" "$T/tx1.msg"
[ "$(cat "$T/out")" = "$(id 1)" ] && pass || fail "publish printed $(cat "$T/out")"
for n in a b c d; do wait_for has_msg $n "$(id 1)" && pass || fail "tx1 did not reach $n"; done
cmp -s "$T/a.spool/transaction/$(id 1).msg" "$T/tx1.msg" && pass || fail "relayed bytes differ"
expect_exit 0 pot-gossip publish --control "$(ep a control)" "$T/tx2.msg" --json
expect_grep "\"id\": \"$(id 2)\"" "$T/out"
for n in a b c d; do wait_for has_msg $n "$(id 2)" && pass || fail "tx2 did not reach $n"; done

# A subscriber by kind gets the message once its subscription is live.
pot-gossip subscribe --events "$(ep b events)" --kind transaction --out-dir "$T/sub" \
  --ready-file "$T/sub.ready" --count 1 --timeout-ms 10000 2>"$T/sub.err" &
SUB=$!; PIDS+=($SUB)
wait_file_exists() { for _ in $(seq 100); do [ -e "$1" ] && return 0; sleep 0.1; done; return 1; }
wait_file_exists "$T/sub.ready" && pass || fail "subscription never became live"
expect_exit 0 pot-gossip publish --control "$(ep c control)" "$T/tx3.msg"
wait "$SUB" && pass || fail "subscriber failed: $(cat "$T/sub.err")"
cmp -s "$T/sub/$(id 3).msg" "$T/tx3.msg" && pass || fail "subscriber wrote other bytes"
expect_exit 2 pot-gossip subscribe --events "$(ep b events)" --kind model-state --out-dir "$T/x"

# A replay is not relayed again: duplicates counted, nothing new spooled.
for n in a b c d; do wait_for has_msg $n "$(id 3)" || fail "tx3 did not reach $n"; done
dup_before="$(stat_of b duplicates)"; acc_before="$(stat_of b accepted)"
expect_exit 0 pot-gossip publish --control "$(ep a control)" "$T/tx1.msg"
expect_exit 0 pot-gossip inject --peer "$(ep b peer)" "$T/tx1.msg" "$T/tx2.msg"
more_dups() { [ "$(stat_of b duplicates)" -ge $((dup_before + 2)) ]; }
wait_for more_dups && pass || fail "replay not counted as duplicate"
[ "$(stat_of b accepted)" = "$acc_before" ] && pass || fail "replay was accepted again"

# Invalid signature: refused to a local publisher (1) ...
cp "$T/tx4.msg" "$T/bad.msg"
/usr/bin/python3 -c 'import sys; p = sys.argv[1]; d = bytearray(open(p, "rb").read()); d[-1] ^= 1; open(p, "wb").write(d)' "$T/bad.msg"
pot-inspect "$T/bad.msg" >/dev/null && pass || fail "tampered file should still decode"
expect_exit 1 pot-gossip publish --control "$(ep a control)" "$T/bad.msg"
expect_grep "bad-signature" "$T/err"
expect_one_line_invalid() { grep -q "^pot-gossip: invalid: " "$T/err" && [ "$(wc -l <"$T/err")" = 1 ] && pass || fail "want one invalid line: $(cat "$T/err")"; }
expect_one_line_invalid
# ... and from a peer: the peer is dropped (its address banned, its
# connection closed), so its next (valid) message is never accepted. Bad
# peers connect from other loopback addresses (127.0.0.x), so the honest
# daemons on 127.0.0.1 are not caught by their bans.
from() { local e; e="$(ep a peer)"; echo "tcp://$1:0;${e#tcp://}"; }
expect_exit 0 pot-gossip inject --peer "$(from 127.0.0.2)" "$T/bad.msg" "$T/tx4.msg"
dropped() { [ "$(stat_of a droppedPeers)" -ge "$1" ]; }
wait_for dropped 1 && pass || fail "the bad-signature peer was not dropped"
has_msg a "$(id 4)" && fail "message from a dropped peer was accepted" || pass
[ "$(stat_of a bannedAddresses)" = 1 ] && pass || fail "a banned $(stat_of a bannedAddresses) addresses"
expect_grep "dropped peer inbound 127.0.0.2: bad-signature" "$T/a.log"
# Its reconnect is refused at the handshake, even with a valid message.
expect_exit 0 pot-gossip inject --peer "$(from 127.0.0.2)" "$T/tx4.msg"
refused() { [ "$(stat_of a refusedHandshakes)" -ge 1 ]; }
wait_for refused && pass || fail "a banned peer's reconnect was not refused"
has_msg a "$(id 4)" && fail "a banned peer's message was accepted" || pass

# Garbage and a kind that is never gossiped: refused, sender dropped.
head -c 300 /dev/urandom >"$T/junk"
expect_exit 0 pot-gossip inject --peer "$(from 127.0.0.3)" "$T/junk" "$T/tx4.msg"
state='{"modelState": {"architecture": "mlp:4-2", "stage": 1}}'
pot-inspect --from-json <<<"$state" -o "$T/state.msg"
expect_exit 1 pot-gossip publish --control "$(ep a control)" "$T/state.msg"
expect_grep "not gossiped" "$T/err"
expect_exit 0 pot-gossip inject --peer "$(from 127.0.0.4)" "$T/state.msg" "$T/tx4.msg"
wait_for dropped 3 && pass || fail "garbage senders were not dropped"
expect_exit 3 pot-gossip publish --control "$(ep a control)" "$T/junk"
expect_one_line_error pot-gossip
# A replay: the same message twice on one connection. Flooding never does
# that (each daemon relays a message once per link), so the sender goes.
pot-tx transfer -k "$T/k.key" --to "$TO" --amount 5 --nonce 6 -o "$T/tx6.msg" >"$T/tx6.id" || fail "pot-tx 6"
expect_exit 0 pot-gossip inject --peer "$(from 127.0.0.5)" "$T/tx6.msg" "$T/tx6.msg"
wait_for dropped 4 && pass || fail "the replaying peer was not dropped"
expect_grep "dropped peer inbound 127.0.0.5: replay" "$T/a.log"
for n in a b c d; do wait_for has_msg $n "$(id 6)" && pass || fail "tx6 (sent once, then replayed) did not reach $n"; done
sleep 0.3
has_msg a "$(id 4)" && fail "a bad peer's follow-up was accepted" || pass
[ "$(stat_of a droppedPeers)" = 4 ] && pass || fail "a dropped $(stat_of a droppedPeers) peers, want 4"
[ "$(stat_of a bannedAddresses)" = 4 ] && pass || fail "a banned $(stat_of a bannedAddresses) addresses, want 4"
# One host cannot take every inbound slot: at most 8 connections per
# address (127.0.0.1, trusted, is not capped).
for k in 1 2 3 4 5 6 7 8 9; do
  pot-gossip inject --peer "$(from 127.0.0.6)" --linger-ms 2000 "$T/tx1.msg" 2>/dev/null &
  INJ+=($!)
done
capped() { [ "$(stat_of a refusedFull)" -ge 1 ]; }
wait_for capped && pass || fail "a ninth connection from one address was kept"
wait "${INJ[@]}"
[ "$(stat_of a droppedPeers)" = 4 ] && pass || fail "the per-address cap dropped (banned) a peer"
# Honest daemons on 127.0.0.1 were never dropped.
[ "$(stat_of b droppedPeers)" = 0 ] && [ "$(stat_of a inboundPeers)" -ge 1 ] && pass || fail "an honest link was dropped"
# Oversized: ZeroMQ cuts the connection at the cap before we see a byte (a
# reconnecting peer gets a fresh connection); the daemon lives on.
head -c 200000 /dev/zero >"$T/big"
expect_exit 0 pot-gossip inject --peer "$(ep a peer)" "$T/big"
expect_exit 4 pot-gossip publish --control "$(ep a control)" "$T/big" --timeout-ms 1000
kill -0 "${PIDS[0]}" && pass || fail "daemon a died"
# Honest traffic still flows everywhere afterwards, and no bad message was stored.
expect_exit 0 pot-gossip publish --control "$(ep d control)" "$T/tx4.msg"
for n in a b c d; do wait_for has_msg $n "$(id 4)" && pass || fail "tx4 did not reach $n"; done
for n in a b c d; do
  [ "$(ls "$T/$n.spool/transaction" | wc -l)" = 5 ] && pass || fail "$n spooled $(ls "$T/$n.spool/transaction")"
  [ "$(ls "$T/$n.spool")" = transaction ] && pass || fail "$n spooled other kinds: $(ls "$T/$n.spool")"
done

# A ban ends: with --ban-seconds 1 the same address is heard again later.
pot-gossip run --bind 'tcp://127.0.0.1:*' --control 'tcp://127.0.0.1:*' --endpoint-file "$T/e.ep" \
  --spool "$T/e.spool" --ban-seconds 1 --spool-max-age 2 2>"$T/e.log" &
PIDS+=($!)
wait_file "$T/e.ep"
fromE() { local e; e="$(ep e peer)"; echo "tcp://$1:0;${e#tcp://}"; }
expect_exit 0 pot-gossip inject --peer "$(fromE 127.0.0.2)" "$T/junk"
e_dropped() { [ "$(stat_of e droppedPeers)" = 1 ]; }
wait_for e_dropped && pass || fail "e did not drop the garbage sender"
sleep 1.2
expect_exit 0 pot-gossip inject --peer "$(fromE 127.0.0.2)" "$T/tx5.msg"
wait_for has_msg e "$(id 5)" && pass || fail "the address was still refused after its ban ended"
# Spooled messages older than --spool-max-age go; the daemon keeps running.
pruned() { ! has_msg e "$(id 5)"; }
wait_for pruned && pass || fail "e kept a spooled message past --spool-max-age"
[ "$(stat_of e accepted)" = 1 ] && pass || fail "e's counters after pruning"

# The hello: each link first exchanges the protocol version and the genesis
# id. A peer of another chain is refused with the reason in both logs and
# disconnected, not banned; peers of the same chain flood.
pot-keygen -o "$T/g.pem" >/dev/null
pot-genesis -o "$T/genesisA" --timestamp 1700000000 --alloc "$T/g.pem=100" >/dev/null || fail "genesis A"
pot-genesis -o "$T/genesisB" --timestamp 1700000001 --alloc "$T/g.pem=100" >/dev/null || fail "genesis B"
GA="$(sha256sum <"$T/genesisA" | cut -c1-64)" GB="$(sha256sum <"$T/genesisB" | cut -c1-64)"
start_on() {  # start_on NAME GENESIS-FILE [PEER-NAME]
  local args=(run --bind 'tcp://127.0.0.1:*' --control 'tcp://127.0.0.1:*' --endpoint-file "$T/$1.ep"
              --spool "$T/$1.spool" --genesis "$2")
  [ -n "${3:-}" ] && args+=(--peer "$(ep "$3" peer)")
  pot-gossip "${args[@]}" 2>"$T/$1.log" &
  PIDS+=($!)
  wait_file "$T/$1.ep"
}
start_on f "$T/genesisA"; start_on g "$T/genesisB" f
hellos_refused() { [ "$(stat_of "$1" refusedHellos)" -ge 1 ]; }
wait_for hellos_refused f && pass || fail "f did not refuse g's hello"
wait_for hellos_refused g && pass || fail "g did not see f's refusal"
expect_grep "warn pot-gossip height=-: refused inbound 127.0.0.1: peer 127.0.0.1 is on genesis $GB, we are on $GA" "$T/f.log"
expect_grep "warn pot-gossip height=-: peer $(ep f peer) is on genesis $GA, we are on $GB; disconnected" "$T/g.log"
for n in f g; do
  [ "$(stat_of $n droppedPeers)" = 0 ] && [ "$(stat_of $n bannedAddresses)" = 0 ] && pass || fail "$n dropped or banned a peer of another chain"
done
[ "$(stat_of f inboundPeers)" = 0 ] && [ "$(stat_of g outboundPeers)" = 0 ] && pass || fail "a refused link was kept"
expect_exit 0 pot-gossip publish --control "$(ep g control)" "$T/tx1.msg"
sleep 0.5
has_msg f "$(id 1)" && fail "a message crossed to another chain" || pass
# Same genesis: the link comes up and floods both ways.
start_on h "$T/genesisA" f
wait_for test "$(stat_of f inboundPeers)" = 1 && wait_for test "$(stat_of h outboundPeers)" = 1 \
  && pass || fail "same-genesis link did not come up"
expect_exit 0 pot-gossip publish --control "$(ep h control)" "$T/tx2.msg"
wait_for has_msg f "$(id 2)" && pass || fail "tx2 did not flood from h to f"
expect_exit 0 pot-gossip publish --control "$(ep f control)" "$T/tx3.msg"
wait_for has_msg h "$(id 3)" && pass || fail "tx3 did not flood from f to h"
expect_grep "info pot-gossip height=-: linked to peer $(ep f peer) (protocol version 1)" "$T/h.log"
# From an untrusted address: another genesis, then another version, are refused
# without a ban, so the same address is heard once it says the right hello.
fromF() { local e; e="$(ep f peer)"; echo "tcp://$1:0;${e#tcp://}"; }
expect_exit 0 pot-gossip inject --peer "$(fromF 127.0.0.7)" --genesis "$T/genesisB" "$T/tx4.msg"
expect_exit 0 pot-gossip inject --peer "$(fromF 127.0.0.7)" --protocol-version 2 "$T/tx4.msg"
two_refused() { [ "$(stat_of f refusedHellos)" -ge 3 ]; }
wait_for two_refused && pass || fail "f did not refuse the injected hellos"
expect_grep "refused inbound 127.0.0.7: peer 127.0.0.7 is on genesis $GB, we are on $GA" "$T/f.log"
expect_grep "refused inbound 127.0.0.7: peer 127.0.0.7 speaks gossip protocol version 2, we speak 1" "$T/f.log"
has_msg f "$(id 4)" && fail "a refused peer's message was accepted" || pass
[ "$(stat_of f bannedAddresses)" = 0 ] && [ "$(stat_of f droppedPeers)" = 0 ] && pass || fail "a refused hello banned its sender"
# A hello that names no genesis could come from any chain: refused the same way.
expect_exit 0 pot-gossip inject --peer "$(fromF 127.0.0.7)" "$T/tx4.msg"
three_refused() { [ "$(stat_of f refusedHellos)" -ge 4 ]; }
wait_for three_refused && pass || fail "f did not refuse a hello without genesis"
expect_grep "refused inbound 127.0.0.7: peer 127.0.0.7 names no genesis, we are on $GA" "$T/f.log"
has_msg f "$(id 4)" && fail "a peer naming no genesis had its message accepted" || pass
expect_exit 0 pot-gossip inject --peer "$(fromF 127.0.0.7)" --genesis "$T/genesisA" "$T/tx4.msg"
wait_for has_msg f "$(id 4)" && pass || fail "the refused address was not heard with the right genesis"
# Every log line carries a UTC timestamp, a level and the height ("-": this
# daemon has no pot-chaind to ask; cli.chaind shows one that has).
bad_lines="$(grep -Evc '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z (info|warn|error) pot-gossip height=-: ' "$T/f.log")"
[ "$bad_lines" = 0 ] && pass || fail "f.log has $bad_lines lines without time and level"

# Usage and network errors.
expect_exit 2 pot-gossip run --bind 'udp://x'
expect_exit 4 pot-gossip stats --control tcp://127.0.0.1:1 --timeout-ms 300
expect_one_line_error pot-gossip

# SIGTERM: every daemon exits 0 and removes its endpoint file.
for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
for p in "${PIDS[@]}"; do wait "$p"; rc=$?; [ "$rc" -eq 0 ] || [ "$p" = "$SUB" ] && pass || fail "daemon exit $rc"; done
PIDS=()
for n in a b c d e f g h; do [ -e "$T/$n.ep" ] && fail "$n left its endpoint file" || pass; done
finish
