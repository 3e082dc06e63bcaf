# Scratch folders for tests/cli/man_examples_test.sh: a small real chain made with the real
# tools (keys, a CSV dummy model, genesis, blocks of trained stages), from which each page's
# preparation copies what its EXAMPLES say they need. Sourced after lib.sh, never run.
G0=1700000000

# world DIR K: keys n1..n4 and emp, a CSV dummy model in DIR/dummy (mlp:3-4-2, b = 4,
# 8 samples per stage, C = 2), a genesis with K stakeholders and maximal targets, an empty
# chain/ and states/. Sets DUMMY.
world() {
  local d="$1" k="$2" i
  mkdir -p "$d/chain" "$d/states"
  for i in 1 2 3 4; do pot-keygen -o "$d/n$i.pem" >/dev/null; done
  pot-keygen -o "$d/emp.pem" >/dev/null
  awk 'BEGIN { srand(5); print "a,b,c,label"; for (n = 0; n < 32; n++) print int(rand()*9) "," int(rand()*9) "," int(rand()*9) "," n % 2 }' >"$d/data.csv"
  pot-partition -q -k "$d/emp.pem" -o "$d/dummy" --csv "$d/data.csv" -a mlp:3-4-2 -b 4 \
    --samples-per-stage 8 --seed 1 --profile portable -C 2 --created-at "$G0" >"$d/dummy.id" ||
    return 1
  DUMMY="$(cat "$d/dummy.id")"
  pot-genesis -o "$d/genesis" --timestamp "$G0" --stakeholders "$k" --min-stake-age 10 \
    --declaration-target max --header-target max --dummy-request "$d/dummy/request" \
    --alloc "$d/n1.pem=100000000000" --alloc "$d/n2.pem=100000000000" \
    --alloc "$d/n3.pem=100000000000" --alloc "$d/n4.pem=100000000000" \
    --alloc "$d/emp.pem=50000000000" >/dev/null
}

# train DIR STAGE: trains the dummy's stage STAGE on S_{STAGE-1} into DIR/states/sSTAGE and
# its repository (so --reexecute and audits find it); its rho in DIR/states/rhoSTAGE.
train() {
  local d="$1" s="$2" prev=() state
  [ "$s" -gt 1 ] && prev=(--state "$d/states/s$((s - 1))")
  pot-train-stage -q --repo "$d/dummy" -s "$s" "${prev[@]}" -o "$d/states/s$s" >"$d/states/claim$s" ||
    return 1
  awk '$1 == "rho" {print $2}' "$d/states/claim$s" >"$d/states/rho$s"
  state="$(awk '$1 == "state" {print $2}' "$d/states/claim$s")"
  cp "$d/states/s$s" "$d/dummy/objects/$state"
}

# declare DIR STAGE NOW KEYS...: declarations tdI of stage STAGE by nI, at NOW.
declare_stage() {
  local d="$1" s="$2" now="$3" i; shift 3
  for i in "$@"; do
    pot-declare --genesis "$d/genesis" --chain "$d/chain" -k "$d/n$i.pem" --model "$DUMMY" \
      -s "$s" --state "$d/states/s$s" --rho "$(cat "$d/states/rho$s")" --now "$now" \
      -o "$d/td$i" >/dev/null || return 1
  done
}

# seal DIR STAGE NOW OUT: the header by n1 on td1 td2, every stakeholder's signature, and the
# wrapper's block in OUT (the drawn keys found by their public keys).
seal() {
  local d="$1" s="$2" now="$3" out="$4" drawn sigs=() k key
  pot-build-header --genesis "$d/genesis" --chain "$d/chain" -k "$d/n1.pem" \
    --rho "$(cat "$d/states/rho$s")" --state "$d/states/s$s" --now "$now" -o "$d/header" \
    "$d/td1" "$d/td2" >/dev/null || return 1
  mapfile -t drawn < <(pot-stake --genesis "$d/genesis" --chain "$d/chain" --header "$d/header" --list)
  for ((k = 0; k < ${#drawn[@]}; k++)); do
    key="$(key_of "$d" "${drawn[$k]}")"
    if [ "$k" -lt $((${#drawn[@]} - 1)) ]; then
      pot-stake --genesis "$d/genesis" --chain "$d/chain" --header "$d/header" -k "$key" \
        "${sigs[@]}" -o "$d/sig$((k + 1))" >/dev/null || return 1
      sigs+=(--signature "$d/sig$((k + 1))")
    else
      pot-stake --genesis "$d/genesis" --chain "$d/chain" --header "$d/header" -k "$key" \
        "${sigs[@]}" -d "$d/td1" -d "$d/td2" -o "$out" >/dev/null || return 1
    fi
  done
}

# key_of DIR PUBKEY: the key file of DIR whose public key is PUBKEY.
key_of() {
  local f
  for f in "$1"/n?.pem "$1/emp.pem"; do
    [ "$(pot-keygen --show "$f")" = "$2" ] && { echo "$f"; return 0; }
  done
  return 1
}

# block DIR STAGE: stage STAGE trained, declared, sealed and added as chain/00000STAGE.block.
block() {
  local d="$1" s="$2" now=$((G0 + 100 * $2))
  train "$d" "$s" && declare_stage "$d" "$s" "$now" 1 2 &&
    seal "$d" "$s" "$now" "$d/chain/$(printf '%06d' "$s").block"
}

# wait_for FILE: up to 20 s for a daemon's endpoint file.
wait_for() {
  local i
  for ((i = 0; i < 200; i++)); do [ -s "$1" ] && return 0; sleep 0.1; done
  return 1
}

# empty_store DB GENESIS: a chaind store holding the genesis alone (import needs a block, so a
# daemon makes it and is stopped).
empty_store() {
  local dir pid
  dir="$(dirname "$1")"; mkdir -p "$dir"
  pot-chaind run --db "$1" --genesis "$2" --endpoint-file "$dir/.ep" --quiet &
  pid=$!
  wait_for "$dir/.ep"; kill "$pid"; wait "$pid" 2>/dev/null
  rm -f "$dir/.ep"
  [ -d "$1" ]
}
