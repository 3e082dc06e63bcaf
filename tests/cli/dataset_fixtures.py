"""Writes the small datasets the input tests read (Debian's python3-numpy; the
values come from a fixed LCG so every run writes the same bytes).

Usage: dataset_fixtures.py DIR
Writes DIR/iris.csv (4 float features, a text label, 203 rows), DIR/iris-test.csv,
DIR/iris-unknown.csv (a label never seen in training), DIR/x.npy (float32
(256, 3, 4, 4)), DIR/y.npy (int64 (256,)), DIR/xy.npz (the same arrays as
"samples" and "targets"), DIR/x64.npy (float64, an unsupported dtype).
"""
import sys

import numpy as np


def lcg(n, state=12345):
    out = []
    for _ in range(n):
        state = (state * 1103515245 + 12345) % (1 << 31)
        out.append(state / float(1 << 31))
    return out


def iris(path, rows, names, offset):
    values = lcg(rows * 5, 99 + offset)
    with open(path, "w") as f:
        f.write("sepal_length,sepal_width,petal_length,petal_width,species\n")
        for r in range(rows):
            k = int(values[5 * r] * len(names))
            # Each class's features sit around their own centre, so a model can learn them.
            feats = [k * 1.5 + values[5 * r + 1 + i] for i in range(4)]
            f.write(",".join("%.3f" % v for v in feats) + "," + names[k] + "\n")


def main():
    d = sys.argv[1]
    names = ["setosa", "versicolor", "virginica"]
    iris(d + "/iris.csv", 203, names, 0)
    iris(d + "/iris-test.csv", 60, names, 1)
    iris(d + "/iris-unknown.csv", 10, names + ["rose"], 2)
    n = 256
    y = np.array([int(v * 4) for v in lcg(n, 7)], dtype=np.int64)
    x = np.array(lcg(n * 48, 11), dtype=np.float32).reshape(n, 3, 4, 4)
    x += y.astype(np.float32).reshape(n, 1, 1, 1)
    np.save(d + "/x.npy", x)
    np.save(d + "/y.npy", y)
    np.savez(d + "/xy.npz", samples=x, targets=y)
    np.save(d + "/x64.npy", x.astype(np.float64))


if __name__ == "__main__":
    main()
