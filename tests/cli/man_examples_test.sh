#!/usr/bin/env bash
# Every man page's EXAMPLES block runs verbatim (DESIGN 8). For each page of man/: a scratch
# folder is prepared with what the page's examples say they need (prep_<page>, from a small
# real chain of tests/cli/man_examples_lib.sh: keys, a genesis, blocks, and the daemons an
# example talks to, their endpoints in .env), the block runs there under `set -e` (daemons
# it starts in the background it stops itself; run_examples in lib.sh stops what a failed
# block left), and what it should have made is checked (check_<page>). A page whose
# examples run a network of nodes for minutes is run verbatim by that network's own test,
# listed in COVERED_BY; a page in neither table fails here, so no page is skipped silently.
# Cost: about a minute and a half (Fashion-MNIST partitions of pot-evaluate, pot-partition,
# pot-genesis and pot-repo; a pot-node syncing three blocks, about 10 s).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/man_examples_lib.sh"
MAN="$POT_SOURCE_DIR/man"

declare -A COVERED_BY=(
  [pot-train-stage]=train_man_examples  # verbatim, its own test
  [pot-audit]=audit_man_examples        # verbatim, its own test
  [pot-export]=export_man_examples      # verbatim, its own test
  [pot-devnet]=devnet                   # verbatim: networks of nodes for a minute
  [pot-chain-report]=devnet             # verbatim, on the devnet that pot-devnet's made
  [pot-evaluate]=report_evaluate_man_examples  # verbatim, its own test
  [pot-report]=report_man_examples      # verbatim, its own test
  [pot-testnet]=testnet                 # verbatim: network namespaces, minutes (77 without)
)

# One world for every page: K = 3, the dummy's stages 1-3 on chain, stage 4 trained.
W="$T/world"
world "$W" 3 || { fail "cannot make the world"; finish; exit 1; }
for s in 1 2 3; do block "$W" "$s" || { fail "cannot make block $s"; finish; exit 1; }; done
train "$W" 4 || fail "cannot train stage 4"

# copy_world NAMES...: the world's files (or folders) into the scratch folder.
copy_world() { local n; for n in "$@"; do cp -r "$W/$n" .; done; }
env_line() { printf 'export %s=%q\n' "$1" "$2" >>.env; }

prep_pot_keygen() { :; }
check_pot_keygen() { [ -s node.key ] && [ -s node.pub ]; }

prep_pot_7() { cp "$W/chain/000001.block" block.msg; }
check_pot_7() { [ -s node.key ]; }

prep_pot_inspect() {
  cp "$W/chain/000002.block" block.msg
  cp "$W/states/s2" state.msg
  cp "$W/td1" d1.msg; cp "$W/td2" d2.msg
  pot-declare --genesis "$W/genesis" --chain "$W/chain" -k "$W/n3.pem" --model "$DUMMY" -s 4 \
    --state "$W/states/s4" --rho "$(cat "$W/states/rho4")" --now $((G0 + 400)) -o d3.msg >/dev/null
  pot-tx transfer -k "$W/n2.pem" --to "$W/n3.pem" --amount 5 --fee 1 --genesis "$W/genesis" \
    --chain "$W/chain" -o tx.msg >/dev/null
}
check_pot_inspect() { pot-inspect tx2.msg | grep -q '"fee": "2"'; }

prep_pot_genesis() { :; }
check_pot_genesis() { [ -s genesis ] && pot-inspect genesis | grep -q dummyModel; }

prep_pot_partition() { :; }
check_pot_partition() { grep -q '^rho' s1.txt; }

prep_pot_declare() {
  copy_world n1.pem genesis
  mkdir chain
  cp -r "$W/dummy" repo
}
check_pot_declare() { pot-inspect --kind td1 | grep -q "training declaration"; }

# Stage 1 of a fresh chain: the state, rho and four declarations; a chaind store and a spool.
stage_one() {
  copy_world n1.pem n2.pem n3.pem n4.pem emp.pem genesis
  mkdir chain
  cp "$W/states/s1" s1
  local i
  for i in 1 2 3 4; do
    pot-declare --genesis genesis --chain chain -k "n$i.pem" --model "$DUMMY" -s 1 --state s1 \
      --rho "$(cat "$W/states/rho1")" --now $((G0 + 100)) -o "td$i" >/dev/null || return 1
  done
  empty_store node/db genesis || return 1
  mkdir -p node/spool/training-declaration
  for i in 1 2 3 4; do cp "td$i" "node/spool/training-declaration/$(pot-inspect --id "td$i").msg"; done
}

prep_pot_build_header() {
  stage_one || return 1
  env_line RHO "$(cat "$W/states/rho1")"
  env_line MODEL "$DUMMY"
}
check_pot_build_header() { [ -s header ] && [ -s header2 ]; }

prep_pot_stake() {
  stage_one || return 1
  pot-build-header --genesis genesis --chain chain -k n1.pem --rho "$(cat "$W/states/rho1")" \
    --state s1 --now $((G0 + 100)) -o header td1 td2 >/dev/null || return 1
  local f
  for f in n1.pem n2.pem n3.pem n4.pem emp.pem; do cp "$f" "key-of-$(pot-keygen --show "$f")"; done
  pot-tx transfer -k n2.pem --to n3.pem --amount 5 --fee 1 --genesis genesis --chain chain \
    -o pay.tx >/dev/null || return 1
  cp n1.pem node.key
  mkdir -p node/spool/block-header
  cp header "node/spool/block-header/$(pot-inspect --id header).msg"
  pot-chaind run --db node/chaind-db --genesis genesis --endpoint-file chaind.ep --quiet &
  started $!
  wait_for chaind.ep || return 1
  env_line CHAIND "$(cat chaind.ep)"
}
check_pot_stake() { [ -s block ] && pot-verify-block --genesis genesis --chain chain block >/dev/null; }

# pot-tx: K = 1, so the wrapper alone makes the block; a new model's request in repo/.
prep_pot_tx() {
  world tx-world 1 || return 1
  local d=tx-world
  train "$d" 1 && declare_stage "$d" 1 $((G0 + 100)) 1 2 || return 1
  pot-build-header --genesis "$d/genesis" --chain "$d/chain" -k "$d/n1.pem" \
    --rho "$(cat "$d/states/rho1")" --state "$d/states/s1" --now $((G0 + 100)) -o h \
    "$d/td1" "$d/td2" >/dev/null || return 1
  cp "$d/genesis" "$d/emp.pem" "$d/n2.pem" "$d/n3.pem" "$d/td1" "$d/td2" .
  mkdir chain
  cp "$(key_of "$d" "$(pot-stake --genesis genesis --chain chain --header h --list)")" wrapper.pem
  pot-partition -q -k emp.pem -o repo --csv "$d/data.csv" -a mlp:3-4-2 -b 4 \
    --samples-per-stage 8 --seed 2 --profile portable -C 2 >/dev/null
}
check_pot_tx() {
  [ -s block ] && pot-verify-block --genesis genesis --chain chain block >/dev/null &&
    [ "$(pot-inspect block | grep -c '"registerModel"\|"transfer"')" -ge 2 ]
}

prep_pot_verify_block() {
  copy_world genesis chain
  cp -r "$W/dummy" repo
  # The next block: stage 4 on the world's tip.
  cp -r "$W" w4
  declare_stage w4 4 $((G0 + 400)) 1 2 && seal w4 4 $((G0 + 400)) block
}
check_pot_verify_block() { [ -s chain/000004.block ]; }

prep_pot_next() {
  copy_world genesis
  mkdir node
  pot-chaind import --db node/db --genesis genesis "$W"/chain/*.block >/dev/null || return 1
  mkdir -p repo/objects states
  cp "$W/dummy/request" repo/request
  cp "$W/states/s3" "states/$(sha256sum "$W/states/s3" | cut -d' ' -f1)"
  pot-repo serve "$W/dummy" --allow-state-hashes /dev/null --endpoint-file repo.ep --quiet &
  started $!
  wait_for repo.ep || return 1
  env_line REPO "$(cat repo.ep)"
}
check_pot_next() { [ -s state ]; }

# pot-json: a chaind with the world's chain, and a Fashion-MNIST state to evaluate.
prep_pot_json() {
  copy_world genesis
  mkdir node
  pot-chaind import --db node/db --genesis genesis "$W"/chain/*.block >/dev/null || return 1
  pot-chaind run --db node/db --genesis genesis --endpoint-file chaind.ep --quiet &
  started $!
  wait_for chaind.ep || return 1
  env_line CHAIND "$(cat chaind.ep)"
  env_line MODEL "$DUMMY"
  pot-partition -q -k "$W/emp.pem" -o repo --limit 64 -b 8 --samples-per-stage 64 >/dev/null &&
    pot-train-stage -q --repo repo -s 1 -o state >/dev/null
}
check_pot_json() { :; }

# pot-chaind: the world's chain to import, its next block to submit, a gossip daemon whose
# events and control the chaind follows.
gossip_daemon() {  # gossip_daemon NAME: a pot-gossip daemon, endpoints in NAME.ep
  pot-gossip run --bind 'tcp://127.0.0.1:*' --control 'tcp://127.0.0.1:*' \
    --events 'tcp://127.0.0.1:*' --genesis genesis --spool "$1-spool" --endpoint-file "$1.ep" --quiet &
  started $!
  wait_for "$1.ep"
}
gossip_ep() { awk -v k="$2" '$1==k{print $2}' "$1.ep"; }
prep_pot_chaind() {
  copy_world genesis chain
  cp "$W/n1.pem" node.pem
  cp -r "$W" w4
  declare_stage w4 4 $((G0 + 400)) 1 2 && seal w4 4 $((G0 + 400)) block.bin || return 1
  gossip_daemon peer || return 1
  env_line EVENTS "$(gossip_ep peer events)"
  env_line CONTROL "$(gossip_ep peer control)"
}
check_pot_chaind() {
  cmp -s b3.block chain/000003.block && cmp -s block.bin chain/000004.block &&
    grep -q '"height": 4' .out
}

# pot-gossip: a peer daemon to link to, and what stage 1's declaration needs.
prep_pot_gossip() {
  copy_world genesis
  cp "$W/n1.pem" node.key
  mkdir chain
  cp -r "$W/dummy" repo
  cp "$W/states/s1" s1
  env_line RHO "$(cat "$W/states/rho1")"
  gossip_daemon peer || return 1
  env_line PEER "$(gossip_ep peer peer)"
}
check_pot_gossip() {
  local id
  id="$(pot-inspect --id td)" && cmp -s "incoming/$id.msg" td &&
    for _ in $(seq 50); do [ -s "peer-spool/training-declaration/$id.msg" ] && break; sleep 0.1; done &&
    cmp -s "peer-spool/training-declaration/$id.msg" td
}

# pot-repo: an employer's key; the block makes the repository and serves it itself.
prep_pot_repo() { cp "$W/emp.pem" emp.key; }
check_pot_repo() {
  local h
  h="$(sha256sum s1.state | cut -c1-64)" && cmp -s "repo/objects/$h" s1.state && grep -qx "$h" .out
}

# pot-node: another node to sync from and gossip with (a chaind holding the world's chain
# and a gossip daemon), the dummy's repository, and scripts/ of the source tree.
prep_pot_node() {
  copy_world genesis
  scripts_in .
  mkdir other
  pot-chaind import --db other/db --genesis genesis "$W"/chain/*.block >/dev/null || return 1
  pot-chaind run --db other/db --genesis genesis --endpoint-file other/chaind.ep --quiet &
  started $!
  wait_for other/chaind.ep || return 1
  env_line SYNC "$(cat other/chaind.ep)"
  gossip_daemon other/gossip || return 1
  env_line PEER "$(gossip_ep other/gossip peer)"
  pot-repo serve "$W/dummy" --allow-state-hashes /dev/null --endpoint-file repo.ep --quiet &
  started $!
  wait_for repo.ep || return 1
  env_line REPO "$(cat repo.ep)"
}
# It ran: its status said so in lines and as JSON, and it kept its address.
check_pot_node() {
  grep -qx true .out && grep -q "^node $(pot-keygen --show node.key) (running, pid " .out &&
    [ -s node/address ]
}

# A preparation runs in a subshell, so the daemons it starts are listed in a file, and
# stopped (and waited for) once the page's examples have run.
started() { echo "$1" >>"$T/daemons"; }
stop_daemons() {
  local p
  [ -f "$T/daemons" ] || return 0
  while read -r p; do kill "$p" 2>/dev/null; done <"$T/daemons"
  while read -r p; do while kill -0 "$p" 2>/dev/null; do sleep 0.1; done; done <"$T/daemons"
  rm -f "$T/daemons"
}
trap 'stop_daemons; rm -rf "$T"' EXIT

pages=0
for page in "$MAN"/*.1 "$MAN"/*.7; do
  name="$(basename "$page")"; name="${name%.1}"; name="${name/%.7/-7}"
  # MAN_PAGES="pot-stake pot-next" runs only those (while fixing a page).
  [ -n "${MAN_PAGES:-}" ] && [[ " $MAN_PAGES " != *" $name "* ]] && continue
  pages=$((pages + 1))
  if [ -n "${COVERED_BY[$name]:-}" ]; then
    covering="$POT_SOURCE_DIR/tests/cli/${COVERED_BY[$name]}_test.sh"
    if [ ! -f "$covering" ]; then
      fail "$name: covered by cli.${COVERED_BY[$name]}, which does not exist"
    elif ! grep -q "man/$name\.1" "$covering" || ! grep -q "^ *man_examples " "$covering"; then
      fail "$name: cli.${COVERED_BY[$name]} does not run the page's EXAMPLES (man_examples)"
    else
      pass
    fi
    continue
  fi
  fn="${name//-/_}"
  if ! declare -F "prep_$fn" >/dev/null; then
    fail "$name: no preparation here and no test listed in COVERED_BY (tests/cli/man_examples_test.sh)"
    continue
  fi
  man_examples "$page"
  if [ ! -s "$T/examples.sh" ]; then fail "$name: no EXAMPLES block"; continue; fi
  D="$T/page-$name"
  mkdir -p "$D"
  if ! (cd "$D" && : >.env && "prep_$fn") >"$D/.prep.log" 2>&1; then
    fail "$name: preparing the scratch folder failed: $(tail -5 "$D/.prep.log")"
    stop_daemons
    continue
  fi
  if run_examples "$D"; then
    if (cd "$D" && "check_$fn") >/dev/null 2>&1; then pass; else
      fail "$name: the examples ran but did not make what they say: $(tail -5 "$D/.err")"
    fi
  else
    fail "$name: the examples failed (exit $?): $(tail -5 "$D/.err")"
  fi
  stop_daemons
done
[ -n "${MAN_PAGES:-}" ] || [ "$pages" -ge 20 ] && pass || fail "only $pages man pages found in $MAN"
finish
