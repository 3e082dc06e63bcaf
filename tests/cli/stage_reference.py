"""One stage of docs/protocol.md's stage function re-run in Debian's python3-torch,
independently of pot-train-stage: the partition's shuffle, the minibatch loop in
training mode (BatchNorm updates its running statistics), per-sample losses into
rho, plain SGD as `p.add_(grad, alpha=-lr)`. Reads S_{i-1} from a pot-export file
and writes S_i as one, so `pot-export --verify` re-derives H(S_i) from its tensors.

Usage: stage_reference.py MODULE PREV_EXPORT OUT_EXPORT STAGE SEED N DELTA B LR
(under the environment of `pot-train-stage print-env PROFILE`)
Prints "rho HEX" and "loss_sum X" (the float32 losses' sum, for the log).
Samples: the first N of Fashion-MNIST's training set, epoch 0.
"""
import hashlib
import json
import struct
import sys

import numpy as np
import torch
import torch.nn.functional as F

from idx_files import FASHION, idx

DTYPES = {"F32": ("<f4", torch.float32), "I64": ("<i8", torch.int64)}
NAMES = {torch.float32: "F32", torch.int64: "I64"}



def permutation(seed, epoch, n):
    """The partition's Fisher-Yates shuffle (docs/protocol.md, Partition and S_0)."""
    perm = list(range(n))
    counter, used, h = 0, 4, b""
    for i in range(n, 1, -1):
        if used == 4:
            h = hashlib.sha256(b"pot/v1/shuffle" + struct.pack("<QIQ", seed, epoch, counter)).digest()
            counter += 1
            used = 0
        r = int.from_bytes(h[used * 8:used * 8 + 8], "little")
        used += 1
        j = r % i
        perm[i - 1], perm[j] = perm[j], perm[i - 1]
    return perm


def read_export(path):
    with open(path, "rb") as f:
        raw = f.read()
    n = int.from_bytes(raw[:8], "little")
    header = json.loads(raw[8:8 + n])
    data = raw[8 + n:]
    meta = header.pop("__metadata__")
    tensors = {}
    for name, e in header.items():
        a, b = e["data_offsets"]
        np_dtype, _ = DTYPES[e["dtype"]]
        tensors[name] = torch.from_numpy(np.frombuffer(data[a:b], dtype=np_dtype).reshape(e["shape"]).copy())
    return tensors, meta


def write_export(path, tensors, meta):
    header, blobs, at = {"__metadata__": meta}, [], 0
    for name, t in tensors:
        blob = t.detach().contiguous().numpy().tobytes()
        header[name] = {"dtype": NAMES[t.dtype], "shape": list(t.shape), "data_offsets": [at, at + len(blob)]}
        blobs.append(blob)
        at += len(blob)
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(len(text).to_bytes(8, "little") + text + b"".join(blobs))


def main():
    module, prev, out, stage, seed, n, delta, b, lr = sys.argv[1:10]
    stage, seed, n, delta, b, lr = int(stage), int(seed), int(n), int(delta), int(b), float(lr)
    # The compute profile's settings that a process sets itself (the BLAS,
    # its core type and ATen's capability come from the environment the
    # caller takes from `pot-train-stage print-env`): oneDNN off, as
    # enforceComputeProfile turns it off, since its convolutions give other bits.
    torch.set_num_threads(1)
    torch.backends.mkldnn.enabled = False
    model = torch.jit.load(module)
    model.train()
    tensors, meta = read_export(prev)
    if meta["optimizer"] != "sgd" or meta["optimizerState"]:
        raise SystemExit("this reference runs plain SGD only")
    params = dict(model.named_parameters())
    buffers = dict(model.named_buffers())
    with torch.no_grad():
        for name, t in tensors.items():
            (params[name] if name in params else buffers[name]).copy_(t)
    images = idx(FASHION + "/train-images-idx3-ubyte.gz")[:n]
    labels = idx(FASHION + "/train-labels-idx1-ubyte.gz")[:n].astype(np.int64)
    order = permutation(seed, 0, n)[(stage - 1) * delta:stage * delta]
    x_all = torch.from_numpy(images[order].copy()).reshape(len(order), 1, 28, 28)
    y_all = torch.from_numpy(labels[order].copy())
    seed_hash = hashlib.sha256(struct.pack("<QI", seed, stage)).digest()
    torch.manual_seed(int.from_bytes(seed_hash[:8], "little"))
    rho, losses = None, []
    for start in range(0, len(order), b):
        x = x_all[start:start + b].to(torch.float32).div_(255.0)
        loss = F.cross_entropy(model(x), y_all[start:start + b], reduction="none")
        for v in loss.detach().numpy().astype("<f4"):
            bits = v.tobytes()
            rho = hashlib.sha256(bits if rho is None else bits + rho).digest()
            losses.append(float(v))
        for p in params.values():
            p.grad = None
        loss.mean().backward()
        with torch.no_grad():
            for p in params.values():
                p.add_(p.grad, alpha=-lr)
    meta = dict(meta)
    meta["stage"] = str(stage)
    meta["step"] = str(int(meta["step"]) + len(order) // b)
    meta.pop("stateHash", None)
    named = [(k, params[k]) for k in meta["parameters"].split(",")]
    named += [(k, buffers[k]) for k in meta["buffers"].split(",")]
    write_export(out, named, meta)
    print("rho", rho.hex())
    print("loss_sum", sum(losses))


if __name__ == "__main__":
    main()
