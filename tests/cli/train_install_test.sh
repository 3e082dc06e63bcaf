#!/usr/bin/env bash
# An installed pot-train-stage finds its known-answer vectors beside itself
# (PREFIX/share/pot), also when the prefix is moved and the source tree is out of
# reach, in the order man/pot-train-stage.1 gives: --vectors, the installed copy,
# the source tree.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/train_lib.sh"
VECTORS="$POT_TESTDATA/train/selfcheck-vectors.txt"
# POT_TOOL_DIR is BUILD/bin (cmake/PotHelpers.cmake).
BUILD="$(dirname "$POT_TOOL_DIR")"
if [ ! -f "$BUILD/cmake_install.cmake" ]; then
  fail "no cmake_install.cmake in $BUILD"
  finish
  exit
fi

expect_exit 0 cmake --install "$BUILD" --prefix "$T/prefix"
cmp -s "$VECTORS" "$T/prefix/share/pot/selfcheck-vectors.txt" && pass ||
  fail "the installed vectors are not the source tree's"
# A moved prefix: only the binary's own location leads to the vectors.
mv "$T/prefix" "$T/moved"
BIN="$T/moved/bin/pot-train-stage"
INSTALLED="$T/moved/share/pot/selfcheck-vectors.txt"
expect_exit 0 "$BIN" selfcheck --profile portable
[ "$(grep -c ' ok$' "$T/out")" = 3 ] && pass || fail "not 3 ok lines: $(cat "$T/out")"

# The installed copy is the one read: one wrong digit in it is a mismatch,
# although the source tree's copy is right.
cp "$INSTALLED" "$T/good.txt"
sed -i '/^x86-64-v3 lenet5-adam /s/^\(x86-64-v3 lenet5-adam \)./\1X/' "$INSTALLED"
expect_exit 1 "$BIN" selfcheck --profile x86-64-v3
expect_grep 'lenet5-adam .* MISMATCH$' "$T/out"
# --vectors comes first.
expect_exit 0 "$BIN" selfcheck --profile x86-64-v3 --vectors "$T/good.txt"
# The old flag form reads the same copies.
expect_exit 1 "$BIN" --selfcheck --profile x86-64-v3
cp "$T/good.txt" "$INSTALLED"

# The source tree out of reach: a private mount namespace puts an empty folder
# over it, so the compiled-in path does not exist for the binary.
if unshare -rm true 2>/dev/null; then
  mkdir -p "$T/empty"
  hidden() {
    unshare -rm sh -c 'mount --bind "$1" "$2" && shift 2 && exec "$@"' sh \
      "$T/empty" "$(dirname "$VECTORS")" "$@"
  }
  expect_exit 0 hidden test ! -e "$VECTORS"
  expect_exit 0 hidden "$BIN" selfcheck --profile portable
  [ "$(grep -c ' ok$' "$T/out")" = 3 ] && pass || fail "hidden source: $(cat "$T/out" "$T/err")"
  # Neither copy: exit 4, naming where it looked.
  rm "$INSTALLED"
  expect_exit 4 hidden "$BIN" selfcheck --profile portable
  expect_error_line pot-train-stage
  expect_grep "share/pot/selfcheck-vectors.txt" "$T/err"
else
  echo "note: no user namespaces here; the hidden source tree case is skipped" >&2
  rm "$INSTALLED"
fi
# Without the installed copy, the source tree's is the last resort.
expect_exit 0 "$BIN" selfcheck --profile portable
finish
