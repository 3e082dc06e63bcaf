#!/usr/bin/env bash
# The consensus tools on bad input: one-line errors, documented exit codes, no
# partial output files; nonces looked up from the chain; stake roles.
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/consensus_lib.sh"
make_chain
[ -s "$T/genesis" ] && pass || fail "no genesis"
expect_exit 0 pot-inspect --kind "$T/genesis"
expect_grep '^genesis$' "$T/out"
[ "$(cat "$T/genesis-id")" = "$(sha256sum "$T/genesis" | cut -c1-64)" ] && pass || fail "genesis id is not the file hash"

# pot-genesis
expect_exit 2 pot-genesis -o "$T/g-never"
expect_one_line_error pot-genesis
expect_exit 2 pot-genesis -o "$T/g-never" --alloc "nothex=5"
expect_grep "neither 64 hex digits nor a PEM key file" "$T/err"
expect_exit 2 pot-genesis -o "$T/g-never" --alloc "$T/n1.pem=12x"
expect_exit 2 pot-genesis -o "$T/g-never" --alloc "$T/n1.pem=5" --split 1:2
expect_exit 2 pot-genesis -o "$T/g-never" --alloc "$T/n1.pem=5" --split 5000:5000:1
expect_grep "10000" "$T/err"
expect_exit 2 pot-genesis -o "$T/g-never" --alloc "$T/n1.pem=5" --min-declarers 4 --max-declarers 3
expect_exit 3 pot-genesis -o "$T/g-never" --alloc "$T/n1.pem=5" --dummy-request "$T/genesis"
expect_no_file "$T/g-never"
expect_exit 0 pot-genesis --alloc "$(pot-keygen --show "$T/n1.pem")=5" --timestamp 1 --json -o "$T/g2"
expect_grep '"id": "' "$T/out"
# A PEM key file and its hex address allocate alike: the same genesis bytes.
pot-genesis --alloc "$T/n1.pem=5" --timestamp 1 -o - | cmp -s - "$T/g2" && pass || fail "PEM and hex allocations differ"

# pot-tx
expect_exit 2 pot-tx transfer -k "$T/n1.pem" --to "$T/n2.pem" --amount 5 -o "$T/tx-never"
expect_grep "give --nonce N, or --genesis" "$T/err"
expect_exit 2 pot-tx transfer -k "$T/n1.pem" --to bogus --amount 5 --nonce 0 -o "$T/tx-never"
expect_one_line_error pot-tx
expect_exit 3 pot-tx register -k "$T/n1.pem" --request "$T/genesis" --nonce 0 -o "$T/tx-never"
expect_grep "expected a training request" "$T/err"
expect_exit 4 pot-tx transfer -k "$T/nonexistent.pem" --to "$T/n2.pem" --amount 5 --nonce 0 -o "$T/tx-never"
expect_exit 2 pot-tx deposit -k "$T/n1.pem" --amount 5 --nonce 0 -o "$T/tx-never"
expect_no_file "$T/tx-never"
expect_exit 0 pot-tx transfer -k "$T/n1.pem" --to "$T/n2.pem" --amount 5 "${GEN[@]}" --json -o "$T/tx1"
expect_grep '"nonce": 0' "$T/out"
expect_exit 0 pot-inspect --expect transaction "$T/tx1"

# pot-declare
STATE="$(fake_hash s1)"; RHO="$(fake_hash r1)"
expect_exit 1 pot-declare "${GEN[@]}" -k "$T/n1.pem" --model "$DUMMY" -s 2 --state-hash "$STATE" --rho "$RHO" \
  --now $((G0 + 100)) -o "$T/td-never"
expect_grep "stage 2 is not next" "$T/err"
expect_exit 1 pot-declare "${GEN[@]}" -k "$T/n1.pem" --model "$STATE" -s 1 --state-hash "$STATE" --rho "$RHO" \
  --now $((G0 + 100)) -o "$T/td-never"
expect_grep "is not registered on chain" "$T/err"
pot-keygen -o "$T/poor.pem" >/dev/null
expect_exit 1 pot-declare "${GEN[@]}" -k "$T/poor.pem" --model "$DUMMY" -s 1 --state-hash "$STATE" --rho "$RHO" \
  --now $((G0 + 100)) -o "$T/td-never"
expect_grep "holds no coins" "$T/err"
# Coins younger than min-stake-age (10 s) at the given clock: no timestamp can pass.
expect_exit 1 pot-declare "${GEN[@]}" -k "$T/n1.pem" --model "$DUMMY" -s 1 --state-hash "$STATE" --rho "$RHO" \
  --now $((G0 + 5)) -o "$T/td-never"
expect_grep "no passing declaration timestamp" "$T/err"
expect_exit 2 pot-declare "${GEN[@]}" -k "$T/n1.pem" --model "$DUMMY" -s 1 --rho "$RHO" --now $((G0 + 100)) -o "$T/td-never"
expect_exit 2 pot-declare "${GEN[@]}" -k "$T/n1.pem" --model "$DUMMY" -s 1 --state-hash 12 --rho "$RHO" -o "$T/td-never"
expect_no_file "$T/td-never"
expect_exit 0 pot-declare "${GEN[@]}" -k "$T/n1.pem" --model "$DUMMY" -s 1 --state-hash "$STATE" --rho "$RHO" \
  --now $((G0 + 100)) --json -o "$T/td1"
# The earliest passing second with a maximal target: coins of age min-stake-age.
expect_grep "\"timestamp\": $((G0 + 10))" "$T/out"
# Without --model and -s: the head of the fee-priority queue (here the dummy) and its next stage.
expect_exit 0 pot-declare "${GEN[@]}" -k "$T/n3.pem" --state-hash "$STATE" --rho "$RHO" --now $((G0 + 100)) \
  --json -o "$T/td-queue"
expect_grep "\"model\": \"$DUMMY\", \"stage\": 1}" "$T/out"
# Without --now the tool uses the real clock; the genesis is long past, so it passes at once.
expect_exit 0 pot-declare "${GEN[@]}" -k "$T/n2.pem" --model "$DUMMY" -s 1 --state-hash "$STATE" --rho "$RHO" \
  --max-wait 5 -o "$T/td2"

# pot-build-header
expect_exit 1 pot-build-header "${GEN[@]}" -k "$T/n3.pem" --rho "$RHO" --state-hash "$STATE" --now $((G0 + 100)) \
  -o "$T/h-never" "$T/td1"
expect_grep "only 1 of C = 2 declarations pass" "$T/err"
expect_exit 1 pot-build-header "${GEN[@]}" -k "$T/n3.pem" --rho "$(fake_hash other)" --state-hash "$STATE" \
  --now $((G0 + 100)) -o "$T/h-never" "$T/td1" "$T/td2"
expect_grep "td-commitment-mismatch" "$T/err"
expect_exit 1 pot-build-header "${GEN[@]}" -k "$T/n3.pem" --rho "$RHO" --state-hash "$STATE" --now $((G0 + 100)) \
  -o "$T/h-never" "$T/td1" "$T/td1"
expect_grep "duplicate-voter" "$T/err"
expect_exit 3 pot-build-header "${GEN[@]}" -k "$T/n3.pem" --rho "$RHO" --state-hash "$STATE" --now $((G0 + 100)) \
  -o "$T/h-never" "$T/td1" "$T/genesis"
expect_no_file "$T/h-never"
# A declaration dated after the builder's clock (plus drift) is left out.
expect_exit 1 pot-build-header "${GEN[@]}" -k "$T/n3.pem" --rho "$RHO" --state-hash "$STATE" --now $((G0 - 100)) \
  -o "$T/h-never" "$T/td1" "$T/td2"
expect_grep "out of range" "$T/err"
expect_exit 0 pot-build-header "${GEN[@]}" -k "$T/n3.pem" --rho "$RHO" --state-hash "$STATE" --now $((G0 + 100)) \
  -o "$T/h1" "$T/td1" "$T/td2" --json
expect_grep '"skipped": 0' "$T/out"

# pot-stake
expect_exit 0 pot-stake "${GEN[@]}" --header "$T/h1" --list --json
DRAWN="$(cat "$T/out")"
outsider=""
for f in "$T"/n?.pem "$T/emp.pem"; do
  case "$DRAWN" in *"$(pot-keygen --show "$f")"*) ;; *) outsider="$f" ;; esac
done
[ -n "$outsider" ] && pass || fail "every key was drawn among K = 3?"
expect_exit 1 pot-stake "${GEN[@]}" --header "$T/h1" -k "$outsider" -o "$T/s-never"
expect_grep "is not a stakeholder" "$T/err"
[ "$(wc -l <"$T/err")" -eq 1 ] && pass || fail "pot-stake: more than one stderr line"
expect_no_file "$T/s-never"
mapfile -t drawn < <(pot-stake "${GEN[@]}" --header "$T/h1" --list)
wrapper="${KEYFILE[${drawn[2]}]}"
first="${KEYFILE[${drawn[0]}]}"
if [ "$wrapper" != "$first" ] && [ "$wrapper" != "${KEYFILE[${drawn[1]}]}" ]; then
  expect_exit 1 pot-stake "${GEN[@]}" --header "$T/h1" -k "$wrapper" -d "$T/td1" -d "$T/td2" -o "$T/s-never"
  expect_grep "only 0 of 2 stakeholder signatures" "$T/err"
fi
expect_exit 2 pot-stake "${GEN[@]}" --header "$T/h1" -o "$T/s-never"
expect_exit 3 pot-stake "${GEN[@]}" --header "$T/td1" --list
expect_grep "expected a block header" "$T/err"
finish
