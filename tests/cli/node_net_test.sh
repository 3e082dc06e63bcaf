#!/usr/bin/env bash
# Four nodes (pot-gossip + pot-chaind each) on loopback: blocks handed to any
# node's chaind reach every node through gossip and all agree on the tip;
# two competing blocks at one height, submitted at two nodes at once, resolve
# to one chain on every node; a node started late catches up from a peer.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/chaind_lib.sh"

make_chain_keys
mkdir -p "$T/chain" "$T/chain1"
for s in 1 2 3; do
  make_block "$T/chain" "$s" $((G0 + 100 * s)) 1 "$T/b$s"
  cp "$T/b$s" "$T/chain/$(printf %06d "$s").block"
  [ "$s" = 1 ] && cp "$T/b1" "$T/chain1/000001.block"
done
make_block "$T/chain1" 2 $((G0 + 250)) 2 "$T/b2alt"
id_of() { pot-inspect --id "$1"; }
gep() { awk -v k="$2" '$1==k{print $2}' "$T/g$1.ep"; }

# node N [PEER]: gossip daemon, then a chaind that imports from and publishes to it.
node() {
  local n="$1" peer="${2:-}"
  local args=(run --bind 'tcp://127.0.0.1:*' --control 'tcp://127.0.0.1:*'
    --events 'tcp://127.0.0.1:*' --endpoint-file "$T/g$n.ep" --quiet)
  [ -n "$peer" ] && args+=(--peer "$(gep "$peer" peer)")
  pot-gossip "${args[@]}" 2>>"$T/g$n.log" &
  PIDS+=($!)
  wait_file "$T/g$n.ep"
  start_chaind "c$n" --gossip-events "$(gep "$n" events)" --gossip-control "$(gep "$n" control)" "${@:3}"
}
node 1; node 2 1; node 3 2; node 4 1
# Links are up once each daemon has heard its inbound peers' hello.
inbound() { pot-gossip stats --control "$(gep "$1" control)" | grep -q "\"inboundPeers\": $2"; }
wait_for inbound 1 2 && wait_for inbound 2 1 && pass || fail "gossip links did not come up"

all_at() {  # all_at ID: every node's tip is ID
  local n; for n in 1 2 3 4; do [ "$(tip_of "c$n" id)" = "$1" ] || return 1; done
}

# Block 1 handed to node 3: every node gets it. Watched through the stores
# (read-only), not by querying the daemons, so nothing but gossip wakes them.
expect_exit 0 pot-chaind query --connect "$(chaind_ep c3)" submit "$T/b1"
stores_at() { local n; for n in 1 2 3 4; do [ "$(pot-chaind tip --db "$T/c$n.db" | json_field id /dev/stdin)" = "$1" ] || return 1; done; }
wait_for stores_at "$(id_of "$T/b1")" && pass || fail "b1 did not reach every node by gossip alone"
wait_for all_at "$(id_of "$T/b1")" && pass || fail "b1 did not reach every node"
# Two competing blocks at height 2, at two nodes at once: one chain everywhere,
# the one with the lower id (equal trust, DESIGN 5.7).
pot-chaind query --connect "$(chaind_ep c4)" submit "$T/b2alt" >/dev/null &
S1=$!
pot-chaind query --connect "$(chaind_ep c2)" submit "$T/b2" >/dev/null &
S2=$!
wait "$S1" "$S2" || fail "submitting competing blocks"
LOW="$(printf '%s\n%s\n' "$(id_of "$T/b2")" "$(id_of "$T/b2alt")" | sort | head -1)"
wait_for all_at "$LOW" && pass || fail "nodes disagree after competing blocks: $(for n in 1 2 3 4; do tip_of c$n id; done)"
# Block 3 extends b2: every node moves to it, reorganising if it preferred b2alt.
expect_exit 0 pot-chaind query --connect "$(chaind_ep c1)" submit "$T/b3"
wait_for all_at "$(id_of "$T/b3")" && pass || fail "b3 did not become every node's tip"
for n in 1 2 3 4; do
  pot-chaind query --connect "$(chaind_ep "c$n")" block-at 2 -o "$T/n$n-2" && cmp -s "$T/n$n-2" "$T/b2" \
    && pass || fail "node $n has another block at height 2"
done

# Pending transactions: published at node 1, offered by node 4's chaind for the
# next block in nonce order; one with a nonce gap is held back.
for n in 0 1 5; do
  pot-tx transfer -k "$T/n1.pem" --to "$T/n2.pem" --amount 10 --nonce "$n" -o "$T/ptx$n" >/dev/null || fail "pot-tx"
done
# Spam: a validly signed transfer from a key with no coins is relayed by
# gossip (the signature is fine) but chaind does not keep it as pending.
pot-keygen -o "$T/poor.pem" >/dev/null
pot-tx transfer -k "$T/poor.pem" --to "$T/n2.pem" --amount 10 --nonce 0 -o "$T/spam" >/dev/null || fail "pot-tx spam"
expect_exit 0 pot-gossip publish --control "$(gep 1 control)" "$T/spam" "$T/ptx5" "$T/ptx1" "$T/ptx0"
pending_two() {
  pot-chaind query --connect "$(chaind_ep c4)" pending -o "$T/pending" && \
    [ "$(pot-inspect --id <"$T/pending" | tr '\n' ' ')" = "$(id_of "$T/ptx0") $(id_of "$T/ptx1") " ]
}
wait_for pending_two && pass || fail "pending on node 4: $(pot-inspect --id <"$T/pending" | tr '\n' ' ')"

# A late node (fresh store, gossip peer of node 2, syncs from node 2's chaind).
node 5 2 --sync-from "$(chaind_ep c2)"
wait_for same_tip c5 c1 && pass || fail "late node at height $(tip_of c5 height)"

for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null; done
for p in "${PIDS[@]}"; do wait "$p" || fail "a daemon exited $?"; done
PIDS=()
finish
