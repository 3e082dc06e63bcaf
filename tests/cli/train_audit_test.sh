#!/usr/bin/env bash
# One changed label or pixel changes rho and H(S_1); the auditor's --check of the
# honest stage against the poisoned claim fails and names the first diverging sample.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/train_lib.sh"
employer_key

# A CSV dataset: a header, 64 samples of 16 pixels, labels 0..2 in the last column.
awk 'BEGIN { srand(5); printf "p0"; for (i = 1; i < 16; i++) printf ",p%d", i; print ",label";
             for (n = 0; n < 64; n++) { for (i = 0; i < 16; i++) printf "%d,", int(rand() * 256);
                                        print n % 3 } }' >"$T/data.csv"
partition() {  # partition CSV REPO
  expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$2" --csv "$1" -a mlp:16-8-3 -b 8 \
    --samples-per-stage 32 --lr 0.1 --seed 9 --profile portable --created-at 1700000000
}
partition "$T/data.csv" "$T/honest"
expect_exit 0 pot-train-stage --repo "$T/honest" -s 1 -o "$T/honest-s1" --loss-trace "$T/honest-trace"
honest_rho="$(field rho "$T/out")"; honest_state="$(field state "$T/out")"

# The dataset index of the sample at stage position POS, from the batch's provenance.
batch1="$(pot-inspect --full "$T/honest/request" | /usr/bin/python3 -c \
  'import json,sys; print(json.load(sys.stdin)["trainingRequest"]["body"]["stageBatches"][0])')"
source_index() {
  pot-inspect --full "$T/honest/objects/$batch1" | /usr/bin/python3 -c \
    "import json,sys; print(json.load(sys.stdin)['stageBatch']['sourceIndices'][$1])"
}

poison() {  # poison WHAT POS: change a label or pixel of the sample at stage position POS
  local what="$1" pos="$2" idx line
  idx="$(source_index "$pos")"; line=$((idx + 2))  # header + 1-based
  if [ "$what" = label ]; then
    awk -F, -v OFS=, -v l="$line" 'NR == l { $NF = ($NF + 1) % 3 } { print }' "$T/data.csv" >"$T/$what.csv"
  else
    awk -F, -v OFS=, -v l="$line" 'NR == l { $5 = ($5 + 1) % 256 } { print }' "$T/data.csv" >"$T/$what.csv"
  fi
  echo "$idx"
}

for case in "label 13" "pixel 21"; do
  set -- $case
  what="$1"; pos="$2"
  idx="$(poison "$what" "$pos")"
  partition "$T/$what.csv" "$T/repo-$what"
  expect_exit 0 pot-train-stage --repo "$T/repo-$what" -s 1 --loss-trace "$T/trace-$what"
  rho="$(field rho "$T/out")"; state="$(field state "$T/out")"
  [ "$rho" != "$honest_rho" ] && pass || fail "poisoned $what left rho unchanged"
  [ "$state" != "$honest_state" ] && pass || fail "poisoned $what left H(S_1) unchanged"
  # The auditor re-runs the honest stage against the claim: mismatch, exit 1.
  expect_exit 1 pot-train-stage --repo "$T/honest" -s 1 --check --expect-rho "$rho" \
    --expect-state "$state" --trace "$T/trace-$what"
  expect_grep '^mismatch$' "$T/out"
  expect_error_line pot-train-stage
  expect_grep "first diverging sample $pos (dataset index $idx)" "$T/err"
  # The trace alone is a claim too.
  expect_exit 1 pot-train-stage --repo "$T/honest" -s 1 --check --trace "$T/trace-$what" --json
  expect_grep "\"firstDivergingSample\": $pos" "$T/out"
  # The poisoned batch is not B_1 of the honest request.
  bad_batch="$(ls -S "$T/repo-$what/objects" | head -1)"
  poisoned_batch="$(pot-inspect --full "$T/repo-$what/request" | /usr/bin/python3 -c \
    'import json,sys; print(json.load(sys.stdin)["trainingRequest"]["body"]["stageBatches"][0])')"
  expect_exit 1 pot-train-stage --repo "$T/honest" -s 1 --batch "$T/repo-$what/objects/$poisoned_batch" -o "$T/never"
  expect_grep "is not B_1 of the request" "$T/err"
  expect_no_file "$T/never"
done

# The honest claim matches: exit 0, "match"; with JSON too.
expect_exit 0 pot-train-stage --repo "$T/honest" -s 1 --check --expect-rho "$honest_rho" \
  --expect-state "$honest_state" --trace "$T/honest-trace"
expect_grep '^match$' "$T/out"
expect_exit 0 pot-train-stage --repo "$T/honest" -s 1 --check --expect-rho "$honest_rho" --json
expect_grep '"match": true' "$T/out"
# A block header carries the claim: the honest one matches, the poisoned one not.
header() {  # header RHO STATE FILE
  printf '{"blockHeader": {"body": {"modelId": "%s", "stage": 1, "rho": "%s", "stateHash": "%s"}}}' \
    "$(pot-inspect --id "$T/honest/request")" "$1" "$2" >"$3.json"
  pot-inspect --from-json "$3.json" >"$3"
}
header "$honest_rho" "$honest_state" "$T/h-ok"
expect_exit 0 pot-train-stage --repo "$T/honest" -s 1 --check --header "$T/h-ok"
expect_grep '^match$' "$T/out"
header "$rho" "$honest_state" "$T/h-bad"
expect_exit 1 pot-train-stage --repo "$T/honest" -s 1 --check --header "$T/h-bad"
expect_grep "stage 1: rho differs" "$T/err"
# A header of another model is refused before any training.
printf '{"blockHeader": {"body": {"modelId": "%064d", "stage": 1, "rho": "%s", "stateHash": "%s"}}}' \
  0 "$honest_rho" "$honest_state" >"$T/h-other.json"
pot-inspect --from-json "$T/h-other.json" >"$T/h-other"
expect_exit 1 pot-train-stage --repo "$T/honest" -s 1 --check --header "$T/h-other"
expect_grep "the header is for another model" "$T/err"
# Only the state hash wrong.
expect_exit 1 pot-train-stage --repo "$T/honest" -s 1 --check --expect-state "$honest_rho"
expect_grep "state hash differs" "$T/err"
# An empty loss trace matches nothing; a trace of another stage is refused.
printf '{"lossTrace": {"modelId": "%s", "stage": 1}}' "$(pot-inspect --id "$T/honest/request")" \
  | pot-inspect --from-json -o "$T/empty-trace"
expect_exit 1 pot-train-stage --repo "$T/honest" -s 1 --check --trace "$T/empty-trace"
expect_grep '^mismatch$' "$T/out"
printf '{"lossTrace": {"modelId": "%s", "stage": 2, "losses": [1]}}' "$(pot-inspect --id "$T/honest/request")" \
  | pot-inspect --from-json -o "$T/stage2-trace"
expect_exit 1 pot-train-stage --repo "$T/honest" -s 1 --check --trace "$T/stage2-trace"
expect_grep "the loss trace is not of stage 1" "$T/err"
# S_0 is named by the request: a repository whose S_0 object was swapped for
# a valid state of the same architecture (another seed's S_0) is refused.
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/seed10" --csv "$T/data.csv" -a mlp:16-8-3 \
  -b 8 --samples-per-stage 32 --lr 0.1 --seed 10 --profile portable --created-at 1700000000
s0_of() { pot-inspect --full "$1/request" | /usr/bin/python3 -c \
  'import json,sys; print(json.load(sys.stdin)["trainingRequest"]["body"]["initialState"])'; }
s0="$(s0_of "$T/honest")"; other_s0="$(s0_of "$T/seed10")"
[ "$s0" != "$other_s0" ] && pass || fail "seeds 9 and 10 give the same S_0"
cp -r "$T/honest" "$T/swapped"
cp "$T/seed10/objects/$other_s0" "$T/swapped/objects/$s0"
expect_exit 1 pot-train-stage --repo "$T/swapped" -s 1 -o "$T/never-s1"
expect_grep "is not the request's S_0" "$T/err"
expect_no_file "$T/never-s1"

# --check without a claim is a usage error.
expect_exit 2 pot-train-stage --repo "$T/honest" -s 1 --check
expect_error_line pot-train-stage
finish
