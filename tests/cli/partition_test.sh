#!/usr/bin/env bash
# pot-partition's figures: Delta from a genesis file's T and reference speed (and
# explicit options), the repository layout, and C checked against the chain's bounds.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/train_lib.sh"
employer_key

expect_exit 0 pot-genesis -o "$T/genesis" --alloc "$(pot-keygen --show "$T/emp.pem")=1000" \
  --timestamp 1700000000 --target-spacing 10 --reference-speed 60979200 --min-declarers 2 --max-declarers 5
# Delta = 10 s x 60979200 FLOP/s / tau (6 x 101632 = 609792) = 1000 -> 992 (31 x 32).
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/repo" --genesis "$T/genesis" -C 3 --limit 3100 -b 32 --json
expect_grep '"flopsPerSample": 609792' "$T/out"
expect_grep '"samplesPerStage": 992' "$T/out"
expect_grep '"stages": 4' "$T/out"  # 3100 -> 3072 usable (a multiple of b): 3 x 992 + 96
expect_grep '"samplesPerEpoch": 3072' "$T/out"
model="$(json_field modelId "$T/out")"
# The repository: objects named by their hash, request = its object, model id = pot-inspect --id.
for f in "$T/repo/objects/"*; do
  [ "$(sha256sum <"$f" | cut -d' ' -f1)" = "$(basename "$f")" ] && pass || fail "object $f is misnamed"
done
cmp -s "$T/repo/request" "$T/repo/objects/$(sha256sum <"$T/repo/request" | cut -d' ' -f1)" && pass ||
  fail "request is not stored as an object"
[ "$(pot-inspect --id "$T/repo/request")" = "$model" ] && pass || fail "model id differs from pot-inspect --id"
[ "$(ls "$T/repo/objects" | wc -l)" = 6 ] && pass || fail "expected 6 objects (4 batches, S_0, request)"
# An explicit option wins over the genesis figure; twice the blocks: twice the stage.
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/repo2" --genesis "$T/genesis" -C 3 --limit 3000 \
  -b 32 --blocks-24h 17280 --json
expect_grep '"samplesPerStage": 2016' "$T/out"
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/repo3" --genesis "$T/genesis" -C 3 --limit 3000 \
  -b 32 --target-spacing 20 --json
expect_grep '"samplesPerStage": 2016' "$T/out"
# C outside the chain's [2, 5]: usage (2), nothing written.
expect_exit 2 pot-partition -q -k "$T/emp.pem" -o "$T/repo4" --genesis "$T/genesis" -C 9 --limit 3000
expect_error_line pot-partition
expect_grep "C = 9 is outside the chain's \[2, 5\]" "$T/err"
expect_no_file "$T/repo4"
# The same inputs give the same repository (S_0 and batches are deterministic).
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/again" --genesis "$T/genesis" -C 3 --limit 3000 -b 32 \
  --created-at 5
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/again2" --genesis "$T/genesis" -C 3 --limit 3000 -b 32 \
  --created-at 5
diff <(ls "$T/again/objects") <(ls "$T/again2/objects") >/dev/null && pass || fail "partition is not deterministic"
# An existing request is never overwritten.
expect_exit 4 pot-partition -q -k "$T/emp.pem" -o "$T/again" --limit 100 -b 32 --samples-per-stage 64
expect_grep "refusing to overwrite" "$T/err"
finish
