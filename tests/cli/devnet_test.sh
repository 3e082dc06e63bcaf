#!/usr/bin/env bash
# pot-devnet end to end: 4 pot-node nodes on loopback train the employer's
# Fashion-MNIST MLP for 2 stages through the whole protocol; the chain's final
# state equals a single-process run of the same stages, every node holds the
# same chain, and nothing pot-devnet started is left running.
source "$(dirname "$0")/lib.sh"
DEVNET="$POT_SOURCE_DIR/scripts/pot-devnet"
# Targets are checked before anything starts (real targets run in node_pos_test.sh).
expect_exit 2 "$DEVNET" --bin "$POT_TOOL_DIR" --header-target 12ab
expect_one_line_error pot-devnet
expect_exit 2 "$DEVNET" --bin "$POT_TOOL_DIR" --declaration-target max --max-stake-age 0
expect_one_line_error pot-devnet
pot-devnet_run() {
  "$DEVNET" --bin "$POT_TOOL_DIR" --nodes 4 --stages 2 --samples-per-stage 64 --dir "$T/net" \
    --timeout 300 --json "$T/result.json" >"$T/out" 2>"$T/err"
}
pot-devnet_run
rc=$?
[ "$rc" -eq 0 ] && pass || fail "pot-devnet exit $rc: $(tail -5 "$T/err")"
get() { /usr/bin/python3 -c "import json,sys; print(json.load(open('$T/result.json'))$1)"; }
[ "$(get '["identical"]')" = True ] && pass || fail "network state differs from the single-process run"
[ "$(get '["agree"]')" = True ] && pass || fail "nodes hold different chains"
[ "$(get '["finalState"]')" = "$(get '["referenceState"]')" ] && pass || fail "final hashes differ"
[ "$(get '["accuracy"]')" = "$(get '["referenceAccuracy"]')" ] && pass || fail "accuracies differ"
# Better than chance (0.1) after two small stages.
/usr/bin/python3 -c "import sys; sys.exit(0 if $(get '["accuracy"]') > 0.15 else 1)" && pass || fail "accuracy $(get '["accuracy"]')"
# The employer's two stages are on chain, each declared by C = 2 distinct nodes.
[ "$(get '["blocks"]' | grep -o "'model': 'employer'" | wc -l)" = 2 ] && pass || fail "employer stages: $(get '["blocks"]')"
expect_grep "identical" "$T/out"
expect_grep "test accuracy" "$T/out"
# Everything pot-devnet started has stopped.
sleep 0.5
pgrep -f "$T/net" >/dev/null && fail "processes left running: $(pgrep -af "$T/net")" || pass
finish
