"""Loads a pot-export file with the pot_model.py it wrote, in Debian's python3-torch
(numpy reads the safetensors layout; nothing from pip), and prints the number of the
first N Fashion-MNIST test samples it classifies correctly.

Usage: export_eval.py MODEL_DIR EXPORT N
"""
import importlib.util
import sys

import numpy as np
import torch

from idx_files import FASHION, idx




def main():
    model_dir, export, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    spec = importlib.util.spec_from_file_location("pot_model", model_dir + "/pot_model.py")
    pot_model = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(pot_model)
    model, meta = pot_model.load(export)
    images = torch.from_numpy(idx(FASHION + "/t10k-images-idx3-ubyte.gz")[:n].copy())
    labels = torch.from_numpy(idx(FASHION + "/t10k-labels-idx1-ubyte.gz")[:n].astype(np.int64))
    torch.set_num_threads(1)
    with torch.no_grad():
        logits = model(pot_model.preprocess(images))
    print(int((logits.argmax(1) == labels).sum()), meta["stage"], meta["architecture"])


if __name__ == "__main__":
    main()
