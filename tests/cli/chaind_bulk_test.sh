#!/usr/bin/env bash
# pot-chaind import in bulk (several blocks a commit, signatures on all
# cores): kill -9 in the middle leaves a store that opens, whose tip is a
# block of the chain at a height no lower than the last block it printed
# (a gap-free prefix: every block below it is the chain's), and a second
# import completes it. The chain (1000 real blocks, C = 2, K = 3) is made
# with the consensus library by bench_bulk_import (about 15 s); the test
# itself takes a few seconds.
source "$(dirname "$0")/lib.sh"
MAKER="$POT_TOOL_DIR/../bench/net/bench_bulk_import"
[ -x "$MAKER" ] || { fail "no $MAKER (built with the benchmarks)"; finish; exit; }
N=1000
"$MAKER" make "$T/chain" "$N" 10 >/dev/null || { fail "making the chain"; finish; exit; }
mapfile -t FILES < <(ls "$T"/chain/*.block)
[ "${#FILES[@]}" -eq "$N" ] && pass || fail "expected $N block files"

# The reference: the whole chain imported, one line per block (its id at each height).
expect_exit 0 pot-chaind import --json --db "$T/ref.db" --genesis "$T/chain/genesis" "${FILES[@]}"
cp "$T/out" "$T/ref.json"
[ "$(wc -l <"$T/ref.json")" -eq "$N" ] && pass || fail "reference import printed $(wc -l <"$T/ref.json") lines"
id_at() { sed -n "$1p" "$T/ref.json" | grep -o '"id": "[0-9a-f]*"' | cut -d'"' -f4; }

# Killed once the first batch is acknowledged (its lines printed).
killed=0
for attempt in 1 2 3; do
  rm -rf "$T/db" "$T/part.json"
  pot-chaind import --json --db "$T/db" --genesis "$T/chain/genesis" "${FILES[@]}" >"$T/part.json" &
  pid=$!
  until [ -s "$T/part.json" ] || ! kill -0 "$pid" 2>/dev/null; do sleep 0.01; done
  kill -9 "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  printed=$(grep -c '"status": "tip"' "$T/part.json")
  expect_exit 0 pot-chaind tip --db "$T/db"
  height=$(grep -o '"height": [0-9]*' "$T/out" | cut -d' ' -f2)
  tip=$(grep -o '"id": "[0-9a-f]*"' "$T/out" | cut -d'"' -f4)
  # Acknowledged blocks survived; the tip is the chain's block at its height.
  [ "${height:-0}" -ge "$printed" ] && pass || fail "tip $height below the $printed acknowledged blocks"
  [ "$tip" = "$(id_at "$height")" ] && pass || fail "tip at $height is not the chain's block"
  if [ "$height" -gt 0 ] && [ "$height" -lt "$N" ]; then killed=1; break; fi
done
[ "$killed" -eq 1 ] && pass || fail "no kill landed in the middle of the import in 3 attempts"

# A second import completes it: the stored prefix is "known", the rest extends the tip.
expect_exit 0 pot-chaind import --json --db "$T/db" "${FILES[@]}"
[ "$(grep -c '"status": "known"' "$T/out")" -eq "$height" ] && pass || fail "known blocks"
[ "$(grep -c '"status": "tip"' "$T/out")" -eq $((N - height)) ] && pass || fail "new blocks"
expect_exit 0 pot-chaind tip --db "$T/db"
expect_grep "\"id\": \"$(id_at "$N")\"" "$T/out"
expect_grep "\"height\": $N" "$T/out"

# A bad block in the middle of the files: the blocks before it stay stored
# (printed), the same refusal as one by one, nothing after it.
head -c 200 "${FILES[0]}" >"$T/broken.block"
expect_exit 3 pot-chaind import --json --db "$T/bad.db" --genesis "$T/chain/genesis" \
  "${FILES[@]:0:100}" "$T/broken.block" "${FILES[@]:100:50}"
expect_one_line_error pot-chaind
expect_grep "'$T/broken.block'" "$T/err"
[ "$(wc -l <"$T/out")" -eq 100 ] && pass || fail "expected 100 blocks stored before the bad one"
expect_exit 0 pot-chaind tip --db "$T/bad.db"
expect_grep '"height": 100' "$T/out"
finish
