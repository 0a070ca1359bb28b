#!/usr/bin/env python3
"""Writes the test faces: the first 5 validation images of each class (a fixed, reproducible
sample, NOT chosen by how well the model does), as 48x48 grayscale PNGs + faces.csv.

usage: /usr/bin/python3 emotion-service/scripts/make-test-faces.py --data ../shared/datasets/fer2013
"""
import argparse, lzma, pathlib
import numpy as np
from PIL import Image

LABELS = ["angry", "disgust", "fear", "happy", "neutral", "sad", "surprise"]

ap = argparse.ArgumentParser()
ap.add_argument("--data", required=True)
ap.add_argument("--out", default=str(pathlib.Path(__file__).resolve().parent.parent / "src/test/resources/faces"))
ap.add_argument("--per-class", type=int, default=5)
args = ap.parse_args()
data = pathlib.Path(args.data)
images = np.frombuffer(lzma.open(data / "val-images.u8.xz").read(), np.uint8).reshape(-1, 48, 48)
labels = np.frombuffer((data / "val-labels.u8").read_bytes(), np.uint8)
out = pathlib.Path(args.out)
out.mkdir(parents=True, exist_ok=True)
rows = []
for c, name in enumerate(LABELS):
    for index in np.flatnonzero(labels == c)[: args.per_class]:
        file = f"val-{index:04d}-{name}.png"
        Image.fromarray(images[index], mode="L").save(out / file)
        rows.append((int(index), file, name))
rows.sort()
with open(out / "faces.csv", "w") as f:
    f.write("valIndex,file,label\n")
    for index, file, name in rows:
        f.write(f"{index},{file},{name}\n")
print(f"{len(rows)} faces written to {out}")
