#!/usr/bin/python3
"""Table (markdown, stdout) and SVG plot of alpha and beta against k from run.sh's
results.tsv. Usage: report.py RESULTS_TSV OUT_SVG"""
import csv
import sys

rows = list(csv.DictReader(open(sys.argv[1]), delimiter="\t"))
# One series per (architecture, poisoned share of a stage's samples).
series = list(dict.fromkeys((r["arch"], r["fraction"]) for r in rows))

print("| arch | poisoned share | t | k | clean acc | poisoned acc | alpha | beta | s |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
    print(f"| {r['arch']} | {r['fraction']} | {r['stages']} | {r['k']} | {float(r['clean_acc']):.4f} | "
          f"{float(r['poisoned_acc']):.4f} | {float(r['alpha']):.4f} | {float(r['beta']):.4f} | {r['seconds']} |")

W, H, L, R, T, B = 720, 380, 60, 260, 30, 50
kmax = max(int(r["k"]) for r in rows) or 1
colors = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd"]
px = lambda k: L + (W - L - R) * k / kmax
py = lambda v: T + (H - T - B) * (1 - v)
out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
       f'<rect width="{W}" height="{H}" fill="white"/>',
       f'<text x="{L}" y="18">(k, t)-malicious training: alpha and beta against k (t = {rows[0]["stages"]})</text>']
for v in (0, 0.25, 0.5, 0.75, 1):
    out.append(f'<line x1="{L}" y1="{py(v)}" x2="{W - R}" y2="{py(v)}" stroke="#ddd"/>')
    out.append(f'<text x="{L - 8}" y="{py(v) + 4}" text-anchor="end">{v:g}</text>')
for k in sorted({int(r["k"]) for r in rows}):
    out.append(f'<text x="{px(k)}" y="{H - B + 16}" text-anchor="middle">{k}</text>')
out.append(f'<text x="{(L + W - R) / 2}" y="{H - 12}" text-anchor="middle">k (poisoned stages, the last k of t)</text>')
out.append(f'<line x1="{L}" y1="{T}" x2="{L}" y2="{H - B}" stroke="black"/>')
out.append(f'<line x1="{L}" y1="{H - B}" x2="{W - R}" y2="{H - B}" stroke="black"/>')
ly = T + 10
for i, (a, f) in enumerate(series):
    pts = [r for r in rows if (r["arch"], r["fraction"]) == (a, f)]
    c = colors[i % len(colors)]
    for key, dash in (("beta", ""), ("alpha", ' stroke-dasharray="5,4"')):
        path = " ".join(f"{px(int(r['k'])):.1f},{py(float(r[key])):.1f}" for r in pts)
        out.append(f'<polyline points="{path}" fill="none" stroke="{c}" stroke-width="2"{dash}/>')
        for r in pts:
            out.append(f'<circle cx="{px(int(r["k"])):.1f}" cy="{py(float(r[key])):.1f}" r="3" fill="{c}"/>')
        out.append(f'<line x1="{W - R + 10}" y1="{ly}" x2="{W - R + 35}" y2="{ly}" stroke="{c}" stroke-width="2"{dash}/>')
        out.append(f'<text x="{W - R + 40}" y="{ly + 4}">{key} {a}, share {f}</text>')
        ly += 18
out.append("</svg>")
open(sys.argv[2], "w").write("\n".join(out) + "\n")
