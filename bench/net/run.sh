#!/usr/bin/env bash
# Network benchmarks: makes a chain of real blocks with the consensus tools,
# times pot-chaind's import against the bare signature checks, then measures
# gossip propagation to every node of a 4-daemon line against a local publish.
# Usage: bench/net/run.sh BUILD_DIR [BLOCKS] [MESSAGES]
set -uo pipefail
BUILD="$(cd "${1:?usage: run.sh BUILD_DIR [BLOCKS] [MESSAGES]}" && pwd)"
BLOCKS="${2:-20}" MESSAGES="${3:-30}"
export POT_TOOL_DIR="$BUILD/bin"
HERE="$(cd "$(dirname "$0")" && pwd)"
source "$HERE/../../tests/cli/lib.sh"
POT_DUMMY_LIMIT=$((16 * BLOCKS))
source "$HERE/../../tests/cli/chaind_lib.sh"

echo "== chaind import ($BLOCKS blocks, C = 2, K = 3, made with the consensus tools)"
make_chain_keys
mkdir -p "$T/chain"
for s in $(seq "$BLOCKS"); do
  make_block "$T/chain" "$s" $((G0 + 100 * s)) 1 "$T/chain/$(printf %06d "$s").block" || exit 1
done
"$BUILD/bench/net/bench_chaind_import" "$T/genesis" "$T"/chain/*.block

echo "== chaind sync ($BLOCKS blocks from a peer's pot-chaind; baseline: pot-chaind import of the same files)"
ms() { echo $(( $(date +%s%N) / 1000000 )); }
pot-chaind import --db "$T/src.db" --genesis "$T/genesis" "$T"/chain/*.block || exit 1
pot-chaind run --db "$T/src.db" --bind 'tcp://127.0.0.1:*' --endpoint-file "$T/src.ep" --quiet & PIDS+=($!)
wait_file "$T/src.ep"
for run in 1 2 3; do
  rm -rf "$T/imp.db" "$T/sync.db" "$T/sync.ep"
  t0=$(ms); pot-chaind import --db "$T/imp.db" --genesis "$T/genesis" "$T"/chain/*.block; t1=$(ms)
  # Both include a process start and a new store; sync adds the daemon's
  # start-up, the range request and the polling of its store (read-only).
  t2=$(ms)
  pot-chaind run --db "$T/sync.db" --genesis "$T/genesis" --bind 'tcp://127.0.0.1:*' \
    --endpoint-file "$T/sync.ep" --sync-from "$(cat "$T/src.ep")" --quiet & SP=$!
  until [ "$(pot-chaind tip --db "$T/sync.db" 2>/dev/null | grep -o '"height": [0-9]*' | cut -d' ' -f2)" = "$BLOCKS" ]; do :; done
  t3=$(ms)
  kill "$SP"; wait "$SP"
  imp=$((t1 - t0)) syn=$((t3 - t2))
  echo "run $run: import $imp ms ($(( BLOCKS * 1000 / (imp > 0 ? imp : 1) )) blocks/s), sync $syn ms ($(( BLOCKS * 1000 / (syn > 0 ? syn : 1) )) blocks/s), $(echo "scale=2; $syn / $imp" | bc) x import"
done

echo "== gossip propagation ($MESSAGES transactions, 4 daemons in a line: 3 hops to the far end)"
start() {
  local args=(run --bind 'tcp://127.0.0.1:*' --control 'tcp://127.0.0.1:*' --endpoint-file "$T/$1.ep"
              --spool "$T/$1.spool" --quiet)
  [ -n "${2:-}" ] && args+=(--peer "$(awk '$1=="peer"{print $2}' "$T/$2.ep")")
  pot-gossip "${args[@]}" & PIDS+=($!)
  wait_file "$T/$1.ep"
}
start a; start b a; start c b; start d c
sleep 1.5  # hellos
CTL="$(awk '$1=="control"{print $2}' "$T/a.ep")"
/usr/bin/python3 - "$T" "$CTL" "$MESSAGES" <<'PYEOF'
import os, statistics, subprocess, sys, time
t, ctl, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
subprocess.run(["pot-keygen", "-o", t + "/bench.pem"], capture_output=True)
lat, base = [], []
for i in range(n):
    f = "%s/btx%d" % (t, i)
    ident = subprocess.run(["pot-tx", "transfer", "-k", t + "/bench.pem", "--to", "0" * 63 + "1",
                            "--amount", "1", "--nonce", str(i + 1000), "-o", f], capture_output=True, text=True).stdout.strip()
    # Baseline: the publish round trip to the local daemon (process start included).
    t0 = time.perf_counter()
    subprocess.run(["pot-gossip", "publish", "--control", ctl, f], capture_output=True)
    t1 = time.perf_counter()
    paths = ["%s/%s.spool/transaction/%s.msg" % (t, n_, ident) for n_ in "abcd"]
    while not all(os.path.exists(p) for p in paths):
        time.sleep(0.0005)
    t2 = time.perf_counter()
    base.append((t1 - t0) * 1e3); lat.append((t2 - t0) * 1e3)
mb, ml = statistics.median(base), statistics.median(lat)
print("local publish round trip (baseline)   median %7.2f ms  1.00" % mb)
print("publish until on all 4 nodes          median %7.2f ms  %.2f x baseline (p90 %.2f ms)"
      % (ml, ml / mb, sorted(lat)[int(0.9 * len(lat))]))
print("propagation after the publish returns median %7.2f ms" % statistics.median(l - b for l, b in zip(lat, base)))
PYEOF
