#!/usr/bin/env python3
"""Export a checkpoint to ONNX (opset 17, dynamic batch) with PyTorch's exporter, check it, write
model.json (keeping any existing "crop" block and other fields) and, with --data, the validation
metrics, the PyTorch probabilities for models/bin/parity-check and the confusion-matrix PNG.

  /usr/bin/python3 models/training/export.py --checkpoint models/training/runs/b3-48-cpu/best.pt \
      --model-dir models/effnetb3-fer2013 --data /path/to/fer2013 --probs models/training/runs/b3-48-cpu/val-probs.f32
"""
import argparse
import json
import os
import sys

import numpy as np
import onnx
import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fertrain import LABELS, MEAN, SCALE, SOURCE_SIZE, STD  # noqa: E402
from fertrain.checkpoint import load_model  # noqa: E402
from fertrain.data import load_split  # noqa: E402
from fertrain.metrics import classification_metrics, predict_probs  # noqa: E402

MODEL_ID = "effnetb3-fer2013"
# The face framing of a new model (camera-service cuts faces with it; see ModelManifest.Crop): a calibration
# (camera-service/scripts/calibrate-crop.sh) replaces it. Every field is written: readers have no defaults.
DEFAULT_CROP = {"calibrated": False, "boxScale": 1.0, "centerShiftX": 0.0, "centerShiftY": 0.0, "alignEyes": True,
                "method": "default, not calibrated (camera-service calibrates it)"}


def export_onnx(net: torch.nn.Module, path: str, size: int, channels: int, opset: int = 17) -> str:
    """The bare network, one pass per image. Flip TTA is not baked in: the manifest asks the consumer for it, so that
    emotion-service can run an image and its mirror as two jobs (on two cores at once when they are idle; baked in,
    the two passes ran one after the other in one run: 8.0 vs 4.1 ms at batch 1 on one core)."""
    output_name = "logits"
    dummy = torch.zeros(2, channels, size, size)
    torch.onnx.export(net.eval(), dummy, path, opset_version=opset, input_names=["input"], output_names=[output_name],
                      dynamic_axes={"input": {0: "batch"}, output_name: {0: "batch"}}, do_constant_folding=True)
    check_onnx(path, size, channels, output_name)
    return output_name


def check_onnx(path: str, size: int, channels: int, output_name: str):
    """onnx.checker plus the contract: input NCHW [batch, C, H, W] with a symbolic batch, output [batch, 7]."""
    m = onnx.load(path)
    onnx.checker.check_model(m)
    m = onnx.shape_inference.infer_shapes(m)
    (inp,) = m.graph.input
    (out,) = m.graph.output

    def dims(v):
        return [d.dim_param or d.dim_value for d in v.type.tensor_type.shape.dim]

    if inp.name != "input" or dims(inp)[1:] != [channels, size, size] or not isinstance(dims(inp)[0], str):
        raise AssertionError(f"unexpected ONNX input {inp.name} {dims(inp)}")
    if out.name != output_name or dims(out)[1:] != [len(LABELS)] or not isinstance(dims(out)[0], str):
        raise AssertionError(f"unexpected ONNX output {out.name} {dims(out)}")
    return m


def write_manifest(model_dir: str, size: int, channels: int, output_name: str, opset: int, version: str,
                   metrics: dict = None, tta: bool = False, extra: dict = None):
    path = os.path.join(model_dir, "model.json")
    manifest = {}
    if os.path.exists(path):
        with open(path) as f:
            manifest = json.load(f)  # keep crop (camera-service calibrates it) and any other fields
    manifest.update({
        "id": MODEL_ID,
        "version": version,
        "architecture": "EfficientNet-B3 (width 1.2, depth 1.4, SE, stochastic depth), trained from scratch",
        "onnx": "model.onnx",
        "opset": opset,
        "labels": LABELS,
        "input": {"name": "input", "layout": "NCHW", "channels": channels, "height": size, "width": size,
                  "grayscale": "bt601", "sourceSize": SOURCE_SIZE, "interpolation": "bilinear",
                  "histogramEqualization": False, "scale": SCALE, "mean": [MEAN] * channels, "std": [STD] * channels},
        "output": {"name": output_name, "type": "logits"},
        # flip TTA, when used, is the consumer's: the mean of the logits of the image and of its mirror, then softmax
        # (the maths of the metrics below); bakedIntoGraph is true only in manifests of models 0.1.0-0.4.0
        "tta": {"horizontalFlip": bool(tta), "bakedIntoGraph": False},
    })
    manifest.setdefault("crop", dict(DEFAULT_CROP))
    missing = [k for k in DEFAULT_CROP if k not in manifest["crop"]]
    if missing:  # a kept (calibrated) crop block must be complete: the Java reader has no defaults
        raise ValueError(f"{path}: \"crop\" lacks {missing}; complete it (camera-service/scripts/calibrate-crop.sh) "
                         f"or remove the block to get the uncalibrated default")
    if metrics is not None:
        manifest["metrics"] = {"split": "PublicTest (validation)", **metrics}
    if extra:
        manifest.update(extra)
    order = ["id", "version", "architecture", "onnx", "opset", "labels", "input", "output", "crop", "metrics", "tta"]
    manifest = {**{k: manifest[k] for k in order if k in manifest}, **{k: v for k, v in manifest.items() if k not in order}}
    text = json.dumps(manifest, indent=2) + "\n"  # serialise first: a failure must not leave half a manifest
    with open(path + ".tmp", "w") as f:
        f.write(text)
    os.replace(path + ".tmp", path)
    return manifest


def training_summary(ck: dict, weights: str) -> dict:
    """How much training the exported weights have behind them. A campaign checkpoint (promote.py) chains
    sessions, each starting from the weights the one before selected: their epochs up to the selected one add up."""
    kind = ck.get("weights_kind") or (ck["weights"] if isinstance(ck.get("weights"), str) else weights)
    campaign = ck.get("campaign")
    if campaign:
        return {"epochsTrained": sum(int(r["selected_epoch"]) + 1 for r in campaign), "sessions": len(campaign),
                "weights": kind}
    return {"epochsTrained": int(ck.get("epoch", -1)) + 1 if "metrics" in ck else None, "weights": kind}


def confusion_png(cm, path: str, title: str):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    cm = np.asarray(cm)
    norm = cm / np.maximum(cm.sum(1, keepdims=True), 1)
    fig, ax = plt.subplots(figsize=(6.4, 5.6), dpi=100)
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            ax.text(j, i, f"{cm[i, j]}\n{norm[i, j]:.0%}", ha="center", va="center", fontsize=7,
                    color="white" if norm[i, j] > 0.5 else "black")
    ax.set_xticks(range(len(LABELS)), LABELS, rotation=45, ha="right")
    ax.set_yticks(range(len(LABELS)), LABELS)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True, help="best.pt or last.pt of a run")
    p.add_argument("--weights", choices=["auto", "ema", "raw"], default="auto", help="for last.pt: EMA (default) or raw")
    p.add_argument("--model-dir", required=True, help="e.g. models/effnetb3-fer2013 (model.onnx, model.json, confusion PNG)")
    p.add_argument("--onnx-only", metavar="PATH", help="write only this ONNX file (latency candidates), no manifest")
    p.add_argument("--size", type=int, help="override the input size (latency candidates only)")
    p.add_argument("--tta", choices=["auto", "on", "off"], default="off",
                   help="ask consumers for horizontal-flip TTA in model.json (auto: if it raises val accuracy by >= 0.3 "
                   "points); the graph stays one pass per image")
    p.add_argument("--data", help="FER2013 directory: evaluate on val, write metrics into model.json")
    p.add_argument("--probs", help="write the PyTorch val probabilities here (little-endian float32 N x 7)")
    p.add_argument("--val-probs", help="PyTorch val probabilities of this checkpoint already computed (the run's "
                   "best-val-probs.f32): used instead of evaluating again; flip TTA then is not considered")
    p.add_argument("--version", default="0.1.0")
    p.add_argument("--opset", type=int, default=17)
    p.add_argument("--threads", type=int, default=0)
    args = p.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    net, cfg, ck = load_model(args.checkpoint, args.weights)
    size, channels = args.size or cfg["size"], cfg["channels"]
    if args.onnx_only:
        export_onnx(net, args.onnx_only, size, channels, args.opset)
        print(f"wrote {args.onnx_only} ({size}x{size}, {channels} channel(s))")
        return 0

    os.makedirs(args.model_dir, exist_ok=True)
    metrics, tta = None, args.tta == "on"
    if args.data:
        val = load_split(args.data, "val")
        labels = val.labels.numpy()
        if args.val_probs:
            probs = np.fromfile(args.val_probs, "<f4").reshape(-1, len(LABELS))
            if probs.shape[0] != labels.size:
                raise SystemExit(f"{args.val_probs}: {probs.shape[0]} rows, the val split has {labels.size} images")
            if args.tta == "on":
                raise SystemExit("--val-probs holds probabilities without TTA: use --tta off or leave --val-probs out")
            args.tta = "off"
        else:
            probs = predict_probs(net, val.images, size, channels)
        metrics = classification_metrics(probs, labels)
        print(f"val (PyTorch): accuracy {metrics['accuracy']:.4f} macro recall {metrics['macroRecall']:.4f}")
        if args.tta != "off":
            probs_tta = predict_probs(net, val.images, size, channels, tta=True)
            m_tta = classification_metrics(probs_tta, labels)
            print(f"val (PyTorch, flip TTA): accuracy {m_tta['accuracy']:.4f} macro recall {m_tta['macroRecall']:.4f}")
            if args.tta == "auto":
                tta = m_tta["accuracy"] >= metrics["accuracy"] + 0.003
            if tta:
                probs, metrics = probs_tta, m_tta
        if args.probs:
            probs.astype("<f4").tofile(args.probs)
            print(f"wrote {args.probs} ({probs.shape[0]} x {probs.shape[1]} float32 LE)")
    onnx_path = os.path.join(args.model_dir, "model.onnx")
    output_name = export_onnx(net, onnx_path, size, channels, args.opset)
    print(f"wrote {onnx_path} (output {output_name}; flip TTA {'asked of consumers' if tta else 'off'})")
    manifest = write_manifest(args.model_dir, size, channels, output_name, args.opset, args.version, metrics, tta,
                              {"training": training_summary(ck, args.weights)})
    print(f"wrote {os.path.join(args.model_dir, 'model.json')}")
    if metrics is not None:
        confusion_png(metrics["confusionMatrix"], os.path.join(args.model_dir, "confusion-val.png"),
                      f"{MODEL_ID} {manifest['version']}: FER2013 PublicTest (validation)\n"
                      f"accuracy {metrics['accuracy']:.1%}, macro recall {metrics['macroRecall']:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
