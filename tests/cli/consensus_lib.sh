# Helpers for the consensus CLI tests: sourced after lib.sh, never run.
# A small chain made with the real tools, no training: rho and H(S) are stand-in hashes.
G0=1700000000

# jq-free JSON access: json_get FILE EXPR, EXPR a Python expression over `m`.
json_get() { /usr/bin/python3 -c "import json,sys; m=json.load(open(sys.argv[1])); print($2)" "$1"; }
fake_hash() { printf '%s' "$1" | sha256sum | cut -c1-64; }

# make_chain: keys n1..n4 and emp, a tiny CSV dummy model (C = 2), genesis; K = 3.
make_chain() {
  declare -gA KEYFILE
  for i in 1 2 3 4; do
    pot-keygen -o "$T/n$i.pem" >/dev/null
    KEYFILE[$(pot-keygen --show "$T/n$i.pem")]="$T/n$i.pem"
  done
  pot-keygen -o "$T/emp.pem" >/dev/null
  KEYFILE[$(pot-keygen --show "$T/emp.pem")]="$T/emp.pem"
  awk 'BEGIN { srand(3); print "a,b,c,label"; for (n = 0; n < 16; n++) print int(rand()*9) "," int(rand()*9) "," int(rand()*9) "," n % 2 }' >"$T/data.csv"
  pot-partition -q -k "$T/emp.pem" -o "$T/dummy" --csv "$T/data.csv" -a mlp:3-4-2 -b 4 \
    --samples-per-stage 8 --seed 1 --profile portable -C 2 --created-at "$G0" >"$T/dummy-id" ||
    fail "pot-partition failed"
  DUMMY="$(cat "$T/dummy-id")"
  mkdir -p "$T/chain"
  pot-genesis -o "$T/genesis" --timestamp "$G0" --stakeholders 3 --min-stake-age 10 \
    --declaration-target max --header-target max --dummy-request "$T/dummy/request" \
    --alloc "$T/n1.pem=100000000000" --alloc "$T/n2.pem=100000000000" --alloc "$T/n3.pem=100000000000" \
    --alloc "$T/n4.pem=100000000000" --alloc "$T/emp.pem=50000000000" >"$T/genesis-id" ||
    fail "pot-genesis failed"
  GEN=(--genesis "$T/genesis" --chain "$T/chain")
}

# make_block STAGE NOW OUT: n1 and n2 declare the dummy's stage, n3 builds, the drawn sign and wrap.
make_block() {
  local stage="$1" now="$2" out="$3" rho state sigs=() k
  rho="$(fake_hash "rho$stage")"; state="$(fake_hash "state$stage")"
  for i in 1 2; do
    pot-declare "${GEN[@]}" -k "$T/n$i.pem" --model "$DUMMY" -s "$stage" --state-hash "$state" \
      --rho "$rho" --now "$now" -o "$T/mb-td$i" >/dev/null || fail "pot-declare n$i failed"
  done
  pot-build-header "${GEN[@]}" -k "$T/n3.pem" --rho "$rho" --state-hash "$state" --now "$now" \
    -o "$T/mb-header" "$T/mb-td1" "$T/mb-td2" >/dev/null || fail "pot-build-header failed"
  mapfile -t drawn < <(pot-stake "${GEN[@]}" --header "$T/mb-header" --list)
  for ((k = 1; k < 3; k++)); do
    pot-stake "${GEN[@]}" --header "$T/mb-header" -k "${KEYFILE[${drawn[$((k - 1))]}]}" "${sigs[@]}" \
      -o "$T/mb-sig$k" >/dev/null || fail "pot-stake $k failed"
    sigs+=(--signature "$T/mb-sig$k")
  done
  pot-stake "${GEN[@]}" --header "$T/mb-header" -k "${KEYFILE[${drawn[2]}]}" "${sigs[@]}" \
    -d "$T/mb-td1" -d "$T/mb-td2" -o "$out" >/dev/null || fail "pot-stake (wrapper) failed"
}

# edit_json IN OUT PYTHON: apply a Python statement to the message `m` (pot-inspect --full JSON).
edit_json() {
  pot-inspect --full "$1" | /usr/bin/python3 -c "import json,sys; m=json.load(sys.stdin); $3; json.dump(m, sys.stdout)" |
    pot-inspect --from-json -o "$2"
}
