#!/usr/bin/env bash
# pot-audit on a small real chain: the dummy model (mlp:3-4-2, 8 samples a stage) trained for
# real by pot-train-stage over 4 blocks, stage 2 with a published loss trace. The audit passes;
# a swapped state in the repository makes its stage "missing" while the others are still
# checked; a header that claims what training does not give is a mismatch naming the first
# diverging sample; --sample, --jobs and --resume.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/consensus_lib.sh"
# As consensus_lib's make_chain, with 48 samples: 6 stages of 8, so stages 1-5 have their
# own batches (pot-train-stage refuses a batch of another stage).
declare -A KEYFILE
for i in 1 2 3 4; do
  pot-keygen -o "$T/n$i.pem" >/dev/null
  KEYFILE[$(pot-keygen --show "$T/n$i.pem")]="$T/n$i.pem"
done
awk 'BEGIN { srand(3); print "a,b,c,label"; for (n = 0; n < 48; n++) print int(rand()*9) "," int(rand()*9) "," int(rand()*9) "," n % 2 }' >"$T/data.csv"
pot-keygen -o "$T/emp.pem" >/dev/null
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/dummy" --csv "$T/data.csv" -a mlp:3-4-2 -b 4 \
  --samples-per-stage 8 --seed 1 --profile portable -C 2 --created-at "$G0"
DUMMY="$(cat "$T/out")"
mkdir -p "$T/chain"
expect_exit 0 pot-genesis -o "$T/genesis" --timestamp "$G0" --stakeholders 3 --min-stake-age 10 \
  --declaration-target max --header-target max --dummy-request "$T/dummy/request" \
  --alloc "$T/n1.pem=100000000000" --alloc "$T/n2.pem=100000000000" --alloc "$T/n3.pem=100000000000" \
  --alloc "$T/n4.pem=100000000000"
GEN=(--genesis "$T/genesis" --chain "$T/chain")
REPO="$T/dummy"

# block STAGE NOW OUT RHO STATE [pot-build-header options...]: n1 and n2 declare, n3
# builds (consensus_lib's seal_block); the block goes into the --chain directory.
block() {
  seal_block "$@" && cp "$3" "$T/chain/$(printf '%06d' "$1").block"
}

# Stages 1-4 trained for real; each S_i goes into the repository under its hash, as
# pot-repo would store an upload.
prev=""
for s in 1 2 3 4; do
  extra=()
  [ "$s" = 2 ] && extra=(--loss-trace "$T/trace-2")
  expect_exit 0 pot-train-stage -q --repo "$REPO" -s "$s" ${prev:+--state "$prev"} -o "$T/s$s" \
    "${extra[@]}"
  rho="$(awk '$1 == "rho" {print $2}' "$T/out")"; state="$(awk '$1 == "state" {print $2}' "$T/out")"
  cp "$T/s$s" "$REPO/objects/$state"
  STATE[$s]="$state"
  hdr=()
  if [ "$s" = 2 ]; then
    cp "$T/trace-2" "$REPO/objects/$(sha256sum "$T/trace-2" | cut -c1-64)"
    hdr=(--loss-trace "$T/trace-2")
  fi
  block "$s" $((G0 + 100 * s)) "$T/b$s" "$rho" "$state" "${hdr[@]}"
  prev="$T/s$s"
done
expect_exit 0 pot-verify-block --genesis "$T/genesis" --chain "$T/chain" "$T/b4"

# The whole model, from a --chain directory: every stage ok, exit 0.
expect_exit 0 pot-audit "${GEN[@]}" --repo "$REPO" -q "$DUMMY"
[ "$(grep -c ' ok$' "$T/out")" = 4 ] && pass || fail "expected 4 ok stages: $(cat "$T/out")"
expect_grep '^audited 4 stages: 4 ok, 0 mismatched, 0 missing objects (0 resumed)' "$T/out"
cp "$T/out" "$T/report-all"
expect_exit 0 pot-audit "${GEN[@]}" --repo "$REPO" --json "$DUMMY"
expect_grep '"verdict": "ok"' "$T/out"
expect_grep "\"stateHash\": \"${STATE[3]}\"" "$T/out"
expect_grep '"checked": 4, "ok": 4, "mismatched": 0, "missing": 0' "$T/out"

# --jobs 2 gives the same report as --jobs 1 (the summary's compute seconds aside).
expect_exit 0 pot-audit "${GEN[@]}" --repo "$REPO" -q -j 2 "$DUMMY"
diff <(grep '^stage ' "$T/report-all") <(grep '^stage ' "$T/out") >/dev/null && pass ||
  fail "--jobs 2 reported differently: $(cat "$T/out")"

# Under an environment printed for two threads (OMP_NUM_THREADS=2) the auditor's one thread
# a stage costs no re-exec: a run marked as already re-executed (the marker names its own
# pid) would stop with exit 70 if it still wanted one. Same report.
expect_exit 0 bash -c 'eval "$(pot-train-stage --print-env portable --threads 2)" &&
  export POT_COMPUTE_PROFILE_EXEC=portable:$$ && exec pot-audit "$@"' audit "${GEN[@]}" \
  --repo "$REPO" -q -j 2 "$DUMMY"
diff <(grep '^stage ' "$T/report-all") <(grep '^stage ' "$T/out") >/dev/null && pass ||
  fail "the preset environment reported differently: $(cat "$T/out")"

# --stages and --sample: the auditor's seed picks the same stages every time, and some
# other seed picks others.
expect_exit 0 pot-audit "${GEN[@]}" --repo "$REPO" -q --stages 2-3 "$DUMMY"
[ "$(grep '^stage ' "$T/out" | awk '{print $2}' | tr '\n' ' ')" = "2 3 " ] && pass ||
  fail "--stages 2-3 audited: $(cat "$T/out")"
expect_exit 0 pot-audit "${GEN[@]}" --repo "$REPO" -q --sample 0.5 --seed 7 "$DUMMY"
grep '^stage ' "$T/out" | awk '{print $2}' >"$T/pick-7a"
[ "$(wc -l <"$T/pick-7a")" = 2 ] && pass || fail "--sample 0.5 of 4 stages audited $(cat "$T/pick-7a")"
expect_exit 0 pot-audit "${GEN[@]}" --repo "$REPO" -q --sample 0.5 --seed 7 "$DUMMY"
grep '^stage ' "$T/out" | awk '{print $2}' | cmp -s - "$T/pick-7a" && pass || fail "seed 7 picked other stages"
differs=0
for seed in 1 2 3 4 5 6 8 9; do
  expect_exit 0 pot-audit "${GEN[@]}" --repo "$REPO" -q --sample 0.5 --seed "$seed" "$DUMMY"
  grep '^stage ' "$T/out" | awk '{print $2}' | cmp -s - "$T/pick-7a" || differs=1
done
[ "$differs" = 1 ] && pass || fail "every seed picked the stages seed 7 picked"
expect_exit 2 pot-audit "${GEN[@]}" --repo "$REPO" --sample 0.5 "$DUMMY"
expect_exit 2 pot-audit "${GEN[@]}" --repo "$REPO" --sample 1.5 --seed 1 "$DUMMY"
expect_exit 2 pot-audit "${GEN[@]}" --repo "$REPO" --stages 3-2 "$DUMMY"
expect_exit 2 pot-audit "${GEN[@]}" "$DUMMY"
expect_one_line_error pot-audit

# --resume: a first run of stages 1-2 records them; the full run skips them.
expect_exit 0 pot-audit "${GEN[@]}" --repo "$REPO" -q --stages 1-2 --resume "$T/resume" "$DUMMY"
expect_exit 0 pot-audit "${GEN[@]}" --repo "$REPO" -q --resume "$T/resume" "$DUMMY"
[ "$(grep -c '(resumed)$' "$T/out")" = 2 ] && pass || fail "expected 2 resumed stages: $(cat "$T/out")"
expect_grep '^stage 3 .* ok$' "$T/out"
expect_grep '(2 resumed)' "$T/out"
# A stage whose object was missing is tried again on resume, and passes once it is back.
cp "$REPO/objects/${STATE[2]}" "$T/s2-saved"; rm "$REPO/objects/${STATE[2]}"
expect_exit 1 pot-audit "${GEN[@]}" --repo "$REPO" -q --stages 3 --resume "$T/resume-missing" "$DUMMY"
expect_grep '^stage 3 .* missing: S_2' "$T/out"
cp "$T/s2-saved" "$REPO/objects/${STATE[2]}"
expect_exit 0 pot-audit "${GEN[@]}" --repo "$REPO" -q --stages 3 --resume "$T/resume-missing" "$DUMMY"
expect_grep '^stage 3 .* ok$' "$T/out"
echo '{"model": "nope"' >"$T/bad-resume"
expect_exit 3 pot-audit "${GEN[@]}" --repo "$REPO" -q --resume "$T/bad-resume" "$DUMMY"

# A swapped object: S_1 replaced by another valid state (S_2). Stage 2 cannot get its
# S_1 and is missing; stages 1, 3 and 4 are still checked and pass.
cp "$REPO/objects/${STATE[1]}" "$T/s1-saved"
cp "$T/s2" "$REPO/objects/${STATE[1]}"
expect_exit 1 pot-audit "${GEN[@]}" --repo "$REPO" -q -j 2 "$DUMMY"
expect_grep '^stage 2 .* missing: S_1 .*does not match its hash' "$T/out"
[ "$(grep -c ' ok$' "$T/out")" = 3 ] && pass || fail "the other stages were not checked: $(cat "$T/out")"
expect_grep '^audited 4 stages: 3 ok, 0 mismatched, 1 missing objects' "$T/out"
cp "$T/s1-saved" "$REPO/objects/${STATE[1]}"
# A batch gone from the repository: the stage that uses it is missing.
B2="$(pot-inspect --full "$REPO/request" | /usr/bin/python3 -c \
  'import json,sys; print(json.load(sys.stdin)["trainingRequest"]["body"]["stageBatches"][1])')"
mv "$REPO/objects/$B2" "$T/b2-saved"
expect_exit 1 pot-audit "${GEN[@]}" --repo "$REPO" -q "$DUMMY"
expect_grep '^stage 2 .* missing: B_2' "$T/out"
expect_grep '^stage 3 .* ok$' "$T/out"
mv "$T/b2-saved" "$REPO/objects/$B2"

# Stage 5 recorded with a rho and H(S_5) that training does not give, and a published
# trace whose sample 5 differs: a mismatch naming that sample and its dataset index.
expect_exit 0 pot-train-stage -q --repo "$REPO" -s 5 --state "$T/s4" -o "$T/s5" --loss-trace "$T/trace-5"
edit_json "$T/trace-5" "$T/trace-5-claimed" 'm["lossTrace"]["losses"][5] += 1.0'
cp "$T/trace-5-claimed" "$REPO/objects/$(sha256sum "$T/trace-5-claimed" | cut -c1-64)"
block 5 $((G0 + 500)) "$T/b5" "$(fake_hash rho5)" "$(fake_hash state5)" --loss-trace "$T/trace-5-claimed"
SRC="$(pot-inspect --full "$REPO/objects/$(pot-inspect --full "$REPO/request" | /usr/bin/python3 -c \
  'import json,sys; print(json.load(sys.stdin)["trainingRequest"]["body"]["stageBatches"][4])')" |
  /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["stageBatch"]["sourceIndices"][5])')"
expect_exit 1 pot-audit "${GEN[@]}" --repo "$REPO" -q --json --stages 4-5 "$DUMMY"
expect_grep '"stage": 5, "block": "[0-9a-f]*", "rho": "[0-9a-f]*", "stateHash": "[0-9a-f]*", "lossTraceHash": "[0-9a-f]*", "verdict": "mismatch"' "$T/out"
expect_grep "\"divergingSample\": 5, \"divergingDatasetIndex\": $SRC" "$T/out"
expect_grep '"checked": 2, "ok": 1, "mismatched": 1, "missing": 0' "$T/out"
expect_grep '^pot-audit: invalid: 1 of 2 stages failed the audit' "$T/err"

# The same audit from pot-chaind's store (--db) and through a pot-repo endpoint.
expect_exit 0 pot-chaind import --db "$T/db" --genesis "$T/genesis" "$T"/chain/*.block
expect_exit 0 pot-audit --db "$T/db" --repo "$REPO" -q --stages 1-4 "$DUMMY"
diff <(grep '^stage ' "$T/report-all") <(grep '^stage ' "$T/out") >/dev/null && pass ||
  fail "--db reported differently: $(cat "$T/out")"
pot-repo serve "$REPO" --bind "tcp://127.0.0.1:*" --endpoint-file "$T/ep" --allow-state-hashes /dev/null --quiet 2>"$T/repo-err" &
RP=$!
for _ in $(seq 50); do [ -s "$T/ep" ] && break; sleep 0.1; done
expect_exit 0 pot-audit --db "$T/db" --repo-endpoint "$(cat "$T/ep")" -q --stages 1-4 "$DUMMY"
diff <(grep '^stage ' "$T/report-all") <(grep '^stage ' "$T/out") >/dev/null && pass ||
  fail "--repo-endpoint reported differently: $(cat "$T/out") $(cat "$T/repo-err")"
kill "$RP"; wait "$RP" 2>/dev/null
finish
