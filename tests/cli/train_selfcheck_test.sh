#!/usr/bin/env bash
# pot-train-stage --selfcheck reproduces the committed known-answer vectors under
# every profile, and reports a mismatch when a vector is wrong.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/train_lib.sh"
VECTORS="$POT_TESTDATA/train/selfcheck-vectors.txt"

for profile in portable x86-64-v3 portable-fast; do
  expect_exit 0 pot-train-stage --selfcheck --profile "$profile" --vectors "$VECTORS"
  [ "$(grep -c ' ok$' "$T/out")" = 3 ] && pass || fail "$profile: not 3 ok lines: $(cat "$T/out")"
done
expect_exit 0 pot-train-stage --selfcheck --vectors "$VECTORS" --json
expect_grep '"match": true' "$T/out"
# One flipped digit in a vector: exit 1, the case is named.
sed '/^x86-64-v3 lenet5-adam /s/^\(x86-64-v3 lenet5-adam \)./\1X/' "$VECTORS" >"$T/bad.txt"
cmp -s "$VECTORS" "$T/bad.txt" && fail "the sed did not change the vector" || pass
expect_exit 1 pot-train-stage --selfcheck --profile x86-64-v3 --vectors "$T/bad.txt"
expect_grep 'lenet5-adam .* MISMATCH$' "$T/out"
expect_error_line pot-train-stage
expect_grep "1 of 3 known-answer stages differ under profile 'x86-64-v3'" "$T/err"
# No vectors for the profile: exit 4.
grep -v '^portable ' "$VECTORS" >"$T/noportable.txt"
expect_exit 4 pot-train-stage --selfcheck --profile portable --vectors "$T/noportable.txt"
expect_grep "has no known-answer vectors for profile 'portable'" "$T/err"
finish
