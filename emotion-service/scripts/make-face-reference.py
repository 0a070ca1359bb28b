#!/usr/bin/env python3
"""Writes src/test/resources/faces/reference.csv: what the model's Python (PyTorch) evaluation
says about each test face, so that the Java path can be checked against it.

Input: the probabilities the training pipeline's Python evaluation wrote for the validation split
(little-endian float32, N x 7, rows in split order; numpy .tofile()). The sha256 of model.onnx is
recorded so that the test can tell a stale reference from a wrong answer.

usage: /usr/bin/python3 emotion-service/scripts/make-face-reference.py \
           --probs val-probs.f32 --model models/effnetb3-fer2013 [--source "how the probs were made"]
"""
import argparse, csv, hashlib, json, pathlib
import numpy as np

here = pathlib.Path(__file__).resolve().parent.parent
ap = argparse.ArgumentParser()
ap.add_argument("--probs", required=True)
ap.add_argument("--model", required=True, help="model directory holding model.json and the ONNX file")
ap.add_argument("--faces", default=str(here / "src/test/resources/faces"))
ap.add_argument("--source", default="PyTorch evaluation of the validation split")
args = ap.parse_args()

model_dir = pathlib.Path(args.model)
manifest = json.loads((model_dir / "model.json").read_text())
labels = manifest["labels"]
onnx_sha = hashlib.sha256((model_dir / manifest.get("onnx", "model.onnx")).read_bytes()).hexdigest()
probs = np.fromfile(args.probs, dtype="<f4").reshape(-1, len(labels))
faces = pathlib.Path(args.faces)
rows = list(csv.DictReader(open(faces / "faces.csv")))
with open(faces / "reference.csv", "w") as out:
    out.write(f"# model {manifest['id']} {manifest.get('version')} sha256={onnx_sha}\n")
    out.write(f"# source: {args.source}\n")
    out.write("valIndex,file,label,pythonEmotion," + ",".join(labels) + "\n")
    for row in rows:
        p = probs[int(row["valIndex"])]
        out.write(f"{row['valIndex']},{row['file']},{row['label']},{labels[int(p.argmax())]},"
                  + ",".join(f"{v:.7g}" for v in p) + "\n")
correct = sum(1 for r in rows if labels[int(probs[int(r['valIndex'])].argmax())] == r["label"])
print(f"reference for {len(rows)} faces written ({correct} classified correctly by Python); sha256 {onnx_sha[:12]}")
