# Shared by the network CLI tests: a small chain of real, valid blocks made
# with the consensus tools (declarations with a chosen rho: validation without
# --reexecute checks the commitments, not the training), and process helpers.
# Sourced after lib.sh; never run.
PIDS=()
net_cleanup() {
  local p
  for p in "${PIDS[@]}"; do kill -9 "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  rm -rf "$T"
}
trap net_cleanup EXIT

wait_file() { for _ in $(seq 150); do [ -s "$1" ] && return 0; sleep 0.1; done; fail "no $1"; return 1; }
wait_for() { for _ in $(seq 150); do "$@" && return 0; sleep 0.1; done; return 1; }
hex_of() { printf '%s' "$1" | sha256sum | cut -c1-64; }

G0=1700000000
declare -A KEYFILE
# make_chain_keys: 4 node keys, a dummy request of 8 stages naming two
# repository endpoints, a genesis with K = 3, C = 2.
make_chain_keys() {
  for i in 1 2 3 4; do
    pot-keygen -o "$T/n$i.pem" >/dev/null
    KEYFILE[$(pot-keygen --show "$T/n$i.pem")]="$T/n$i.pem"
  done
  pot-keygen -o "$T/emp.pem" >/dev/null
  pot-partition -q -k "$T/emp.pem" -o "$T/dummy" --limit "${POT_DUMMY_LIMIT:-128}" -a mlp:784-16-10 -b 16 \
    --samples-per-stage 16 --lr 0.05 --seed 11 --profile portable -C 2 --fee 0 \
    --repo-endpoint tcp://127.0.0.1:32001 --repo-endpoint 'tcp://10.0.0.2:7001' \
    --created-at "$G0" >"$T/dummy.id" || fail "pot-partition"
  pot-genesis -o "$T/genesis" --timestamp "$G0" --stakeholders 3 --min-stake-age 10 \
    --declaration-target max --header-target max --dummy-request "$T/dummy/request" \
    --alloc "$T/n1.pem=100000000000" --alloc "$T/n2.pem=100000000000" \
    --alloc "$T/n3.pem=100000000000" --alloc "$T/n4.pem=100000000000" >/dev/null || fail "pot-genesis"
}

# make_block CHAINDIR STAGE NOW BUILDER OUT [STATEHASH]: declarations by two nodes, a header
# by BUILDER, stakeholder signatures, the wrapper's block. The block is valid
# on top of the chain in CHAINDIR.
make_block() {
  local chain="$1" stage="$2" now="$3" builder="$4" out="$5" w="$T/mk.$$"
  local gen=(--genesis "$T/genesis" --chain "$chain") model rho state sigs=() tds=() k
  model="$(cat "$T/dummy.id")"
  rho="$(hex_of "rho-$stage")"; state="${6:-$(hex_of "state-$stage")}"
  rm -rf "$w"; mkdir -p "$w"
  for i in 1 2; do
    pot-declare "${gen[@]}" -q -k "$T/n$i.pem" --model "$model" -s "$stage" --state-hash "$state" \
      --rho "$rho" --now "$now" -o "$w/td$i" >/dev/null || { fail "declare $i stage $stage"; return 1; }
    tds+=(-d "$w/td$i")
  done
  pot-build-header "${gen[@]}" -q -k "$T/n$builder.pem" --rho "$rho" --state-hash "$state" \
    --now "$now" -o "$w/header" "$w"/td* >/dev/null || { fail "header stage $stage"; return 1; }
  mapfile -t drawn < <(pot-stake "${gen[@]}" --header "$w/header" --list)
  for ((k = 1; k < 3; k++)); do
    pot-stake "${gen[@]}" --header "$w/header" -k "${KEYFILE[${drawn[$((k - 1))]}]}" "${sigs[@]}" \
      -o "$w/sig$k" >/dev/null || { fail "stakeholder $k"; return 1; }
    sigs+=(--signature "$w/sig$k")
  done
  pot-stake "${gen[@]}" --header "$w/header" -k "${KEYFILE[${drawn[2]}]}" "${sigs[@]}" "${tds[@]}" \
    -o "$out" >/dev/null || { fail "wrapper stage $stage"; return 1; }
  rm -rf "$w"
}

# start_chaind NAME [run options...]: a daemon on a free port; endpoint in $T/NAME.ep.
start_chaind() {
  local name="$1"; shift
  pot-chaind run --db "$T/$name.db" --genesis "$T/genesis" --bind 'tcp://127.0.0.1:*' \
    --endpoint-file "$T/$name.ep" "$@" 2>>"$T/$name.log" &
  PIDS+=($!)
  wait_file "$T/$name.ep"
}
chaind_ep() { cat "$T/$1.ep"; }
same_tip() { [ "$(tip_of "$1" id)" = "$(tip_of "$2" id)" ]; }
tip_of() { pot-chaind query --connect "$(chaind_ep "$1")" tip | json_field "$2" /dev/stdin; }
json_field() { grep -o "\"$1\": \"\?[^,\"}]*" "$2" | sed 's/.*: "\?//'; }
