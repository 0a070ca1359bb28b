#!/usr/bin/env python3
"""Seconds per training step on this machine, the pipeline as it was (commit c9d055f) against as it is,
in one run, alternating, on the same real batches: NCHW + SiLU in place + torch's depthwise weight gradient +
AdamW(foreach=False) + an EMA loop over tensors ("before") vs channels_last + SiLU not in place + the
shifted-product gradient where it measured faster + AdamW(foreach=True) + a foreach EMA ("after").

  /usr/bin/python3 models/training/bench_step.py --data ../shared/datasets/fer2013 --steps 30 --rounds 2
(pause the campaign first: models/training/campaign.sh pause)"""
import argparse
import os
import sys
import time

import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fertrain import LABELS  # noqa: E402
from fertrain.augment import augment_batch  # noqa: E402
from fertrain.data import load_split  # noqa: E402
from fertrain.depthwise import choose_weight_grad  # noqa: E402
from fertrain.model import efficientnet_b3  # noqa: E402
from train import Ema, class_weights  # noqa: E402


class LoopEma(Ema):
    """The EMA update as it was: one mul_/add_ pair per tensor."""

    @torch.no_grad()
    def update(self, model, step):
        d = min(self.decay, (1 + step) / (10 + step))
        for e, m in zip(self.model.state_dict().values(), model.state_dict().values()):
            if e.dtype.is_floating_point:
                e.mul_(d).add_(m.detach(), alpha=1 - d)
            else:
                e.copy_(m)


def setup(variant: str, batch: int, size: int):
    torch.manual_seed(1)
    model = efficientnet_b3(len(LABELS), 1, dropout=0.25, drop_path=0.1)
    fmt = torch.channels_last if variant == "after" else torch.contiguous_format
    if variant == "after":
        model = model.to(memory_format=fmt)
        choose_weight_grad(model, torch.zeros(batch, 1, size, size).contiguous(memory_format=fmt))
    else:
        for m in model.modules():
            if isinstance(m, torch.nn.SiLU):
                m.inplace = True
    decay = [p for p in model.parameters() if p.ndim > 1]
    no_decay = [p for p in model.parameters() if p.ndim <= 1]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.05}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-3, foreach=variant == "after")
    ema = (Ema if variant == "after" else LoopEma)(model, 0.999)
    return model, opt, ema, fmt


def run(variant, state, batches, weights, first_step):
    model, opt, ema, fmt = state
    model.train()
    times = []
    for i, (x, y) in enumerate(batches):
        t0 = time.perf_counter()
        x = x.contiguous(memory_format=fmt)
        target = F.one_hot(y, len(LABELS)).float() * 0.9 + 0.1 / len(LABELS)
        loss = -(target * F.log_softmax(model(x), 1) * weights).sum(1).mean()
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
        opt.step()
        ema.update(model, first_step + i)
        float(loss)
        times.append(time.perf_counter() - t0)
    return times


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True)
    p.add_argument("--steps", type=int, default=30, help="measured steps per variant and round")
    p.add_argument("--rounds", type=int, default=2, help="before/after alternations")
    p.add_argument("--warmup", type=int, default=3)
    p.add_argument("--batch-size", type=int, default=64)
    p.add_argument("--size", type=int, default=48)
    p.add_argument("--threads", type=int, default=2)
    args = p.parse_args(argv)
    torch.set_num_threads(args.threads)
    train = load_split(args.data, "train")
    weights = class_weights(train.labels, 0.5)
    g = torch.Generator().manual_seed(0)
    n_batches = args.warmup + args.steps
    batches = []
    for _ in range(n_batches):
        idx = torch.randint(len(train), (args.batch_size,), generator=g)
        batches.append((augment_batch(train.images[idx], args.size, g), train.labels[idx]))
    states = {v: setup(v, args.batch_size, args.size) for v in ("before", "after")}
    measured = {"before": [], "after": []}
    for r in range(args.rounds):
        for v in ("before", "after"):
            t = run(v, states[v], batches, weights, r * n_batches)
            measured[v] += t[args.warmup:]
            print(f"round {r} {v}: {sum(t[args.warmup:]) / args.steps:.3f} s/step", flush=True)
    steps_per_epoch = len(train) // args.batch_size
    print(f"\nbatch {args.batch_size}, {args.size} px, {args.threads} threads, {args.steps} x {args.rounds} steps each")
    print("| pipeline | s/step (mean) | s/step (median) | min/epoch (training only) |")
    print("|---|---|---|---|")
    for v in ("before", "after"):
        t = sorted(measured[v])
        mean = sum(t) / len(t)
        print(f"| {v} | {mean:.3f} | {t[len(t) // 2]:.3f} | {mean * steps_per_epoch / 60:.1f} |")
    ratio = (sum(measured["before"]) / sum(measured["after"]))
    print(f"speed-up: {ratio:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
