#!/usr/bin/env bash
# pot-repo: a real server on a free loopback port; get/put with hashes checked
# both ways; garbage, oversized and off-chain uploads refused without harm;
# a client that sent garbage dropped and refused for a while.
source "$(dirname "$0")/lib.sh"
expect_one_line_invalid() {
  if [ "$(wc -l <"$T/err")" -ne 1 ] || ! grep -q "^$1: invalid: " "$T/err"; then
    fail "expected one '$1: invalid:' line, got: $(cat "$T/err")"; else pass; fi
}
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; rm -rf "$T"; }
trap cleanup EXIT

# wait_file FILE: the server writes its endpoint file once listening.
wait_file() { for _ in $(seq 100); do [ -s "$1" ] && return 0; sleep 0.1; done; fail "no $1"; return 1; }

state_json() { echo "{\"modelState\": {\"architecture\": \"mlp:4-2\", \"stage\": $1, \"parameters\": [{\"name\": \"w\", \"dtype\": \"float32\", \"shape\": [2], \"data\": \"0000803f00000040\"}]}}"; }
mkdir -p "$T/repo/objects"
for i in 0 1 2 3; do state_json $i >"$T/s$i.json"; pot-inspect --from-json "$T/s$i.json" -o "$T/s$i.msg" || fail "from-json $i"; done
H0="$(sha256sum <"$T/s0.msg" | cut -c1-64)"
H1="$(sha256sum <"$T/s1.msg" | cut -c1-64)"
H2="$(sha256sum <"$T/s2.msg" | cut -c1-64)"
cp "$T/s0.msg" "$T/repo/objects/$H0"
# An unsigned request: served as stored, refused by the client's signature check.
pot-inspect --from-json <<<'{"trainingRequest": {"body": {"seed": 1}, "signature": ""}}' -o "$T/repo/request" || fail "request"
: >"$T/allow"

pot-repo serve "$T/repo" --bind 'tcp://127.0.0.1:*' --endpoint-file "$T/ep" \
  --allow-state-hashes "$T/allow" --max-object-bytes 4096 2>"$T/server.err" &
PIDS+=($!)
wait_file "$T/ep"
EP="$(cat "$T/ep")"
[[ "$EP" =~ ^tcp://127\.0\.0\.1:[0-9]+$ ]] && pass || fail "endpoint '$EP'"

# get: bytes equal the stored object.
expect_exit 0 pot-repo get --connect "$EP" "$H0" -o "$T/got0"
cmp -s "$T/got0" "$T/s0.msg" && pass || fail "get returned other bytes"
# get of an unknown object: a negative answer (1), no output file.
expect_exit 1 pot-repo get --connect "$EP" "$H1" -o "$T/got1"
expect_one_line_invalid pot-repo
expect_no_file "$T/got1"
expect_exit 2 pot-repo get --connect "$EP" nothex -o "$T/x"
# the request is served; the client refuses its bad signature.
expect_exit 1 pot-repo get --connect "$EP" request -o "$T/req"
expect_grep "bad employer signature" "$T/err"
expect_no_file "$T/req"

# put: refused until the hash is on chain (the allow-list), then accepted.
expect_exit 1 pot-repo put --connect "$EP" "$T/s1.msg"
expect_grep "not on chain" "$T/err"
[ -e "$T/repo/objects/$H1" ] && fail "off-chain state was stored" || pass
echo "$H1" >>"$T/allow"
expect_exit 0 pot-repo put --connect "$EP" "$T/s1.msg"
[ "$(cat "$T/out")" = "$H1" ] && pass || fail "put printed '$(cat "$T/out")'"
cmp -s "$T/repo/objects/$H1" "$T/s1.msg" && pass || fail "stored bytes differ"
# Already stored: accepted again without the chain.
expect_exit 0 pot-repo put --connect "$EP" "$T/s0.msg" --json
expect_grep "\"hash\": \"$H0\"" "$T/out"

# Concurrent uploads of one state are harmless.
echo "$H2" >>"$T/allow"
CP=()
for k in 1 2 3 4 5 6; do pot-repo put --connect "$EP" "$T/s2.msg" >"$T/c$k" 2>&1 & CP+=($!); done
wait "${CP[@]}"
for k in 1 2 3 4 5 6; do [ "$(cat "$T/c$k")" = "$H2" ] && pass || fail "concurrent put $k: $(cat "$T/c$k")"; done
cmp -s "$T/repo/objects/$H2" "$T/s2.msg" && pass || fail "concurrent puts damaged the object"
[ "$(ls "$T/repo/objects" | wc -l)" = 3 ] && pass || fail "objects: $(ls "$T/repo/objects")"

# Garbage put: malformed (3), nothing stored, and the client is dropped:
# its address is refused for a while. It connects from 127.0.0.2 so that
# the honest clients on 127.0.0.1 are not caught by the ban.
from() { echo "tcp://$1:0;${EP#tcp://}"; }
head -c 200 /dev/urandom >"$T/junk"
echo "$(sha256sum <"$T/junk" | cut -c1-64)" >>"$T/allow"
expect_exit 3 pot-repo put --connect "$(from 127.0.0.2)" "$T/junk"
expect_one_line_error pot-repo
expect_exit 4 pot-repo get --connect "$(from 127.0.0.2)" "$H0" -o "$T/x" --timeout-ms 1000
expect_no_file "$T/x"
# An unknown request (pot-chaind's query client speaks the same framing) likewise.
expect_exit 3 pot-chaind query --connect "$(from 127.0.0.3)" frobnicate
expect_grep "unknown request" "$T/err"
expect_exit 4 pot-repo get --connect "$(from 127.0.0.3)" "$H0" -o "$T/x" --timeout-ms 1000
# A refused upload that is not garbage (not on chain yet) keeps the client.
expect_exit 1 pot-repo put --connect "$(from 127.0.0.4)" "$T/s3.msg"
expect_exit 0 pot-repo get --connect "$(from 127.0.0.4)" "$H0" -o "$T/got0b"
expect_grep "dropped client 127.0.0.2: object [0-9a-f]*: not a PoT message" "$T/server.err"
expect_grep "dropped client 127.0.0.3: unknown request" "$T/server.err"
# Log lines: UTC time, level, tool, height ("-": no --chaind to ask; cli.chaind shows one).
expect_grep "^[0-9]\{4\}-[0-9][0-9]-[0-9][0-9]T[0-9:]\{8\}\.[0-9]\{3\}Z warn pot-repo height=-: dropped client 127.0.0.3: unknown request" "$T/server.err"
expect_grep "^[0-9-]*T[0-9:.]*Z info pot-repo height=-: serving on tcp://127.0.0.1:" "$T/server.err"
# Oversized: ZeroMQ drops the connection at the server's cap; the client times out (4).
head -c 10000 /dev/zero >"$T/big"
expect_exit 4 pot-repo put --connect "$EP" "$T/big" --timeout-ms 1000
expect_one_line_error pot-repo
# Raw non-ZeroMQ garbage on the TCP port: the server drops it and keeps serving.
PORT="${EP##*:}"
( exec 3<>"/dev/tcp/127.0.0.1/$PORT" && head -c 4096 /dev/urandom >&3 && sleep 0.2 ) 2>/dev/null
[ "$(ls "$T/repo/objects" | wc -l)" = 3 ] && pass || fail "garbage changed the store"
kill -0 "${PIDS[0]}" && pass || fail "server died"
expect_exit 0 pot-repo get --connect "$EP" "$H1" -o "$T/got1b"
cmp -s "$T/got1b" "$T/s1.msg" && pass || fail "store damaged after garbage"

# A client never accepts bytes that do not hash to what it asked for.
cp "$T/s2.msg" "$T/repo/objects/$H1.new" && mv "$T/repo/objects/$H1.new" "$T/repo/objects/$H1"
expect_exit 4 pot-repo get --connect "$EP" "$H1" -o "$T/bad"
expect_grep "damaged" "$T/err"
expect_no_file "$T/bad"
# Nobody listening: a network error, not a hang.
expect_exit 4 pot-repo get --connect "tcp://127.0.0.1:1" "$H0" -o "$T/x" --timeout-ms 300
# serve on a folder that is not a repository.
expect_exit 4 pot-repo serve "$T/nope" --quiet
expect_one_line_error pot-repo

kill -TERM "${PIDS[0]}"; wait "${PIDS[0]}"; rc=$?
[ "$rc" -eq 0 ] && pass || fail "server exit $rc on SIGTERM"
[ -e "$T/ep" ] && fail "endpoint file left behind" || pass
PIDS=()
finish
