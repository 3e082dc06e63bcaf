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

# seal_block STAGE NOW OUT RHO STATE [pot-build-header options...]: the keys named in
# SEAL_DECLARERS (default "n1 n2", files $T/NAME.pem) declare stage STAGE of SEAL_MODEL
# (default $DUMMY) with H(S) = STATE and rho = RHO, SEAL_BUILDER (default n3) builds the
# header, the drawn stakeholders (keys from KEYFILE) sign and the K-th wraps the block
# into OUT. Intermediate files are ${SEAL_TMP}td1.., header, sig1.. (default $T/seal-).
seal_block() {
  local stage="$1" now="$2" out="$3" rho="$4" state="$5" sigs=() tds=() k n w="${SEAL_TMP:-$T/seal-}"
  local model="${SEAL_MODEL:-$DUMMY}"
  shift 5
  local i=0 files=()
  for n in ${SEAL_DECLARERS:-n1 n2}; do
    i=$((i + 1))
    pot-declare "${GEN[@]}" -k "$T/$n.pem" --model "$model" -s "$stage" --state-hash "$state" \
      --rho "$rho" --now "$now" -o "${w}td$i" >/dev/null || { fail "pot-declare $n failed"; return 1; }
    files+=("${w}td$i"); tds+=(-d "${w}td$i")
  done
  pot-build-header "${GEN[@]}" -k "$T/${SEAL_BUILDER:-n3}.pem" --rho "$rho" --state-hash "$state" --now "$now" \
    "$@" -o "${w}header" "${files[@]}" >/dev/null || { fail "pot-build-header failed"; return 1; }
  mapfile -t drawn < <(pot-stake "${GEN[@]}" --header "${w}header" --list)
  for ((k = 1; k < ${#drawn[@]}; k++)); do
    pot-stake "${GEN[@]}" --header "${w}header" -k "${KEYFILE[${drawn[$((k - 1))]}]}" "${sigs[@]}" \
      -o "${w}sig$k" >/dev/null || { fail "pot-stake $k failed"; return 1; }
    sigs+=(--signature "${w}sig$k")
  done
  pot-stake "${GEN[@]}" --header "${w}header" -k "${KEYFILE[${drawn[-1]}]}" "${sigs[@]}" \
    "${tds[@]}" -o "$out" >/dev/null || { fail "pot-stake (wrapper) failed"; return 1; }
}

# make_block STAGE NOW OUT: n1 and n2 declare the dummy's stage with stand-in rho and H(S),
# n3 builds, the drawn sign and wrap (files $T/mb-td1.., mb-header, mb-sig1..).
make_block() {
  SEAL_TMP="$T/mb-" seal_block "$1" "$2" "$3" "$(fake_hash "rho$1")" "$(fake_hash "state$1")"
}

# edit_json IN OUT PYTHON: apply a Python statement to the message `m` (pot-inspect --full JSON).
edit_json() {
  pot-inspect --full "$1" | /usr/bin/python3 -c "import json,sys; m=json.load(sys.stdin); $3; json.dump(m, sys.stdout)" |
    pot-inspect --from-json -o "$2"
}
