#!/usr/bin/env python3
"""The model's Python evaluation of the validation split, with the training pipeline's own code
(models/training/fertrain: load_model + predict_probs, i.e. the PyTorch preprocessing of model.json):
writes little-endian float32 N x 7 probabilities for make-face-reference.py and models/bin/parity-check.

usage: /usr/bin/python3 emotion-service/scripts/python-val-probs.py <checkpoint.pt> <out.f32> [N] [--data DIR]
"""
import os, sys
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "..", "models", "training"))
DATA = sys.argv[sys.argv.index("--data") + 1] if "--data" in sys.argv else os.path.join(HERE, "..", "..", "..", "shared", "datasets", "fer2013")
args = [a for i, a in enumerate(sys.argv) if a != "--data" and (i == 0 or sys.argv[i - 1] != "--data")]
import torch
from fertrain.checkpoint import load_model
from fertrain.data import load_split
from fertrain.metrics import predict_probs
torch.set_num_threads(1)
net, cfg, ck = load_model(args[1])
val = load_split(DATA, 'val')
n = int(args[3]) if len(args) > 3 else val.images.shape[0]
p = predict_probs(net, val.images[:n], cfg['size'], cfg['channels'])
p.astype('<f4').tofile(args[2])
print(f"wrote {args[2]}: {p.shape[0]} x {p.shape[1]} probabilities (input {cfg['size']}x{cfg['size']})")
