#!/usr/bin/env bash
# pot-keygen and pot-inspect: pipelines, and every kind of bad input gets a
# one-line error and the documented exit code, with no partial output.
source "$(dirname "$0")/lib.sh"

# --- keygen: a key pair, mode 0600, public key printed and reproducible.
expect_exit 0 pot-keygen -o "$T/node.key" --pub "$T/node.pub"
PUB="$(cat "$T/out")"
[[ "$PUB" =~ ^[0-9a-f]{64}$ ]] && pass || fail "public key is not 64 hex chars: $PUB"
[ "$(stat -c %a "$T/node.key")" = 600 ] && pass || fail "private key mode is $(stat -c %a "$T/node.key")"
expect_grep "BEGIN PRIVATE KEY" "$T/node.key"
expect_grep "BEGIN PUBLIC KEY" "$T/node.pub"
expect_exit 0 pot-keygen --show "$T/node.key"
[ "$(cat "$T/out")" = "$PUB" ] && pass || fail "--show gives another key"
expect_exit 0 pot-keygen --show "$T/node.key" --json
expect_grep "\"publicKey\": \"$PUB\"" "$T/out"
# OpenSSL agrees on the public key (a second implementation, not ours).
openssl pkey -in "$T/node.key" -pubout -outform DER 2>/dev/null | tail -c 32 | xxd -p -c 64 >"$T/ossl"
[ "$(cat "$T/ossl")" = "$PUB" ] && pass || fail "openssl derives $(cat "$T/ossl"), not $PUB"
# Never overwrites a key.
cp "$T/node.key" "$T/keep"
expect_exit 4 pot-keygen -o "$T/node.key"
expect_one_line_error pot-keygen
cmp -s "$T/node.key" "$T/keep" && pass || fail "existing key was changed"
# Usage errors.
expect_exit 2 pot-keygen
expect_exit 2 pot-keygen --bogus
expect_exit 0 pot-keygen --help
expect_exit 0 pot-keygen --version
expect_grep "pot-keygen 0" "$T/out"
# --show of a file that is not a private key.
expect_exit 3 pot-keygen --show "$T/node.pub"
expect_one_line_error pot-keygen

# --- inspect: JSON to message and back, IDs, kinds, streams.
cat >"$T/trace.json" <<'JSON'
{"lossTrace": {"modelId": "00112233", "stage": 7, "losses": [0.25, 1.5, 3]}}
JSON
expect_exit 0 pot-inspect --from-json "$T/trace.json" -o "$T/trace.msg"
expect_exit 0 pot-inspect "$T/trace.msg"
expect_grep '"stage": 7' "$T/out"
expect_exit 0 pot-inspect --id "$T/trace.msg"
[ "$(cat "$T/out")" = "$(sha256sum "$T/trace.msg" | cut -c1-64)" ] && pass || fail "ID of an unsigned object is not its file hash"
pot-inspect --full "$T/trace.msg" | pot-inspect --from-json | cmp -s - "$T/trace.msg" && pass || fail "JSON round trip changed bytes"
cat "$T/trace.msg" "$T/trace.msg" | pot-inspect --kind >"$T/kinds"
[ "$(grep -c "loss trace" "$T/kinds")" = 2 ] && pass || fail "stream of two messages: $(cat "$T/kinds")"
expect_exit 0 pot-inspect --expect loss-trace "$T/trace.msg"
# A message of the wrong kind.
expect_exit 3 pot-inspect --expect block "$T/trace.msg"
expect_one_line_error pot-inspect
expect_grep "expected a block, got a loss trace" "$T/err"
expect_exit 2 pot-inspect --expect nonsense "$T/trace.msg"

# A signed message: the ID is the hash of tag || canonical body, not of the file.
cat >"$T/tx.json" <<JSON
{"transaction": {"body": {"sender": "$PUB", "nonce": 1, "fee": 10,
  "transfer": {"to": "$PUB", "amount": 5}}, "signature": ""}}
JSON
expect_exit 0 pot-inspect --from-json "$T/tx.json" -o "$T/tx.msg"
expect_exit 0 pot-inspect --id "$T/tx.msg"
[ "$(cat "$T/out")" != "$(sha256sum "$T/tx.msg" | cut -c1-64)" ] && pass || fail "tx ID equals its file hash"

# --- bad inputs: one line on stderr, documented exit code, nothing written.
head -c 20 "$T/trace.msg" >"$T/truncated"
expect_exit 3 pot-inspect "$T/truncated"; expect_one_line_error pot-inspect
head -c 4096 /dev/urandom >"$T/random"
expect_exit 3 pot-inspect "$T/random"; expect_one_line_error pot-inspect
: >"$T/empty"
expect_exit 3 pot-inspect "$T/empty"; expect_one_line_error pot-inspect
expect_exit 4 pot-inspect "$T/missing"; expect_one_line_error pot-inspect
expect_grep "cannot open '$T/missing': No such file or directory" "$T/err"
expect_exit 4 pot-inspect "$T"; expect_one_line_error pot-inspect
expect_grep "Is a directory" "$T/err"
# Trailing garbage after a valid message.
cat "$T/trace.msg" >"$T/trailing"; printf 'x' >>"$T/trailing"
expect_exit 3 pot-inspect "$T/trailing"; expect_one_line_error pot-inspect
# A stream whose second message is cut short reports which one.
cat "$T/trace.msg" "$T/truncated" >"$T/stream"
pot-inspect --kind <"$T/stream" >"$T/out" 2>"$T/err"; rc=$?
[ "$rc" = 3 ] && pass || fail "truncated stream exit $rc"
expect_grep "message 2" "$T/err"
# Non-canonical encoding: the same content with one unreachable zero word
# appended to the segment (frame word count + 1). Every byte of content is
# valid; only canonical form is broken.
words=$(( ($(stat -c %s "$T/trace.msg") - 8) / 8 + 1 ))
{ printf '\x00\x00\x00\x00'; printf "$(printf '\\x%02x\\x%02x\\x%02x\\x%02x' $((words & 255)) $((words >> 8 & 255)) 0 0)";
  tail -c +9 "$T/trace.msg"; head -c 8 /dev/zero; } >"$T/noncanon"
expect_exit 3 pot-inspect "$T/noncanon"; expect_one_line_error pot-inspect
expect_grep "non-canonical" "$T/err"
# A corrupted JSON and a JSON with a summarised Data field are refused.
echo '{"lossTrace": {"stage": ' >"$T/bad.json"
expect_exit 3 pot-inspect --from-json "$T/bad.json" -o "$T/bad.msg"; expect_one_line_error pot-inspect
expect_no_file "$T/bad.msg"
echo '{"lossTrace": {"modelId": "<300 bytes, sha256 00>"}}' >"$T/summ.json"
expect_exit 3 pot-inspect --from-json "$T/summ.json" -o "$T/summ.msg"
expect_no_file "$T/summ.msg"
# A binary message is never written to a terminal (script gives us a tty).
if command -v script >/dev/null; then
  script -qec "$POT_TOOL_DIR/pot-inspect --from-json $T/trace.json" /dev/null >"$T/tty" 2>&1
  grep -q "refusing to write a binary message to a terminal" "$T/tty" && pass || fail "binary written to a tty: $(head -c 200 "$T/tty")"
fi

finish
