#!/usr/bin/env bash
# pot-node's own failures and its status, without training (about 10 s):
# a bad --key or --genesis is named by pot-node with exit 3 (malformed) or 4
# (unreadable) before anything starts; a mistyped option gets a hint (exit
# 2); a node whose key holds no coins says so on its log at once; every log
# line carries a UTC time, a level and the height; `pot-node status HOME`
# answers in lines and as JSON (height, tip, syncing, peers, pending, the
# key's balance, what it trains, its declarations, headers and blocks).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/node_lib.sh"
pot-keygen -o "$T/rich.pem" >/dev/null
pot-keygen -o "$T/node1.pem" >/dev/null  # holds nothing
pot-genesis -o "$T/genesis" --alloc "$T/rich.pem=1000" >/dev/null || fail "genesis"
echo 'tcp://127.0.0.1:31599' >"$T/repos"
run_node() { "$NODE" --home "$T/bad" --repo-file "$T/repos" --bin "$POT_TOOL_DIR" "$@"; }

# Bad key and genesis: pot-node's own one line, the checking tool's code, no daemon.
expect_exit 4 run_node --key "$T/missing.pem" --genesis "$T/genesis"
expect_one_line_error pot-node
expect_grep "key '$T/missing.pem'" "$T/err"
printf 'not a key\n' >"$T/garbage.pem"
expect_exit 3 run_node --key "$T/garbage.pem" --genesis "$T/genesis"
expect_one_line_error pot-node
expect_exit 4 run_node --key "$T/rich.pem" --genesis "$T/missing-genesis"
expect_one_line_error pot-node
expect_grep "genesis '$T/missing-genesis'" "$T/err"
head -c 100 /dev/urandom >"$T/garbage-genesis"
expect_exit 3 run_node --key "$T/rich.pem" --genesis "$T/garbage-genesis"
expect_one_line_error pot-node
# A well-formed message of another kind is not a genesis either.
expect_exit 3 run_node --key "$T/rich.pem" --genesis "$T/rich.pem"
expect_one_line_error pot-node
[ -e "$T/bad/db" ] && fail "a daemon started for a bad genesis" || pass
# A store made with another genesis: chaind refuses it; pot-node names it, exit 4, at once.
pot-genesis -o "$T/genesis2" --alloc "$T/node1.pem=5" >/dev/null
start=$SECONDS
"$NODE" --home "$T/other" --key "$T/rich.pem" --genesis "$T/genesis" --repo-file "$T/repos" \
  --bin "$POT_TOOL_DIR" --quiet 2>"$T/other.log" &
pid=$!
wait_file "$T/other/endpoints"
kill -TERM "$pid"; wait "$pid"
expect_exit 4 "$NODE" --home "$T/other" --key "$T/rich.pem" --genesis "$T/genesis2" --repo-file "$T/repos" --bin "$POT_TOOL_DIR"
expect_grep "error pot-node height=.*pot-chaind stopped at start" "$T/err"
[ $((SECONDS - start)) -lt 20 ] && pass || fail "a refused genesis took $((SECONDS - start)) s"

# pot-json, which the shell tools read with: the hint (nearest) and nested members.
expect_exit 0 pot-json nearest -- --hme --home --key
[ "$(cat "$T/out")" = --home ] && pass || fail "nearest: $(cat "$T/out")"
expect_exit 1 pot-json nearest -- --zzzzzz --home --key
echo '{"a": {"b": {"c": 7}}, "a.x": "top", "d": 1}' >"$T/nested.json"
expect_exit 0 pot-json get -i "$T/nested.json" a.b.c a.x d
[ "$(tr '\n' ' ' <"$T/out")" = "7 top 1 " ] && pass || fail "dotted get: $(cat "$T/out")"
expect_exit 1 pot-json get -i "$T/nested.json" a.b.missing
expect_exit 1 pot-json get -i "$T/nested.json" a.b

# Usage errors: a hint for a mistyped option, exit 2.
expect_exit 2 "$NODE" --hme "$T/x" --bin "$POT_TOOL_DIR"
expect_one_line_error pot-node
expect_grep "unknown option '--hme'; did you mean '--home'?" "$T/err"
expect_exit 2 "$NODE" status "$T/x" --jsn --bin "$POT_TOOL_DIR"
expect_grep "did you mean '--json'?" "$T/err"
expect_exit 2 "$NODE" --home
expect_one_line_error pot-node
expect_exit 2 "$NODE" --home "$T/x" --bin "$POT_TOOL_DIR"
expect_one_line_error pot-node
expect_exit 4 "$NODE" status "$T" --bin "$POT_TOOL_DIR"
expect_one_line_error pot-node

# A node whose key holds no coins says so on its log at once.
start_node 1 --peer tcp://127.0.0.1:31598
for _ in $(seq 50); do grep -q "holds no coins" "$T/node1.log" && break; sleep 0.1; done
expect_grep "warn pot-node height=0: key .* holds no coins on this chain" "$T/node1.log"
# Every pot-node line: ISO 8601 UTC with milliseconds, a level, the height.
sleep 1
bad="$(grep -v -E '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{3}Z (debug|info|warn|error) pot-node height=[0-9?]+: ' "$T/node1.log")"
[ -z "$bad" ] && pass || fail "log lines not in the format: $bad"
[ "$(grep -c . "$T/node1.log")" -ge 2 ] && pass || fail "log: $(cat "$T/node1.log")"
# The daemons log into HOME, in the same format.
expect_grep "info pot-chaind height=0: serving" "$T/n1/chaind.log"

# Status, lines and JSON.
expect_exit 0 "$NODE" status "$T/n1" --bin "$POT_TOOL_DIR"
cp "$T/out" "$T/status.txt"
ME="$(pot-keygen --show "$T/node1.pem")"
expect_grep "^node $ME (running, pid " "$T/status.txt"
expect_grep "^height 0" "$T/status.txt"
expect_grep "^tip " "$T/status.txt"
expect_grep "^syncing: no" "$T/status.txt"
expect_grep "^pending transactions 0" "$T/status.txt"
expect_grep "^balance 0" "$T/status.txt"
expect_grep "^peer tcp://127.0.0.1:31598" "$T/status.txt"
expect_grep "^gossip peers " "$T/status.txt"
expect_grep "^training nothing" "$T/status.txt"
expect_grep "^declarations 0, headers 0, blocks 0" "$T/status.txt"
expect_exit 0 "$NODE" status --json "$T/n1" --bin "$POT_TOOL_DIR"
/usr/bin/python3 - "$T/out" "$ME" <<'PY' && pass || fail "status --json: $(cat "$T/out")"
import json, sys
s = json.load(open(sys.argv[1]))
assert s["address"] == sys.argv[2] and s["running"] is True
c = s["chain"]
assert c["height"] == 0 and len(c["tip"]) == 64 and c["syncing"] is False and c["pending"] == 0
assert c["account"]["address"] == sys.argv[2] and c["account"]["balance"] == "0"  # amounts are decimal strings
assert s["peers"] == ["tcp://127.0.0.1:31598"]
assert "outboundPeers" in s["gossip"]
assert s["training"] is None
assert s["declarations"] == [] and s["headers"] == [] and s["blocks"] == []
PY
stop_all
# Stopped: status says so, from the records alone.
expect_exit 0 "$NODE" status "$T/n1" --bin "$POT_TOOL_DIR"
expect_grep "(not running)" "$T/out"
expect_exit 0 "$NODE" status --json "$T/n1" --bin "$POT_TOOL_DIR"
/usr/bin/python3 -c "import json,sys; s=json.load(open('$T/out')); assert s['running'] is False and s['chain'] is None" && pass ||
  fail "stopped status: $(cat "$T/out")"
finish
