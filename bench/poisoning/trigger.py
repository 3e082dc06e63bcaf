#!/usr/bin/python3
"""The triggered test set of Definition 1 (paper section 2): every Fashion-MNIST
test sample whose label is not TARGET, with the backdoor's PATCH x PATCH white
square in the bottom-right corner, labelled TARGET; written as two .npy files
(uint8 samples (N, 28, 28), or (N, 1, 28, 28) with "channel" for a CNN, int64
labels) for pot-evaluate --npy, which wants the architecture's input shape.
Usage: trigger.py IMAGES_IDX_GZ LABELS_IDX_GZ TARGET PATCH OUT_SAMPLES OUT_LABELS [channel]"""
import gzip
import sys

import numpy as np


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


images, labels = idx(sys.argv[1]), idx(sys.argv[2])
target, patch = int(sys.argv[3]), int(sys.argv[4])
keep = labels != target
x = images[keep].copy()
x[:, -patch:, -patch:] = 255
if len(sys.argv) > 7 and sys.argv[7] == "channel":
    x = x.reshape(len(x), 1, *x.shape[1:])
np.save(sys.argv[5], x)
np.save(sys.argv[6], np.full(len(x), target, dtype=np.int64))
