#!/usr/bin/env python3
"""Static int8 (QDQ) copy of an exported float model, for serving on CPUs: ONNX Runtime runs the quantized
convolutions, sigmoids, products and sums as QLinear* kernels (u8 activations, s8 per-channel weights; VNNI where the
CPU has it). Measured on effnetb3-fer2013 0.4.1 (2-core development machine, models/training/README.md, "int8"):
1.9x faster for one face, 1.65x for 8. With calibrated ranges alone it loses 1.4-2.0 points of validation accuracy;
with qat.py's fine-tuned weights and learnt ranges (--qat) 0.4 (effnetb3-fer2013-int8 0.5.0, the served default).

  /usr/bin/python3 models/training/quantize.py --model-dir models/effnetb3-fer2013 \\
      --out-dir /tmp/effnetb3-fer2013-int8 --data ../shared/datasets/fer2013
  # the shipped int8 model (models/effnetb3-fer2013-int8): after qat.py, from the export of its weights
  /usr/bin/python3 models/training/quantize.py --model-dir /tmp/qat-float --qat /tmp/qat \\
      --out-dir models/effnetb3-fer2013-int8 --data ../shared/datasets/fer2013

Expects an export whose SE pooling is GlobalAveragePool (0.4.2 on), which has a quantized kernel.
Steps: (1) a copy with every tensor as a graph output goes to
models/bin/calibrate-activations, which runs it on --count training images (and mirrors) preprocessed by the
manifest and picks each tensor's minimum-squared-error uint8 range; (2) a QuantizeLinear/DequantizeLinear pair
goes after every tensor, weights become per-output-channel symmetric int8 and biases int32, except in the head
(the last 1x1 convolution, its SiLU and the pooling that feed the classifier), which stays float: keeping it
float was worth about +1 point of validation accuracy for ~1 ms at 8 faces; (3) the manifest is copied with the
new id, and (unless --no-evaluate) models/bin/evaluate-model writes the validation metrics into it. The ranges come
from the training split; the validation split only measures (and chose this recipe among the variants in the
training README). Put the output outside models/ unless you mean to serve it (emotion-service loads every model
directory there).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

HERE = os.path.dirname(os.path.abspath(__file__))
MODELS = os.path.dirname(HERE)
# tensors left in float: the head (features.8 = last 1x1 convolution + SiLU, then the global pooling), the flatten
# and the classifier
FLOAT_TENSORS = re.compile(r"features\.8/|/avgpool/|Flatten|logits")


def with_every_tensor_as_output(model: onnx.ModelProto) -> onnx.ModelProto:
    exposed = onnx.ModelProto()
    exposed.CopyFrom(model)
    have = {o.name for o in exposed.graph.output}
    for node in exposed.graph.node:
        for name in node.output:
            if name not in have:
                exposed.graph.output.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, None))
                have.add(name)
    return exposed


def activation_params(lo: float, hi: float):
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi - lo < 1e-8:
        hi = lo + 1e-8
    scale = (hi - lo) / 255.0
    zero = int(np.clip(round(-lo / scale), 0, 255))
    return np.float32(scale), np.uint8(zero)


def insert_qdq(model: onnx.ModelProto, ranges: dict) -> int:
    """Q/DQ after every calibrated tensor outside the float head; int8 weights for convolutions fed by one."""
    g = model.graph
    inits = {i.name: i for i in g.initializer}
    added_inits, after, before = [], {}, {}
    quantized = {}
    consumers = {}
    for node in g.node:
        for k, name in enumerate(node.input):
            consumers.setdefault(name, []).append((node, k))
    for name, _ in quantized_tensors(model):
        if name not in ranges:
            raise SystemExit(f"no calibrated range for {name}")
        scale, zero = activation_params(ranges[name]["lo"], ranges[name]["hi"])
        quantized[name] = scale
        s, z = name + "_scale", name + "_zero"
        added_inits += [numpy_helper.from_array(np.array(scale), s), numpy_helper.from_array(np.array(zero), z)]
        after[name] = [helper.make_node("QuantizeLinear", [name, s, z], [name + "_q"], name=name + "_Q"),
                       helper.make_node("DequantizeLinear", [name + "_q", s, z], [name + "_dq"], name=name + "_DQ")]
        for node, k in consumers.get(name, []):
            node.input[k] = name + "_dq"
    for node in g.node:
        source = node.input[0][:-3] if node.input[0].endswith("_dq") else None
        if node.op_type != "Conv" or source not in quantized:
            continue
        w = numpy_helper.to_array(inits[node.input[1]]).astype(np.float32)
        w_scale = np.maximum(np.abs(w.reshape(w.shape[0], -1)).max(axis=1), 1e-12) / 127.0
        w_q = np.clip(np.round(w / w_scale.reshape(-1, 1, 1, 1)), -127, 127).astype(np.int8)
        wn = node.input[1]
        added_inits += [numpy_helper.from_array(w_q, wn + "_int8"),
                        numpy_helper.from_array(w_scale.astype(np.float32), wn + "_scale"),
                        numpy_helper.from_array(np.zeros(w.shape[0], np.int8), wn + "_zero")]
        nodes = [helper.make_node("DequantizeLinear", [wn + "_int8", wn + "_scale", wn + "_zero"], [wn + "_dq"],
                                  axis=0, name=wn + "_DQ")]
        node.input[1] = wn + "_dq"
        if len(node.input) > 2 and node.input[2]:
            bn = node.input[2]
            b = numpy_helper.to_array(inits[bn]).astype(np.float64)
            b_scale = (quantized[source] * w_scale).astype(np.float32)
            added_inits += [numpy_helper.from_array(np.round(b / b_scale).astype(np.int32), bn + "_int32"),
                            numpy_helper.from_array(b_scale, bn + "_scale"),
                            numpy_helper.from_array(np.zeros(len(b_scale), np.int32), bn + "_zero")]
            nodes.append(helper.make_node("DequantizeLinear", [bn + "_int32", bn + "_scale", bn + "_zero"],
                                          [bn + "_dq"], axis=0, name=bn + "_DQ"))
            node.input[2] = bn + "_dq"
        before[node.output[0]] = nodes
    ordered = list(after.get(g.input[0].name, []))
    for node in g.node:
        ordered += before.get(node.output[0], [])
        ordered.append(node)
        for name in node.output:
            ordered += after.get(name, [])
    del g.node[:]
    g.node.extend(ordered)
    used = {i for n in g.node for i in n.input}
    kept = [i for i in g.initializer if i.name in used]
    del g.initializer[:]
    g.initializer.extend(kept + added_inits)
    return len(quantized)


def quantized_tensors(model: onnx.ModelProto) -> list:
    """(tensor name, producing op type) of every tensor insert_qdq quantizes, in graph order; the graph input's op
    type is "input". qat.py lines its fake-quantization points up with this list."""
    outputs = {o.name for o in model.graph.output}
    names = [(model.graph.input[0].name, "input")]
    activations = {model.graph.input[0].name}
    for node in model.graph.node:  # activations only: not e.g. the Identity copies of a weight the exporter may add
        if any(i in activations for i in node.input):
            activations.update(node.output)
            names += [(o, node.op_type) for o in node.output]
    return [(name, op) for name, op in names if name not in outputs and not FLOAT_TENSORS.search(name)]


def calibrate(model_dir: str, model: onnx.ModelProto, data: str, count: int, sample: int) -> dict:
    """{tensor name: {"lo", "hi"}}: models/bin/calibrate-activations' minimum-squared-error uint8 range of every
    tensor of `model` (the ONNX graph of model_dir) over `count` training images and their mirrors."""
    with tempfile.TemporaryDirectory() as tmp:
        exposed = os.path.join(tmp, "exposed.onnx")
        onnx.save(with_every_tensor_as_output(model), exposed)
        ranges_file = os.path.join(tmp, "ranges.json")
        tool("calibrate-activations", "--model", model_dir, "--graph", exposed, "--data", data,
             "--count", str(count), "--sample", str(sample), "--out", ranges_file)
        return json.load(open(ranges_file))


def write_manifest(out_dir: str, manifest: dict) -> None:
    with open(os.path.join(out_dir, "model.json"), "w") as f:
        json.dump(manifest, f, indent=2)
        f.write("\n")


def tool(name: str, *args: str) -> None:
    subprocess.run([os.path.join(MODELS, "bin", name), *args], check=True)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model-dir", required=True, help="the float model (model.json + ONNX)")
    p.add_argument("--out-dir", required=True)
    p.add_argument("--data", required=True, help="FER2013 directory (train split for calibration, val to measure)")
    p.add_argument("--count", type=int, default=1024, help="training images (and mirrors) for calibration")
    p.add_argument("--sample", type=int, default=32768, help="values per tensor kept for the range search")
    p.add_argument("--qat", metavar="DIR", help="qat.py's output: take its learnt ranges (ranges.json) instead of "
                                                 "calibrating; --model-dir is then the export of its weights.pt")
    p.add_argument("--no-evaluate", action="store_true", help="skip writing validation metrics into model.json")
    args = p.parse_args(argv)

    manifest = json.load(open(os.path.join(args.model_dir, "model.json")))
    model = onnx.load(os.path.join(args.model_dir, manifest["onnx"]))
    os.makedirs(args.out_dir, exist_ok=True)
    qat = None
    if args.qat:
        ranges = json.load(open(os.path.join(args.qat, "ranges.json")))
        qat = json.load(open(os.path.join(args.qat, "summary.json")))
    else:
        ranges = calibrate(args.model_dir, model, args.data, args.count, args.sample)
    tensors = insert_qdq(model, ranges)
    onnx.checker.check_model(model)
    onnx.save(model, os.path.join(args.out_dir, "model.onnx"))

    out = dict(manifest)
    out["id"] = manifest["id"] + "-int8"
    out["onnx"] = "model.onnx"
    of = qat["of"] if qat else {"id": manifest["id"], "version": manifest["version"]}
    out["architecture"] = manifest["architecture"] + "; static int8 (QDQ) copy of " + of["id"] + " " + of["version"] + \
        (", quantization-aware fine-tuned" if qat else "")
    out["quantization"] = {
        "of": of,
        "scheme": "static QDQ: uint8 activations (per tensor, asymmetric), int8 weights (per output channel, "
                  "symmetric), int32 biases; head (last 1x1 convolution, its SiLU, global pooling) and classifier "
                  "in float",
        "calibration": "ranges learnt by quantization-aware fine-tuning (models/training/qat.py: the int8 graph "
                       "simulated, distilled from the float model, weights and ranges learnt together; selected at "
                       f"step {qat['selectedStep']} of batch {qat['batchSize']} on validation)" if qat else
                       f"{args.count} evenly spaced FER2013 training images and their mirrors, minimum-squared-"
                       "error range per tensor (models/bin/calibrate-activations)",
        "tensors": tensors,
        "method": "models/training/qat.py, then quantize.py --qat" if qat else "models/training/quantize.py",
    }
    out.pop("metrics", None)
    write_manifest(args.out_dir, out)  # evaluate-model reads it
    print(f"{tensors} tensors quantized -> {args.out_dir}")
    if not args.no_evaluate:
        metrics_file = os.path.join(args.out_dir, "metrics.json.tmp")
        tool("evaluate-model", "--model", args.out_dir, "--data", args.data, "--split", "val", "--json", metrics_file)
        out["metrics"] = json.load(open(metrics_file))
        os.remove(metrics_file)
        write_manifest(args.out_dir, out)
        from export import confusion_png  # torch and matplotlib: only here
        confusion_png(out["metrics"]["confusionMatrix"], os.path.join(args.out_dir, "confusion-val.png"),
                      f"{out['id']} {out['version']} (int8), validation")


if __name__ == "__main__":
    sys.exit(main())
