#!/usr/bin/env python3
"""Quantization-aware fine-tuning for the int8 copy that quantize.py writes.

Why: quantize.py's post-training int8 copy runs 1.65-1.9x faster on the CPU but costs 1.4-2.0 points of validation
accuracy (models/training/README.md, "int8"), and the loss sits in the per-tensor uint8 activations. This script
simulates exactly that int8 graph in PyTorch, then fine-tunes the network and the ranges together so that the
simulated int8 network reproduces the float one:

* the same 381 quantization points as quantize.py, in the same order (checked against the ONNX graph's tensors on
  every forward pass): uint8 per-tensor fake quantization after the input and every Conv, Sigmoid, Mul,
  GlobalAveragePool and Add outside the float head, each starting from calibrate-activations' minimum-error range
  and learning its scale and zero point (LSQ+: torch's learnable fake quantization, gradients scaled by
  1/sqrt(values x 255));
* every convolution fed by a quantized tensor uses its BatchNorm-folded weights, fake-quantized per output channel
  to symmetric int8 (the BatchNorm statistics stay frozen, as the export folds them);
* the loss is distillation from the float network (KL divergence of the softmax outputs on the same augmented
  training batch), not the labels: the aim is the float model's function in int8, not a new model;
* the learning rates follow a cosine over the time budget; the simulated int8 network is evaluated on validation
  (flip TTA, as served) every --eval-minutes and the best is kept (validation only selects; PrivateTest is never
  read).

Out (--out): weights.pt (the fine-tuned float weights with their BatchNorms, fertrain's weights format, for
export.py), ranges.json (the learnt ranges by ONNX tensor name), summary.json (what it started from, the selected
step, the simulated validation metrics; ranges.json and summary.json are what quantize.py --qat reads) and
log.jsonl. Then:

  /usr/bin/python3 models/training/export.py --checkpoint OUT/weights.pt --model-dir /tmp/qat-float ...
  /usr/bin/python3 models/training/quantize.py --model-dir /tmp/qat-float --qat OUT \\
      --out-dir /tmp/qat-int8 --data ../shared/datasets/fer2013

  nice -n 19 /usr/bin/python3 models/training/qat.py --checkpoint models/training/checkpoints/effnetb3-fer2013-48.pt \\
      --model-dir models/effnetb3-fer2013 --data ../shared/datasets/fer2013 --out /tmp/qat --minutes 60
"""
import argparse
import copy
import json
import math
import os
import sys
import time

import numpy as np
import onnx
import torch
import torch.nn.functional as F
from torch import nn

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fertrain.augment import augment_batch  # noqa: E402
from fertrain.checkpoint import load_model, save_weights  # noqa: E402
from fertrain.data import load_split  # noqa: E402
from fertrain.depthwise import DepthwiseConv2d, _ShiftedGradDepthwiseConv, choose_weight_grad  # noqa: E402
from fertrain.metrics import classification_metrics, predict_probs  # noqa: E402
from fertrain.model import SqueezeExcitation  # noqa: E402
import quantize  # noqa: E402


class ActQuant(nn.Module):
    """uint8 per-tensor fake quantization of one ONNX tensor, with a learnt scale (as its log) and zero point."""

    def __init__(self, name: str, op: str, lo: float, hi: float):
        super().__init__()
        scale, zero = quantize.activation_params(lo, hi)
        self.name, self.op = name, op
        self.log_scale = nn.Parameter(torch.tensor([math.log(float(scale))]))
        self.zero = nn.Parameter(torch.tensor([float(zero)]))

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        grad_factor = 1.0 / math.sqrt(x[0].numel() * 255.0)
        return torch._fake_quantize_learnable_per_tensor_affine(x, self.log_scale.exp(), self.zero, 0, 255,
                                                                grad_factor)

    def range(self) -> dict:
        """lo/hi that quantize.activation_params turns back into this scale and (rounded) zero point."""
        scale = float(self.log_scale.detach().exp())
        zero = float(np.clip(round(float(self.zero.detach())), 0, 255))
        return {"lo": -zero * scale, "hi": (255.0 - zero) * scale}


def folded(conv: nn.Conv2d, bn: nn.BatchNorm2d):
    """The convolution's weight and bias with the (frozen) BatchNorm folded in, as the ONNX export has them."""
    k = bn.weight / torch.sqrt(bn.running_var + bn.eps)
    w = conv.weight * k.view(-1, 1, 1, 1)
    b = bn.bias - bn.running_mean * k
    if conv.bias is not None:
        b = b + conv.bias * k
    return w, b


def int8_weight(w: torch.Tensor) -> torch.Tensor:
    """Per-output-channel symmetric int8 (scale = max |w| / 127), as quantize.py writes it; straight-through."""
    scale = w.detach().abs().amax(dim=(1, 2, 3)).clamp(min=1e-12) / 127.0
    return torch.fake_quantize_per_channel_affine(w, scale, torch.zeros(w.shape[0], dtype=torch.int32), 0, -127, 127)


def run_conv(conv: nn.Conv2d, w: torch.Tensor, b: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
    if isinstance(conv, DepthwiseConv2d) and conv.shifted_grad and torch.is_grad_enabled():
        return _ShiftedGradDepthwiseConv.apply(x, w, conv.stride[0], conv.padding[0]) + b.view(1, -1, 1, 1)
    return F.conv2d(x, w, b, conv.stride, conv.padding, conv.dilation, conv.groups)


class QuantSimNet(nn.Module):
    """fertrain's EfficientNet computed as quantize.py's int8 graph runs it (see the module docstring). `net`'s own
    parameters are the ones trained; its BatchNorm buffers stay as they are."""

    def __init__(self, net: nn.Module, points: list, ranges: dict):
        super().__init__()
        self.net = net
        self.points = nn.ModuleList(ActQuant(name, op, ranges[name]["lo"], ranges[name]["hi"]) for name, op in points)
        self._next = 0

    def q(self, x: torch.Tensor, op: str) -> torch.Tensor:
        point = self.points[self._next]
        if point.op != op:
            raise AssertionError(f"quantization point {self._next} is {point.op} {point.name} in the ONNX graph, "
                                 f"{op} here: the simulation and the export disagree")
        self._next += 1
        return point(x)

    def conv_bn_act(self, seq: nn.Sequential, x: torch.Tensor) -> torch.Tensor:
        w, b = folded(seq[0], seq[1])
        y = self.q(run_conv(seq[0], int8_weight(w), b, x), "Conv")
        if len(seq) > 2:  # SiLU, exported as x * Sigmoid(x)
            y = self.q(y * self.q(torch.sigmoid(y), "Sigmoid"), "Mul")
        return y

    def squeeze_excitation(self, se: SqueezeExcitation, x: torch.Tensor) -> torch.Tensor:
        s = self.q(F.adaptive_avg_pool2d(x, 1), "GlobalAveragePool")
        s = self.q(F.conv2d(s, int8_weight(se.fc1.weight), se.fc1.bias), "Conv")
        s = self.q(s * self.q(torch.sigmoid(s), "Sigmoid"), "Mul")
        s = self.q(F.conv2d(s, int8_weight(se.fc2.weight), se.fc2.bias), "Conv")
        return self.q(x * self.q(torch.sigmoid(s), "Sigmoid"), "Mul")

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        self._next = 0
        features = self.net.features
        x = self.q(x, "input")
        x = self.conv_bn_act(features[0], x)
        for stage in features[1:-1]:
            for block in stage:
                y = x
                for layer in block.block:
                    y = self.squeeze_excitation(layer, y) if isinstance(layer, SqueezeExcitation) \
                        else self.conv_bn_act(layer, y)
                x = self.q(y + x, "Add") if block.use_residual else y
        if self._next != len(self.points):
            raise AssertionError(f"{self._next} of {len(self.points)} quantization points used")
        # the head: int8 weights on a quantized input, float output, SiLU, pooling and classifier in float
        head = features[-1]
        w, b = folded(head[0], head[1])
        x = F.silu(F.conv2d(x, int8_weight(w), b))
        return self.net.classifier(torch.flatten(self.net.avgpool(x), 1))

    def ranges(self) -> dict:
        return {p.name: p.range() for p in self.points}


def evaluate(model: nn.Module, val) -> dict:
    """Validation metrics with flip TTA, as emotion-service serves the model."""
    return classification_metrics(predict_probs(model, val.images, 48, tta=True), val.labels.numpy())


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--checkpoint", required=True, help="the float model's weights (what --model-dir was exported from)")
    p.add_argument("--model-dir", required=True, help="its export (model.json + ONNX): names the quantization points")
    p.add_argument("--data", required=True, help="FER2013 directory (train to fine-tune and calibrate, val to select)")
    p.add_argument("--out", required=True)
    p.add_argument("--minutes", type=float, default=60.0, help="time budget for the fine-tuning")
    p.add_argument("--eval-minutes", type=float, default=12.0, help="minutes between validation evaluations")
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-5, help="Adam learning rate of the weights (cosine to 0)")
    p.add_argument("--lr-ranges", type=float, default=1e-3, help="Adam learning rate of log(scale) and zero points")
    p.add_argument("--count", type=int, default=1024, help="training images (and mirrors) for the starting ranges")
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    os.makedirs(args.out, exist_ok=True)
    log = open(os.path.join(args.out, "log.jsonl"), "a")

    def record(**row):
        row["time"] = time.strftime("%H:%M:%S")
        print(json.dumps(row), flush=True)
        log.write(json.dumps(row) + "\n")
        log.flush()

    teacher, cfg, ck = load_model(args.checkpoint)
    manifest = json.load(open(os.path.join(args.model_dir, "model.json")))
    graph = onnx.load(os.path.join(args.model_dir, manifest["onnx"]))
    points = quantize.quantized_tensors(graph)
    ranges = quantize.calibrate(args.model_dir, graph, args.data, args.count, 32768)
    student = QuantSimNet(copy.deepcopy(teacher), points, ranges).eval()
    teacher = teacher.to(memory_format=torch.channels_last)
    student = student.to(memory_format=torch.channels_last)
    for q in teacher.parameters():
        q.requires_grad_(False)
    train, val = load_split(args.data, "train"), load_split(args.data, "val")
    example = torch.zeros(args.batch_size, 1, 48, 48).contiguous(memory_format=torch.channels_last)
    choose_weight_grad(student.net, example)

    best = evaluate(student, val)
    record(step=0, quantized_points=len(points), val_accuracy=best["accuracy"], val_macro_recall=best["macroRecall"],
           float_val_accuracy=evaluate(teacher, val)["accuracy"])

    def save(metrics, step):
        save_weights(os.path.join(args.out, "weights.pt"), student.net.state_dict(), weights_kind="qat",
                     config=cfg, epoch=ck.get("epoch", 0), metrics={"int8_simulated_val": metrics},
                     history=ck.get("history", []), extra={"qat_step": step})
        with open(os.path.join(args.out, "ranges.json"), "w") as f:
            json.dump(student.ranges(), f)
        summary = {"of": {"id": manifest["id"], "version": manifest["version"]}, "selectedStep": step,
                   "batchSize": args.batch_size, "lr": args.lr, "lrRanges": args.lr_ranges,
                   "simulatedVal": {k: metrics[k] for k in ("accuracy", "macroRecall")}}
        with open(os.path.join(args.out, "summary.json"), "w") as f:
            json.dump(summary, f, indent=2)

    save(best, 0)
    opt = torch.optim.Adam([
        {"params": list(student.net.parameters()), "lr": args.lr, "base": args.lr},
        {"params": [pt.log_scale for pt in student.points] + [pt.zero for pt in student.points],
         "lr": args.lr_ranges, "base": args.lr_ranges}])
    gen = torch.Generator().manual_seed(args.seed)
    start = last_eval = time.time()
    budget = args.minutes * 60
    step, loss_sum = 0, 0.0
    while time.time() - start < budget:
        fraction = (time.time() - start) / budget
        for group in opt.param_groups:
            group["lr"] = group["base"] * 0.5 * (1 + math.cos(math.pi * fraction))
        idx = torch.randint(len(train), (args.batch_size,), generator=gen)
        x = augment_batch(train.images[idx], 48, gen, max_rotation_deg=cfg.get("rotation", 10.0),
                          erasing_prob=cfg.get("erasing", 0.1)).contiguous(memory_format=torch.channels_last)
        with torch.no_grad():
            target = torch.softmax(teacher(x), 1)
        loss = F.kl_div(F.log_softmax(student(x), 1), target, reduction="batchmean")
        opt.zero_grad(set_to_none=True)
        loss.backward()
        opt.step()
        step += 1
        loss_sum += float(loss)
        done = time.time() - start >= budget
        if done or time.time() - last_eval >= args.eval_minutes * 60:
            m = evaluate(student, val)
            record(step=step, kd_loss=round(loss_sum / step, 5), s_per_step=round((time.time() - start) / step, 3),
                   val_accuracy=m["accuracy"], val_macro_recall=m["macroRecall"])
            if m["accuracy"] > best["accuracy"]:
                best = m
                save(m, step)
            last_eval = time.time()
    record(best_val_accuracy=best["accuracy"], best_val_macro_recall=best["macroRecall"], steps=step,
           out=args.out)


if __name__ == "__main__":
    sys.exit(main())
