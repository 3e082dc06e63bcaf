#!/usr/bin/python3
"""bench/forks/plot.py CSV SVG: forks per 6 employer blocks against nodes, as
an SVG line plot: the paper's proof of concept, this toolkit without the
fork policy and with it (targets as the CSV's rows say; one line per
policy and targets, the mean of the runs at each node count)."""
import csv
import sys
from collections import defaultdict

POC = [(3, 1), (4, 4), (8, 9), (16, 16), (20, 20)]


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    series = defaultdict(lambda: defaultdict(list))
    for r in rows:
        blocks = int(r["employer_blocks"]) or 1
        # Forks per 6 employer blocks, the proof of concept's unit.
        series["policy %s, %s targets" % (r["policy"], r["targets"])][int(r["nodes"])].append(
            6 * int(r["forks"]) / blocks)
    lines = [("proof of concept (paper)", POC, "#888888")]
    colours = ["#d62728", "#1f77b4", "#ff7f0e", "#2ca02c"]
    for k, name in enumerate(sorted(series)):
        pts = sorted((n, sum(v) / len(v)) for n, v in series[name].items())
        lines.append((name, pts, colours[k % len(colours)]))
    W, H, L, B, R, T = 560, 360, 50, 40, 190, 20
    xmax = 20
    ymax = max(20, max(y for _, pts, _ in lines for _, y in pts))
    def X(x): return L + (W - L - R) * x / xmax
    def Y(y): return H - B - (H - B - T) * y / ymax
    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif" font-size="11">' % (W, H),
           '<rect width="100%" height="100%" fill="white"/>',
           '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (L, H - B, W - R, H - B),
           '<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="black"/>' % (L, H - B, L, T)]
    for x in range(0, xmax + 1, 2):
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%d</text>' % (X(x), H - B + 14, x))
    step = 5 if ymax > 10 else 1
    y = 0
    while y <= ymax:
        out.append('<text x="%d" y="%.1f" text-anchor="end">%d</text>' % (L - 4, Y(y) + 4, y))
        out.append('<line x1="%d" y1="%.1f" x2="%d" y2="%.1f" stroke="#eee"/>' % (L, Y(y), W - R, Y(y)))
        y += step
    out.append('<text x="%d" y="%d" text-anchor="middle">nodes</text>' % ((L + W - R) / 2, H - 6))
    out.append('<text x="12" y="%d" transform="rotate(-90 12 %d)" text-anchor="middle">forks per 6 blocks</text>' % ((H - B + T) / 2, (H - B + T) / 2))
    for k, (name, pts, c) in enumerate(lines):
        out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (
            c, " ".join("%.1f,%.1f" % (X(x), Y(y)) for x, y in pts)))
        for x, y in pts:
            out.append('<circle cx="%.1f" cy="%.1f" r="3" fill="%s"/>' % (X(x), Y(y), c))
        out.append('<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="%s" stroke-width="2"/>' % (W - R + 10, T + 10 + 16 * k, W - R + 28, T + 10 + 16 * k, c))
        out.append('<text x="%d" y="%d">%s</text>' % (W - R + 32, T + 14 + 16 * k, name))
    out.append('</svg>')
    with open(sys.argv[2] + ".tmp", "w") as f:
        f.write("\n".join(out) + "\n")
    import os
    os.replace(sys.argv[2] + ".tmp", sys.argv[2])


if __name__ == "__main__":
    main()
