#!/usr/bin/env bash
# pot-verify-block through the binary: a valid block, reject codes reachable with
# the tools alone, and the exit codes of invalid (1), malformed (3) and error (4).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/consensus_lib.sh"
make_chain
make_block 1 $((G0 + 100)) "$T/b1"
[ -s "$T/b1" ] && pass || fail "no block made"

expect_exit 0 pot-verify-block "${GEN[@]}" --now $((G0 + 100)) "$T/b1"
expect_grep "^valid $(pot-inspect --id "$T/b1")\$" "$T/out"
expect_exit 0 pot-verify-block "${GEN[@]}" --now $((G0 + 100)) --json - <"$T/b1"
expect_grep '^{"valid": true, "code": "", "message": ""' "$T/out"
# ... and what was checked: height, model, stage, not re-executed.
expect_grep "\"height\": 1, \"model\": \"$DUMMY\", \"stage\": 1, \"reexecuted\": false}" "$T/out"
expect_exit 0 pot-verify-block "${GEN[@]}" --now $((G0 + 100)) -q "$T/b1"
[ ! -s "$T/out" ] && pass || fail "--quiet printed something"

# A clock behind the header by more than maxDrift (15 s): time-too-new.
pot-inspect --full "$T/b1" >"$T/b1.json"
TS="$(json_get "$T/b1.json" 'm["block"]["body"]["header"]["body"]["timestamp"]')"
expect_exit 1 pot-verify-block "${GEN[@]}" --now $((TS - 16)) --json "$T/b1"
expect_grep '"code": "time-too-new"' "$T/out"
expect_grep '^pot-verify-block: invalid: time-too-new: ' "$T/err"
expect_exit 0 pot-verify-block "${GEN[@]}" --now $((TS - 15)) "$T/b1"

# Signatures, each layer broken through JSON.
check_code() {  # check_code CODE EXIT FILE
  expect_exit "$2" pot-verify-block "${GEN[@]}" --now $((G0 + 100)) --json "$3"
  expect_grep "\"code\": \"$1\"" "$T/out"
  expect_grep "^pot-verify-block: [a-z]*: $1: " "$T/err"
  [ "$(wc -l <"$T/err")" -eq 1 ] && pass || fail "more than one stderr line for $1"
}
flip='lambda h: ("0" if h[0] != "0" else "1") + h[1:]'
edit_json "$T/b1" "$T/bad-block-sig" "f=$flip; b=m['block']; b['signature']=f(b['signature'])"
check_code bad-block-sig 1 "$T/bad-block-sig"
edit_json "$T/b1" "$T/bad-td-sig" "f=$flip; t=m['block']['body']['declarations'][1]; t['signature']=f(t['signature'])"
# Inner signatures are checked before the wrapper's, which covers them too.
check_code bad-td-sig 1 "$T/bad-td-sig"
edit_json "$T/b1" "$T/bad-coinbase" "m['block']['body']['coinbase'][0]['amount'] = str(int(m['block']['body']['coinbase'][0]['amount']) + 1)"
check_code bad-block-sig 1 "$T/bad-coinbase"

# Stage 2 on top of block 1 is valid there, and has an unknown parent without it.
mkdir -p "$T/chain2" && cp "$T/b1" "$T/chain2/000001.block"
GEN=(--genesis "$T/genesis" --chain "$T/chain2")
make_block 2 $((G0 + 200)) "$T/b2"
expect_exit 0 pot-verify-block "${GEN[@]}" --now $((G0 + 200)) "$T/b2"
GEN=(--genesis "$T/genesis" --chain "$T/chain")
expect_exit 1 pot-verify-block "${GEN[@]}" --now $((G0 + 200)) --json "$T/b2"
expect_grep '"code": "unknown-parent"' "$T/out"
# Against another chain's genesis: unknown parent.
pot-genesis -o "$T/genesis2" --timestamp $((G0 + 1)) --alloc "$T/n1.pem=5" >/dev/null
expect_exit 1 pot-verify-block --genesis "$T/genesis2" --now $((G0 + 100)) --json "$T/b1"
expect_grep '"code": "unknown-parent"' "$T/out"

# Malformed input: exit 3 with a code.
/usr/bin/python3 -c '
import sys
b = bytearray(open(sys.argv[1], "rb").read()) + bytes(8)
words = (len(b) - 8) // 8
b[4:8] = words.to_bytes(4, "little")
open(sys.argv[2], "wb").write(b)' "$T/b1" "$T/noncanon"
check_code non-canonical 3 "$T/noncanon"
head -c 200 /dev/urandom >"$T/junk"
check_code malformed 3 "$T/junk"
check_code not-a-block 3 "$T/mb-header"

# Errors: exit 4, never "invalid".
expect_exit 4 pot-verify-block "${GEN[@]}" "$T/nonexistent"
expect_one_line_error pot-verify-block
expect_grep "cannot open '$T/nonexistent'" "$T/err"
expect_exit 4 pot-verify-block --genesis "$T/nonexistent" "$T/b1"
expect_one_line_error pot-verify-block
mkdir -p "$T/badchain" && cp "$T/junk" "$T/badchain/000001.block"
expect_exit 4 pot-verify-block --genesis "$T/genesis" --chain "$T/badchain" "$T/b1"
expect_grep "chain directory" "$T/err"
expect_exit 3 pot-verify-block --genesis "$T/b1" "$T/b1"
expect_grep "expected a genesis" "$T/err"

# Usage: exit 2.
expect_exit 2 pot-verify-block "$T/b1"
expect_exit 2 pot-verify-block "${GEN[@]}" --reexecute "$T/b1"
expect_grep "needs --repo" "$T/err"
finish
