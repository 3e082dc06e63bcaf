#!/usr/bin/env bash
# pot-testnet end to end (DESIGN 6): 6 honest nodes in network namespaces,
# 40 ms +- 10 ms per link and 1% loss, a 20 s partition that heals, one kill -9
# and restart, one late joiner, a poisoner, a lazy node and a replayer. The
# network converges, every honest node ends on the same tip, the restarted
# node lost nothing, and no adversary's declaration (nor any declaration
# twice) is in a block. The scenario is pot-testnet(1)'s EXAMPLES, verbatim.
# Skipped (77) where namespaces are not permitted.
# Costs about 2-3 minutes.
source "$(dirname "$0")/lib.sh"
TESTNET="$POT_SOURCE_DIR/scripts/pot-testnet"
# Usage errors come before anything is made.
expect_exit 2 "$TESTNET" --bin "$POT_TOOL_DIR" --nodes 2
expect_one_line_error pot-testnet
expect_exit 2 "$TESTNET" --bin "$POT_TOOL_DIR" --loopback --delay 40
expect_one_line_error pot-testnet
expect_exit 2 "$TESTNET" --bin "$POT_TOOL_DIR" --loss many
expect_one_line_error pot-testnet
# The fork policy's lock cannot be shorter than its window (pot-stake duties).
expect_exit 2 pot-stake duties -k "$(printf '0%.0s' $(seq 64))" --spool "$T" --db "$T" --window-ms 2000 --lock-ms 1000
expect_one_line_error pot-stake
# The scenario is the man page's EXAMPLES, run verbatim in $T (DESIGN 8).
scripts_in "$T"
ln -s "$POT_SOURCE_DIR/tests" "$T/tests"  # the adversaries' shims, beside scripts/
man_examples "$POT_SOURCE_DIR/man/pot-testnet.1"
grep -q -- "--poisoner" "$T/examples.sh" && pass || fail "the page's scenario has no adversaries"
run_examples "$T"
rc=$?
cp "$T/.out" "$T/out"; cp "$T/.err" "$T/err"
if [ "$rc" = 77 ]; then echo "skipped: $(tail -1 "$T/err")"; exit 77; fi
[ "$rc" = 0 ] && pass || fail "pot-testnet exit $rc: $(tail -8 "$T/err")"
cat "$T/out"
[ -s "$T/result.json" ] || { fail "no result"; finish; exit 1; }
get() { /usr/bin/python3 -c "import json; r = json.load(open('$T/result.json')); print(r$1)"; }
[ "$(get '["sameTip"]')" = yes ] && pass || fail "honest nodes on different tips"
[ "$(get '["models"]["employer"]["blocks"]')" = 2 ] && pass || fail "employer blocks: $(get '["models"]')"
[ "$(get '["restarts"]')" = 1 ] && pass || fail "restarts: $(get '["restarts"]')"
[ "$(get '["lostData"]')" = 0 ] && pass || fail "the restarted node lost data"
/usr/bin/python3 -c "float('$(get '["convergeAfterHealSeconds"]')')" && pass || fail "no convergence after the heal"
[ "$(get '["declarationsRepeated"]')" = 0 ] && pass || fail "a declaration is in two blocks"
[ "$(get '["badDeclarationsInBlocks"]')" = 0 ] && pass || fail "an adversary's declaration is in a block"
# The adversaries did act: the poisoner and the lazy node declared, the replayer replayed.
[ "$(get '["badDeclarations"]')" -gt 0 ] && pass || fail "the poisoner and lazy node never declared"
grep -q "replayed [1-9]" "$T/net/node7.log" && pass || fail "the replayer replayed nothing: $(tail -3 "$T/net/node7.log")"
expect_grep "converged after the heal" "$T/err"
# Nothing is left: processes, namespaces, links.
sleep 0.5
pgrep -f "$T/net" >/dev/null && fail "processes left running: $(pgrep -af "$T/net")" || pass
# This run's namespaces (pottnRID-i, RID in its bridge's name ptbRID) are gone.
rid="$(sed -n 's/.* on bridge ptb\([0-9a-f]*\) .*/\1/p' "$T/err")"
[ -n "$rid" ] && pass || fail "no bridge named in: $(head -1 "$T/err")"
[ "$(ip netns list 2>/dev/null | grep -c "^pottn$rid-")" != 0 ] && fail "namespaces left: $(ip netns list)" || pass
ip link show "ptb$rid" >/dev/null 2>&1 && fail "bridge ptb$rid left" || pass
finish
