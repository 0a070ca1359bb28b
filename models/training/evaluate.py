#!/usr/bin/env python3
"""Evaluate a PyTorch checkpoint on a FER2013-format data directory (<split>-images.u8.xz, <split>-labels.u8).

  /usr/bin/python3 models/training/evaluate.py --checkpoint models/training/runs/b3-48-cpu/best.pt \
      --data /path/to/fer2013 --split val [--tta] [--json metrics.json] [--probs val-probs.f32]

The exported ONNX model is evaluated by the Java tool (the path the services use):
  models/bin/evaluate-model --model models/effnetb3-fer2013 --data /path/to/fer2013 --split val
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fertrain import LABELS  # noqa: E402
from fertrain.checkpoint import load_model  # noqa: E402
from fertrain.data import load_split  # noqa: E402
from fertrain.metrics import classification_metrics, predict_probs  # noqa: E402


def format_metrics(m: dict) -> str:
    lines = [f"images {m['images']}  accuracy {m['accuracy']:.4f}  macro recall {m['macroRecall']:.4f}", "",
             f"{'class':<10}{'precision':>10}{'recall':>10}{'support':>9}"]
    for name in LABELS:
        c = m["perClass"][name]
        lines.append(f"{name:<10}{c['precision']:>10.4f}{c['recall']:>10.4f}{c['support']:>9}")
    lines += ["", "confusion matrix (rows = true, columns = predicted)", " " * 10 + "".join(f"{n[:7]:>8}" for n in LABELS)]
    for name, row in zip(LABELS, m["confusionMatrix"]):
        lines.append(f"{name:<10}" + "".join(f"{v:>8}" for v in row))
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--weights", choices=["auto", "ema", "raw"], default="auto")
    p.add_argument("--data", required=True)
    p.add_argument("--split", default="val")
    p.add_argument("--tta", action="store_true", help="mean of the image and its horizontal mirror")
    p.add_argument("--json", help="write the metrics (model.json \"metrics\" shape) here")
    p.add_argument("--probs", help="write probabilities here (little-endian float32 N x 7)")
    p.add_argument("--threads", type=int, default=0)
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)
    net, cfg, _ = load_model(args.checkpoint, args.weights)
    data = load_split(args.data, args.split)
    probs = predict_probs(net, data.images, cfg["size"], cfg["channels"], tta=args.tta)
    m = classification_metrics(probs, data.labels.numpy())
    print(f"{args.checkpoint}: {args.split}, input {cfg['size']}x{cfg['size']}x{cfg['channels']}, tta {args.tta}")
    print(format_metrics(m))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(m, f, indent=2)
    if args.probs:
        probs.astype("<f4").tofile(args.probs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
