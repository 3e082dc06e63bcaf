#!/usr/bin/env bash
# The employer's side from the chain (DESIGN 4.7, 7): a small real chain whose dummy model is a
# Fashion-MNIST MLP trained for real by pot-train-stage over 3 blocks (stage 2 with a published
# loss trace). pot-export from the chain (latest and a given stage, block id and height in the
# metadata; the devnet's --db form), --verify against the chain (0 same weights, 1 one weight
# changed), a stage not on chain; pot-evaluate --per-stage in one process, equal to
# pot-evaluate of each state and to PyTorch on the export; pot-report's page rendered in
# headless Chromium (plots non-blank where they are, title and axis labels in the DOM).
# Cost: about 30 s (three 256-sample stages, per-stage evaluations on 2000 samples, Chromium).
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/consensus_lib.sh"
source "$(dirname "$0")/train_lib.sh"
PY=/usr/bin/python3
EVAL="$(dirname "$0")/export_eval.py"
declare -A KEYFILE
for i in 1 2 3 4; do
  pot-keygen -o "$T/n$i.pem" >/dev/null
  KEYFILE[$(pot-keygen --show "$T/n$i.pem")]="$T/n$i.pem"
done
pot-keygen -o "$T/emp.pem" >/dev/null
# 1024 Fashion-MNIST samples, 4 stages of 256; the dummy model, so no registration is needed.
expect_exit 0 pot-partition -q -k "$T/emp.pem" -o "$T/repo" --limit 1024 --samples-per-stage 256 \
  -b 32 --optimizer sgd --lr 0.05 --momentum 0.9 --seed 5 --profile x86-64-v3 -C 2 \
  --created-at "$G0"
MODEL="$(cat "$T/out")"
REPO="$T/repo"
mkdir -p "$T/chain"
expect_exit 0 pot-genesis -o "$T/genesis" --timestamp "$G0" --stakeholders 3 --min-stake-age 10 \
  --declaration-target max --header-target max --dummy-request "$REPO/request" \
  --alloc "$T/n1.pem=100000000000" --alloc "$T/n2.pem=100000000000" \
  --alloc "$T/n3.pem=100000000000" --alloc "$T/n4.pem=100000000000"
GEN=(--genesis "$T/genesis" --chain "$T/chain")

# block STAGE NOW OUT RHO STATE [pot-build-header options...]: n1 and n2 declare, n3 builds.
block() {
  local stage="$1" now="$2" out="$3" rho="$4" state="$5" sigs=() k; shift 5
  for i in 1 2; do
    pot-declare "${GEN[@]}" -k "$T/n$i.pem" --model "$MODEL" -s "$stage" --state-hash "$state" \
      --rho "$rho" --now "$now" -o "$T/td$i" >/dev/null || fail "pot-declare n$i failed"
  done
  pot-build-header "${GEN[@]}" -k "$T/n3.pem" --rho "$rho" --state-hash "$state" --now "$now" \
    "$@" -o "$T/header" "$T/td1" "$T/td2" >/dev/null || fail "pot-build-header failed"
  mapfile -t drawn < <(pot-stake "${GEN[@]}" --header "$T/header" --list)
  for ((k = 1; k < 3; k++)); do
    pot-stake "${GEN[@]}" --header "$T/header" -k "${KEYFILE[${drawn[$((k - 1))]}]}" "${sigs[@]}" \
      -o "$T/sig$k" >/dev/null || fail "pot-stake $k failed"
    sigs+=(--signature "$T/sig$k")
  done
  pot-stake "${GEN[@]}" --header "$T/header" -k "${KEYFILE[${drawn[2]}]}" "${sigs[@]}" \
    -d "$T/td1" -d "$T/td2" -o "$out" >/dev/null || fail "pot-stake (wrapper) failed"
  cp "$out" "$T/chain/$(printf '%06d' "$stage").block"
}

prev=""
for s in 1 2 3; do
  extra=() hdr=()
  [ "$s" = 2 ] && extra=(--loss-trace "$T/trace-2")
  expect_exit 0 pot-train-stage -q --repo "$REPO" -s "$s" ${prev:+--state "$prev"} -o "$T/s$s" \
    "${extra[@]}"
  rho="$(field rho "$T/out")"; state="$(field state "$T/out")"
  cp "$T/s$s" "$REPO/objects/$state"
  STATE[$s]="$state"
  if [ "$s" = 2 ]; then
    cp "$T/trace-2" "$REPO/objects/$(sha256sum "$T/trace-2" | cut -c1-64)"
    hdr=(--loss-trace "$T/trace-2")
  fi
  block "$s" $((G0 + 100 * s)) "$T/b$s" "$rho" "$state" "${hdr[@]}"
  prev="$T/s$s"
done
expect_exit 0 pot-chaind import --db "$T/db" --genesis "$T/genesis" "$T"/chain/*.block

# safetensors metadata as KEY=VALUE lines.
meta() {
  "$PY" -c 'import json,struct,sys
f=open(sys.argv[1],"rb"); n=struct.unpack("<Q",f.read(8))[0]; m=json.loads(f.read(n))["__metadata__"]
[print(k+"="+v) for k,v in sorted(m.items())]' "$1"
}

# Export of the latest stage, in the devnet's exact form (--db): stage 3, the block that
# recorded H(S_3) and its height in the metadata, the weights of s3 byte for byte.
expect_exit 0 pot-export --db "$T/db" --repo "$REPO" --model "$MODEL" -o "$T/latest.safetensors"
meta "$T/latest.safetensors" >"$T/meta"
expect_grep '^stage=3$' "$T/meta"
expect_grep '^height=3$' "$T/meta"
expect_grep "^modelId=$MODEL$" "$T/meta"
expect_grep "^stateHash=${STATE[3]}$" "$T/meta"
block3="$(grep '^blockId=' "$T/meta" | cut -d= -f2)"
[ "${#block3}" = 64 ] && pass || fail "no blockId in the metadata: $(cat "$T/meta")"
expect_exit 0 pot-export "$T/s3" -o "$T/s3.safetensors" --request "$REPO/request"
expect_exit 0 pot-export --verify "$T/s3.safetensors" --state-hash "${STATE[3]}"
# The same from --genesis --chain, a given stage, with --json and the module file.
expect_exit 0 pot-export "${GEN[@]}" --repo "$REPO" --model "$MODEL" --stage 2 \
  -o "$T/s2.safetensors" --pytorch "$T" --json
expect_grep '"stage": 2' "$T/out"
expect_grep '"height": 2' "$T/out"
meta "$T/s2.safetensors" >"$T/meta2"
expect_grep "^stateHash=${STATE[2]}$" "$T/meta2"
[ "$(grep '^blockId=' "$T/meta2")" != "$(grep '^blockId=' "$T/meta")" ] && pass ||
  fail "stages 2 and 3 name the same block"

# A stage not on chain: invalid (1), one line naming what the chain has, no file.
expect_exit 1 pot-export --db "$T/db" --repo "$REPO" --model "$MODEL" --stage 9 \
  -o "$T/never.safetensors"
expect_error_line pot-export
expect_grep 'stage 9 of model .* is not on the best chain (it records stages 1-3)' "$T/err"
expect_no_file "$T/never.safetensors"
# A model the chain does not know: 1. No repository: usage (2). A state missing from the
# repository: I/O (4).
expect_exit 1 pot-export --db "$T/db" --repo "$REPO" --model "$(fake_hash nobody)" -o "$T/never"
expect_grep 'not registered on the best chain' "$T/err"
expect_exit 2 pot-export --db "$T/db" --model "$MODEL" -o "$T/never"
expect_exit 2 pot-export "$T/s3" --model "$MODEL"
mkdir -p "$T/thin/objects"
expect_exit 4 pot-export --db "$T/db" --repo "$T/thin" --model "$MODEL" -o "$T/never"
expect_error_line pot-export
expect_no_file "$T/never"

# --verify against the chain: the export's model and stage from its metadata (or given).
expect_exit 0 pot-export --verify "$T/latest.safetensors" --db "$T/db"
expect_grep "^${STATE[3]}$" "$T/out"
expect_exit 0 pot-export --verify "$T/s2.safetensors" "${GEN[@]}" --json
expect_grep '"same": true' "$T/out"
expect_grep '"height": 2' "$T/out"
# The stage-2 weights are not what the chain recorded for stage 3: 1.
expect_exit 1 pot-export --verify "$T/s2.safetensors" --db "$T/db" --stage 3
expect_error_line pot-export
# One weight changed (the file's last byte): 1.
cp "$T/latest.safetensors" "$T/edited.safetensors"
size="$(stat -c %s "$T/edited.safetensors")"
printf '\x01' | dd of="$T/edited.safetensors" bs=1 seek=$((size - 1)) conv=notrunc status=none
expect_exit 1 pot-export --verify "$T/edited.safetensors" --db "$T/db"
expect_grep "not the chain's ${STATE[3]} of stage 3" "$T/err"
# An export that names no model (made without --request) needs --model; then it checks.
expect_exit 0 pot-export "$T/s3" -o "$T/bare.safetensors"
expect_exit 1 pot-export --verify "$T/bare.safetensors" --db "$T/db"
expect_grep 'names no model id' "$T/err"
expect_exit 0 pot-export --verify "$T/bare.safetensors" --db "$T/db" --model "$MODEL"
# A stage the chain does not have: 1. --state-hash is the chain's job here: usage (2).
expect_exit 1 pot-export --verify "$T/latest.safetensors" --db "$T/db" --stage 4
expect_grep 'is not on the best chain' "$T/err"
expect_exit 2 pot-export --verify "$T/latest.safetensors" --db "$T/db" --state-hash "${STATE[3]}"

# pot-evaluate --per-stage: S_0 and stages 1-3 in one process; each row equals pot-evaluate
# of that state file, and PyTorch on the chain's export scores what the stage-3 row says.
expect_exit 0 pot-evaluate --per-stage --db "$T/db" --repo "$REPO" --model "$MODEL" --limit 2000 \
  --json
cp "$T/out" "$T/per-stage.json"
[ "$(json_get "$T/per-stage.json" 'len(m["stages"])')" = 4 ] && pass ||
  fail "expected 4 rows: $(cat "$T/per-stage.json")"
for s in 1 2 3; do
  expect_exit 0 pot-evaluate --limit 2000 "$T/s$s" --json
  want="$(json_field correct "$T/out")"
  got="$(json_get "$T/per-stage.json" "m['stages'][$s]['correct']")"
  [ "$got" = "$want" ] && pass || fail "stage $s: --per-stage says $got, pot-evaluate $want"
done
expect_exit 0 "$PY" "$EVAL" "$T" "$T/latest.safetensors" 2000
read -r torch_correct stage arch <"$T/out"
want="$(json_get "$T/per-stage.json" "m['stages'][3]['correct']")"
[ "$torch_correct" = "$want" ] && [ "$stage" = 3 ] && pass ||
  fail "PyTorch scored $torch_correct (stage $stage), pot-evaluate --per-stage $want"
echo "chain export: $torch_correct/2000 in PyTorch and in pot-evaluate --per-stage"
expect_exit 0 pot-evaluate --per-stage "${GEN[@]}" --repo "$REPO" --model "$MODEL" --limit 500
expect_grep '^stage  height  accuracy' "$T/out"
[ "$(grep -c '^ *[0-3]  ' "$T/out")" = 4 ] && pass || fail "table: $(cat "$T/out")"
# A state missing from the repository: its row says so, the others are evaluated, exit 4.
cp -r "$REPO" "$T/holey"
rm "$T/holey/objects/${STATE[2]}"
expect_exit 4 pot-evaluate --per-stage --db "$T/db" --repo "$T/holey" --model "$MODEL" \
  --limit 500
expect_grep '^    2       2  missing' "$T/out"
[ "$(grep -c '  0\.[0-9]\{4\}  ' "$T/out")" = 3 ] && pass || fail "other rows: $(cat "$T/out")"
expect_error_line pot-evaluate
expect_exit 2 pot-evaluate --per-stage --db "$T/db" --repo "$REPO"
expect_exit 2 pot-evaluate --per-stage "$T/s3" --db "$T/db" --repo "$REPO" --model "$MODEL"

# pot-report: the page, in the devnet's exact form plus a test-set limit.
expect_exit 0 pot-report "$MODEL" --db "$T/db" --repo "$REPO" --limit 2000 -o "$T/report.html" \
  --keys "$T"
R="$T/report.html"
expect_grep "<title>PoT report: model ${MODEL:0:16}</title>" "$R"
[ "$(grep -c '<svg xmlns' "$R")" = 4 ] && pass || fail "expected 4 inline SVGs"
if grep -Eqi '<script|<link|<img|src=|url\(' "$R"; then fail "the page fetches or runs something"; else pass; fi
# Loss from the published trace for stage 2, re-run (and checked) for stages 1 and 3.
expect_grep '<td>trace</td>' "$R"
[ "$(grep -c '<td>re-run</td>' "$R")" = 2 ] && pass || fail "expected 2 re-run losses"
# Stage 3's accuracy on the page is pot-evaluate's.
acc3="$(json_get "$T/per-stage.json" "'%.4f' % m['stages'][3]['accuracy']")"
expect_grep "<td class=\"n\">3</td><td class=\"n\">3</td>.*<td class=\"n\">$acc3</td>" "$R"
expect_grep '<td>n1, n2</td>' "$R"
# Without evaluation: no accuracy, and the losses only where a trace is published.
expect_exit 0 pot-report "$MODEL" "${GEN[@]}" --repo "$REPO" --no-evaluate -o "$T/quick.html"
expect_grep 'not evaluated (--no-evaluate)' "$T/quick.html"
[ "$(grep -c '<td>no loss trace published</td>' "$T/quick.html")" = 2 ] && pass ||
  fail "expected 2 stages without a trace"
# Single plots.
expect_exit 0 pot-report "$MODEL" --db "$T/db" --repo "$REPO" --no-evaluate --svg loss \
  -o "$T/loss.svg"
head -c 40 "$T/loss.svg" | grep -q '^<svg xmlns' && pass || fail "loss.svg is not an SVG"
expect_grep '>mean cross-entropy</text>' "$T/loss.svg"
expect_exit 2 pot-report "$MODEL" --db "$T/db" --svg pie -o "$T/never.svg"
expect_one_line_error pot-report
expect_no_file "$T/never.svg"
expect_exit 1 pot-report "$(fake_hash nobody)" --db "$T/db" --no-evaluate -o "$T/never.html"
expect_no_file "$T/never.html"

# Rendered: Chromium (no network, no scripts) draws the page; each plot's 480x300 cell (under
# the 96 px heading, 16 px from the left, 8 px apart) holds ink of the plot colours, and the
# DOM has the title and the axis labels.
CHROME=(chromium --headless --no-sandbox --disable-gpu --disable-javascript
  --user-data-dir="$T/chrome" --hide-scrollbars)
timeout 120 "${CHROME[@]}" --window-size=1000,720 --screenshot="$T/page.png" "file://$R" \
  >/dev/null 2>&1
[ -s "$T/page.png" ] && pass || fail "chromium wrote no screenshot"
timeout 120 "${CHROME[@]}" --dump-dom "file://$R" >"$T/dom.html" 2>/dev/null
expect_grep "<title>PoT report: model ${MODEL:0:16}</title>" "$T/dom.html"
for label in 'minutes since registration' '>stage<' 'mean cross-entropy' '>accuracy<' '>coins<'; do
  expect_grep "$label" "$T/dom.html"
done
"$PY" - "$T/page.png" <<'PYEOF' >"$T/cells" 2>&1
import struct, sys, zlib
def png(path):
    data = open(path, "rb").read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, w = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        if kind == b"IHDR":
            w, h, depth, ctype = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and ctype in (2, 6), (depth, ctype)
            bpp = 3 if ctype == 2 else 4
        elif kind == b"IDAT":
            idat += body
        pos += 12 + n
    raw, rows, prev, stride, i = zlib.decompress(idat), [], bytearray(w * bpp), w * bpp, 0
    for _ in range(h):
        f, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], prev[x - bpp] if x >= bpp else 0
            if f == 1: line[x] = (line[x] + a) & 255
            elif f == 2: line[x] = (line[x] + b) & 255
            elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
            elif f == 4:
                p = a + b - c; pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line)); prev = line
    return w, h, bpp, rows
w, h, bpp, rows = png(sys.argv[1])
for name, (x0, y0) in (("stages", (16, 96)), ("loss", (504, 96)), ("accuracy", (16, 404)),
                       ("rewards", (504, 404))):
    ink = colour = 0
    for y in range(y0 + 30, y0 + 250):
        r = rows[y]
        for x in range(x0 + 70, x0 + 460):
            R, G, B = r[x * bpp], r[x * bpp + 1], r[x * bpp + 2]
            if R + G + B < 720: ink += 1
            if B > 150 and R < 80: colour += 1  # the plots' blue
    print(name, ink, colour)
PYEOF
while read -r name ink colour; do
  [ "$ink" -gt 300 ] && [ "$colour" -gt 50 ] && pass ||
    fail "plot '$name' looks blank in the screenshot: $ink dark, $colour blue pixels"
done <"$T/cells"
[ "$(wc -l <"$T/cells")" = 4 ] && pass || fail "screenshot not read: $(cat "$T/cells")"
cp "$T/page.png" /tmp/h1-report-page.png 2>/dev/null || true
finish
