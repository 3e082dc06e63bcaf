#!/usr/bin/env bash
# A TorchScript module with BatchNorm (a tiny ResNet, scripted by Debian's
# python3-torch by tiny_resnet.py) trains through pot-devnet for
# 2 stages; the chain's final state, buffers included, equals the
# single-process run's bit for bit, and every node holds the same chain.
# Cost: about 60-90 s (3 nodes, 2 stages of 64 samples).
source "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
if ! "$PY" -c 'import torch' 2>/dev/null; then
  echo "SKIP: /usr/bin/python3 has no torch (install python3-torch)"; exit 77
fi
"$PY" "$POT_SOURCE_DIR/tests/cli/tiny_resnet.py" "$T/resnet.pt" && pass || fail "could not script the module"
"$POT_SOURCE_DIR/scripts/pot-devnet" --bin "$POT_TOOL_DIR" --nodes 3 --stages 2 --samples-per-stage 64 \
  --arch "$T/resnet.pt" --dir "$T/net" --timeout 900 --json "$T/result.json" >"$T/out" 2>"$T/err"
rc=$?
[ "$rc" -eq 0 ] && pass || fail "pot-devnet exit $rc: $(tail -5 "$T/err")"
"$PY" - "$T/result.json" <<'PY' && pass || fail "result: $(cat "$T/result.json")"
import json, sys
r = json.load(open(sys.argv[1]))
assert r["identical"] is True and r["agree"] is True, r
assert r["finalState"] == r["referenceState"], r
assert sum(1 for b in r["blocks"] if b.get("model") == "employer") == 2, r["blocks"]
PY
# The state on chain holds the BatchNorm buffers.
FINAL="$(pot-json get -i "$T/result.json" finalState)"
pot-inspect "$T/net/n1/states/$FINAL" >"$T/final.json" 2>/dev/null ||
  pot-inspect "$T/net/model/objects/$FINAL" >"$T/final.json"
expect_grep '"name": "block.bn2.running_var"' "$T/final.json"
expect_grep '"name": "bn.num_batches_tracked"' "$T/final.json"
sleep 0.5
pgrep -f "$T/net" >/dev/null && fail "processes left running: $(pgrep -af "$T/net")" || pass
finish
