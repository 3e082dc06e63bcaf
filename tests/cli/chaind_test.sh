#!/usr/bin/env bash
# pot-chaind: real blocks imported from files and over ZeroMQ; competing blocks
# at one height resolve to one chain with a reorganisation whose ledger equals
# a straight import; a late node syncs; kill -9 mid-import leaves a consistent
# store that catches up; garbage and invalid blocks change nothing and get
# their sender dropped.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/chaind_lib.sh"

make_chain_keys
mkdir -p "$T/chain" "$T/chain1"
# Stage 6 records the hash of a real state file, for the repository test.
pot-inspect --from-json -o "$T/s6.msg" <<<'{"modelState": {"architecture": "mlp:784-16-10", "stage": 6}}'
S6="$(sha256sum <"$T/s6.msg" | cut -c1-64)"
for s in 1 2 3 4 5 6; do
  make_block "$T/chain" "$s" $((G0 + 100 * s)) 1 "$T/b$s" "$([ "$s" = 6 ] && echo "$S6")"
  cp "$T/b$s" "$T/chain/$(printf %06d "$s").block"
  [ "$s" = 1 ] && cp "$T/b1" "$T/chain1/000001.block"
done
mkdir -p "$T/chain4"; cp "$T/chain"/00000[1-4].block "$T/chain4/"
# A competitor for height 2: another builder, another time, same parent b1.
make_block "$T/chain1" 2 $((G0 + 250)) 2 "$T/b2alt"
cmp -s "$T/b2" "$T/b2alt" && fail "competing blocks are identical" || pass
id_of() { pot-inspect --id "$1"; }

# --- import from files, straight.
expect_exit 0 pot-chaind import --db "$T/s.db" --genesis "$T/genesis" --json "$T/b1" "$T/b2" "$T/b3" "$T/b4"
[ "$(grep -c '"status": "tip"' "$T/out")" = 4 ] && pass || fail "import: $(cat "$T/out")"
expect_exit 0 pot-chaind import --db "$T/s.db" --json "$T/b3"
expect_grep '"status": "known"' "$T/out"
expect_exit 0 pot-chaind export --db "$T/s.db" -o "$T/exported"
diff -r "$T/exported" "$T/chain4" >/dev/null && pass || fail "export differs from the chain files"
# Other tools read the store read-only (--db): the next block verifies the
# same against the store as against the replayed block files.
expect_exit 0 pot-verify-block --db "$T/s.db" --now $((G0 + 10000)) --json "$T/b5"
expect_grep '"valid": true' "$T/out"
expect_exit 0 pot-verify-block --genesis "$T/genesis" --chain "$T/chain4" --now $((G0 + 10000)) "$T/b5"
# b6 builds on b5, which the store lacks: unknown parent either way.
expect_exit 1 pot-verify-block --db "$T/s.db" --now $((G0 + 10000)) "$T/b6"
expect_grep "unknown-parent" "$T/err"
expect_exit 2 pot-verify-block --db "$T/s.db" --genesis "$T/genesis" "$T/b5"
expect_exit 2 pot-verify-block "$T/b5"
expect_exit 4 pot-verify-block --db "$T/none.db" "$T/b5"
expect_no_file "$T/none.db"
expect_one_line_error pot-verify-block
# A new store needs the genesis; another genesis is refused.
expect_exit 2 pot-chaind import --db "$T/new.db" "$T/b1"
cp "$T/genesis" "$T/genesis2"; printf 'x' >>"$T/genesis2"
expect_exit 4 pot-chaind import --db "$T/s.db" --genesis "$T/genesis2" "$T/b1"
expect_one_line_error pot-chaind
# An orphan (parent unknown) and a tampered block are invalid with their reason code.
expect_exit 1 pot-chaind import --db "$T/o.db" --genesis "$T/genesis" "$T/b3"
expect_grep "unknown-parent" "$T/err"
cp "$T/b2" "$T/bad"; /usr/bin/python3 -c 'import sys; p = sys.argv[1]; d = bytearray(open(p, "rb").read()); d[-1] ^= 1; open(p, "wb").write(d)' "$T/bad"
expect_exit 1 pot-chaind import --db "$T/o.db" --genesis "$T/genesis" "$T/b1" "$T/bad"
expect_grep "bad-block-sig\|signature" "$T/err"
head -c 500 /dev/urandom >"$T/junk"
expect_exit 3 pot-chaind import --db "$T/o.db" "$T/junk"
expect_one_line_error pot-chaind

# --- the daemon: competing blocks at height 2, then a reorganisation.
start_chaind a
A="$(chaind_ep a)"
expect_exit 0 pot-chaind query --connect "$A" tip
expect_grep '"height": 0' "$T/out"
expect_exit 0 pot-chaind query --connect "$A" submit "$T/b1"
expect_exit 0 pot-chaind query --connect "$A" submit "$T/b2alt"
expect_exit 0 pot-chaind query --connect "$A" submit "$T/b2"
# Equal trust: the lower block id wins (DESIGN 5.7).
LOW="$(printf '%s\n%s\n' "$(id_of "$T/b2")" "$(id_of "$T/b2alt")" | sort | head -1)"
[ "$(tip_of a id)" = "$LOW" ] && pass || fail "tie went to $(tip_of a id), want $LOW"
expect_exit 0 pot-chaind query --connect "$A" submit "$T/b3"
expect_grep '"status": "tip"' "$T/out"
[ "$(tip_of a id)" = "$(id_of "$T/b3")" ] && pass || fail "b3 did not become the tip"
[ "$(tip_of a height)" = 3 ] && pass || fail "height $(tip_of a height)"
# The ledger after the reorganisation equals a straight import of b1 b2 b3.
pot-chaind import --db "$T/straight.db" --genesis "$T/genesis" "$T/b1" "$T/b2" "$T/b3" || fail "straight import"
start_chaind straight --quiet
for i in 1 2 3 4; do
  addr="$(pot-keygen --show "$T/n$i.pem")"
  pot-chaind query --connect "$A" account "$addr" >"$T/acc-a"
  pot-chaind query --connect "$(chaind_ep straight)" account "$addr" >"$T/acc-s"
  cmp -s "$T/acc-a" "$T/acc-s" && pass || fail "account n$i differs: $(cat "$T/acc-a") vs $(cat "$T/acc-s")"
done
expect_exit 0 pot-chaind query --connect "$A" model "$(cat "$T/dummy.id")"
expect_grep '"lastStage": 3' "$T/out"
expect_exit 0 pot-chaind query --connect "$A" models
expect_grep "$(cat "$T/dummy.id")" "$T/out"
expect_exit 0 pot-chaind query --connect "$A" submit "$T/b4"
expect_exit 0 pot-chaind query --connect "$A" block-at 2 -o "$T/q2"
cmp -s "$T/q2" "$T/b2" && pass || fail "block-at 2 is not b2"
expect_exit 0 pot-chaind query --connect "$A" block "$(id_of "$T/b2alt")" -o "$T/qalt"
cmp -s "$T/qalt" "$T/b2alt" && pass || fail "side block not served by id"
expect_exit 0 pot-chaind query --connect "$A" range 1 10 -o "$T/range"
cat "$T/b1" "$T/b2" "$T/b3" "$T/b4" | cmp -s - "$T/range" && pass || fail "range is not b1..b4"
expect_exit 1 pot-chaind query --connect "$A" block-at 9 -o "$T/none"
expect_no_file "$T/none"

# --- bad input to the daemon: refused, nothing changes, it keeps serving,
# and the client that sent it is dropped and refused for a while. Bad
# clients connect from other loopback addresses (127.0.0.x), so the honest
# ones on 127.0.0.1 are not caught by their bans.
from() { echo "tcp://$1:0;${A#tcp://}"; }
expect_exit 3 pot-chaind query --connect "$(from 127.0.0.2)" submit "$T/junk"
expect_exit 1 pot-chaind query --connect "$(from 127.0.0.3)" submit "$T/bad"
expect_grep "bad-block-sig" "$T/err"
expect_exit 3 pot-chaind query --connect "$(from 127.0.0.4)" frobnicate
for ip in 127.0.0.2 127.0.0.3 127.0.0.4; do
  expect_exit 4 pot-chaind query --connect "$(from $ip)" tip --timeout-ms 1000
done
# Negative answers and honest races are not misbehaviour: an unknown
# height, and a block whose parent this node lacks.
expect_exit 1 pot-chaind query --connect "$(from 127.0.0.5)" block-at 99
expect_exit 1 pot-chaind query --connect "$(from 127.0.0.5)" submit "$T/b6"
expect_grep "unknown-parent" "$T/err"
expect_exit 0 pot-chaind query --connect "$(from 127.0.0.5)" tip
expect_exit 2 pot-chaind query --connect "$A" account nothex
expect_exit 2 pot-chaind query --connect "$A" range 0 5
# The node's own tools (127.0.0.1, trusted by default) are never banned: a
# bad request costs them an error and nothing more.
expect_exit 3 pot-chaind query --connect "$A" frobnicate
expect_exit 0 pot-chaind query --connect "$A" tip
# With --trust none, 127.0.0.1 is banned like any address, until the ban ends.
start_chaind strict --quiet --trust none --ban-seconds 2
expect_exit 3 pot-chaind query --connect "$(chaind_ep strict)" frobnicate
expect_exit 4 pot-chaind query --connect "$(chaind_ep strict)" tip --timeout-ms 500
sleep 2
expect_exit 0 pot-chaind query --connect "$(chaind_ep strict)" tip
# Over ipc the client is a local user: never banned either.
kill -TERM "${PIDS[-1]}"; wait "${PIDS[-1]}"; unset 'PIDS[-1]'
pot-chaind run --db "$T/strict.db" --bind "ipc://$T/c.ipc" --endpoint-file "$T/ipc.ep" --trust none \
  --quiet 2>>"$T/ipc.log" &
PIDS+=($!)
wait_file "$T/ipc.ep"
expect_exit 3 pot-chaind query --connect "ipc://$T/c.ipc" frobnicate
expect_exit 0 pot-chaind query --connect "ipc://$T/c.ipc" tip
PORT="${A##*:}"
( exec 3<>"/dev/tcp/127.0.0.1/$PORT" && head -c 4096 /dev/urandom >&3 && sleep 0.2 ) 2>/dev/null
[ "$(tip_of a height)" = 4 ] && pass || fail "garbage changed the tip"

expect_exit 0 pot-chaind query --connect "$A" submit "$T/b5"
expect_exit 0 pot-chaind query --connect "$A" submit "$T/b6"
[ "$(tip_of a height)" = 6 ] && pass || fail "a is at $(tip_of a height)"

# --- status: height, tip and its age, bans, pending, an account's stake and
# rewards (n1 built every header here), as JSON and as lines.
expect_exit 0 pot-chaind query --connect "$A" status --json --key "$T/n1.pem"
expect_grep '"height": 6' "$T/out"
expect_grep "\"tip\": \"$(id_of "$T/b6")\"" "$T/out"
expect_grep '"syncing": false' "$T/out"
expect_grep '"127.0.0.2"' "$T/out"
expect_grep '"pending": 0' "$T/out"
expect_grep "\"address\": \"$(pot-keygen --show "$T/n1.pem")\"" "$T/out"
expect_exit 0 pot-chaind query --connect "$A" status "$(pot-keygen --show "$T/n1.pem")"
expect_grep '^height 6$' "$T/out"
expect_grep '^syncing: no$' "$T/out"
expect_grep '^banned 127.0.0.3$' "$T/out"
[ "$(grep -c '^made height [1-6] block [0-9a-f]* header reward [1-9][0-9]*$' "$T/out")" = 6 ] && pass \
  || fail "want 6 headers with rewards: $(cat "$T/out")"
expect_grep "^made height 6 block $(id_of "$T/b6") header reward" "$T/out"
expect_grep '^made 6 headers (reward [1-9][0-9]*), ' "$T/out"
# The same from the work index as JSON: amounts as decimal strings (they can
# pass 2^53), counts as numbers; the totals match the balance's growth.
expect_exit 0 pot-chaind query --connect "$A" status --json "$T/n1.pem"
expect_grep '"balance": "[0-9]*"' "$T/out"
expect_grep '"made": {"header": {"count": 6, "reward": "[1-9][0-9]*"}' "$T/out"
[ "$(grep -o '"recent": \[[^]]*\]' "$T/out" | grep -o '"role": "header"' | wc -l)" = 6 ] && pass \
  || fail "want 6 recent headers: $(cat "$T/out")"
# The gossip endpoints are shown to this machine's clients only: a remote
# client (127.0.0.2, not trusted) sees neither.
start_chaind g --quiet --gossip-control 'tcp://127.0.0.1:9'
G="$(chaind_ep g)"
expect_exit 0 pot-chaind query --connect "$G" status --json
expect_grep '"gossipControl": "tcp://127.0.0.1:9"' "$T/out"
expect_exit 0 pot-chaind query --connect "tcp://127.0.0.2:0;${G#tcp://}" status --json
expect_grep '"gossipControl": ""' "$T/out"
expect_exit 0 pot-chaind query --connect "tcp://127.0.0.2:0;${G#tcp://}" status "$T/n1.pem"
expect_grep '^made 0 headers (reward 0), ' "$T/out"
# An account given as a key file, like pot-tx --to.
expect_exit 0 pot-chaind query --connect "$A" account "$T/n2.pem"
expect_grep "\"address\": \"$(pot-keygen --show "$T/n2.pem")\"" "$T/out"
expect_exit 2 pot-chaind query --connect "$A" status "$T/nokey.pem"
expect_exit 2 pot-chaind query --connect "$A" tip --key "$T/n1.pem"
# A mistyped verb: the server refuses it, the client names the verb meant.
expect_exit 3 pot-chaind query --connect "$A" stauts
expect_grep "^pot-chaind: error: unknown query 'stauts'; did you mean 'status'?$" "$T/err"
# Log lines carry a UTC timestamp, a level and the height.
grep -Eq '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z warn pot-chaind height=[0-9]+: dropped client 127\.0\.0\.2' "$T/a.log" \
  && pass || fail "log lines: $(head -3 "$T/a.log")"

# The request names its repositories (DESIGN 5.8): pot-inspect shows them,
# query model lists them, query repos prints them one a line for pot-node.
DUMMY="$(cat "$T/dummy.id")"
expect_exit 0 pot-inspect "$T/dummy/request"
expect_grep '"repoEndpoints": \["tcp://127.0.0.1:32001", "tcp://10.0.0.2:7001"\]' "$T/out"
expect_exit 0 pot-chaind query --connect "$A" model "$DUMMY"
expect_grep '"repoEndpoints": \["tcp://127.0.0.1:32001", "tcp://10.0.0.2:7001"\]' "$T/out"
expect_exit 0 pot-chaind query --connect "$A" repos "$DUMMY"
[ "$(cat "$T/out")" = "$(printf 'tcp://127.0.0.1:32001\ntcp://10.0.0.2:7001')" ] && pass \
  || fail "repos printed: $(cat "$T/out")"
expect_exit 1 pot-chaind query --connect "$A" repos "$(hex_of no-model)"
# pot-partition refuses an endpoint nodes could not dial, and more than 16
# (before reading any data).
expect_exit 2 pot-partition -q -k "$T/emp.pem" -o "$T/bad-ep" --repo-endpoint 'http://x:1'
expect_grep "repo-endpoint" "$T/err"
many=(); for i in $(seq 17); do many+=(--repo-endpoint "tcp://127.0.0.1:$((32100 + i))"); done
expect_exit 2 pot-partition -q -k "$T/emp.pem" -o "$T/bad-ep" "${many[@]}"
expect_no_file "$T/bad-ep"

# The stage index: states on the best chain, and pot-repo asking it before storing an upload.
expect_exit 0 pot-chaind query --connect "$A" state "$(hex_of state-3)"
expect_grep '"stage": 3' "$T/out"
expect_exit 0 pot-chaind query --connect "$A" state "$S6"
expect_grep "\"block\": \"$(id_of "$T/b6")\"" "$T/out"
expect_exit 1 pot-chaind query --connect "$A" state "$(hex_of nowhere)"
mkdir -p "$T/repo/objects"; cp "$T/dummy/request" "$T/repo/request"
pot-repo serve "$T/repo" --chaind "$A" --endpoint-file "$T/repo.ep" 2>"$T/repo.log" &
PIDS+=($!)
wait_file "$T/repo.ep"
# pot-repo and pot-gossip log the height their pot-chaind reports (gossip
# through chaind's endpoint file, which may appear after it starts).
expect_grep '^[0-9T:.-]*Z info pot-repo height=6: serving on ' "$T/repo.log"
pot-gossip run --bind 'tcp://127.0.0.1:*' --endpoint-file "$T/gq.ep" --chaind-file "$T/a.ep" 2>"$T/gq.log" &
PIDS+=($!)
wait_file "$T/gq.ep"
expect_grep '^[0-9T:.-]*Z info pot-gossip height=6: listening' "$T/gq.log"
pot-inspect --from-json -o "$T/s7.msg" <<<'{"modelState": {"architecture": "mlp:784-16-10", "stage": 7}}'
expect_exit 1 pot-repo put --connect "$(cat "$T/repo.ep")" "$T/s7.msg"
expect_grep "not on chain" "$T/err"
expect_exit 0 pot-repo put --connect "$(cat "$T/repo.ep")" "$T/s6.msg"
cmp -s "$T/repo/objects/$S6" "$T/s6.msg" && pass || fail "on-chain state not stored"

# An oversized submit to a daemon with a small cap: ZeroMQ drops it, the daemon lives on.
start_chaind small --quiet --max-message-bytes 65536
head -c 200000 /dev/urandom >"$T/huge"
expect_exit 4 pot-chaind query --connect "$(chaind_ep small)" submit "$T/huge" --timeout-ms 1000
expect_exit 0 pot-chaind query --connect "$(chaind_ep small)" submit "$T/b1"
[ "$(tip_of small height)" = 1 ] && pass || fail "small daemon did not import after the oversized message"

# --- a late node syncs to the same tip.
start_chaind late --quiet --sync-from "$A" --export-dir "$T/late-chain"
wait_for same_tip late a && pass || fail "late node at $(tip_of late height)"
wait_for test -e "$T/late-chain/000006.block" && diff -r "$T/late-chain" "$T/chain" >/dev/null \
  && pass || fail "late node's export differs"
expect_exit 0 pot-chaind query --connect "$(chaind_ep late)" status --json
expect_grep "\"endpoint\": \"$A\", \"answered\": true, \"dropped\": false, \"tip\": \"$(id_of "$T/b6")\", \"height\": 6, \"tipKnown\": true" "$T/out"
expect_grep '"syncing": false, "behind": 0' "$T/out"

# --- kill -9 in the middle of importing, three times at different moments:
# the store reopens consistent (a prefix of the chain) and catches up.
for delay in 0.03 0.07 0.11; do
  rm -rf "$T/k.db"
  pot-chaind import --db "$T/k.db" --genesis "$T/genesis" "$T"/b[1-6] 2>/dev/null &
  KP=$!
  sleep "$delay"; kill -9 "$KP" 2>/dev/null; wait "$KP" 2>/dev/null
  if [ -d "$T/k.db" ]; then
    pot-chaind export --db "$T/k.db" -o "$T/k-chain" 2>"$T/k.err"
    rc=$?
    # Killed before the first commit the store holds no chain yet (exit 4); after it, a prefix.
    if [ "$rc" -eq 0 ]; then
      # A prefix: heights 1..n with no gap, each block the chain's own.
      n=$(ls "$T/k-chain" | grep -c '\.block$')
      for h in $(seq 1 "$n"); do
        f="$(printf %06d "$h").block"
        cmp -s "$T/k-chain/$f" "$T/chain/$f" || fail "killed store: height $h of $n missing or differs"
      done
      pass
    else
      grep -q "no chain yet\|has no schema\|has no database" "$T/k.err" && pass || fail "killed store unreadable: $(cat "$T/k.err")"
    fi
    rm -rf "$T/k-chain"
  fi
  start_chaind k --quiet --sync-from "$A"
  wait_for same_tip k a && pass || fail "restarted node did not catch up (delay $delay)"
  kill "${PIDS[-1]}"; wait "${PIDS[-1]}"; unset 'PIDS[-1]'
done

# --- SIGTERM: clean exit, endpoint file removed.
kill -TERM "${PIDS[0]}"; wait "${PIDS[0]}"; rc=$?
[ "$rc" -eq 0 ] && pass || fail "chaind exit $rc on SIGTERM"
[ -e "$T/a.ep" ] && fail "endpoint file left" || pass
finish
