#!/usr/bin/env python3
"""Train EfficientNet-B3 from scratch on FER2013 (CPU or GPU), resumable, checkpoint every epoch.

  /usr/bin/python3 models/training/train.py --data /path/to/fer2013 --size 96 --epochs 120 --out models/training/runs/b3-96
  ... --resume --time-budget-minutes 9      # continue a run in short commands
  ... --init-from models/training/checkpoints/effnetb3-fer2013-48.pt --schedule time --time-budget-minutes 120
                                            # warm start: one full cosine cycle inside the budget (campaign.sh)
See models/training/README.md."""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from fertrain import LABELS, load_checkpoint  # noqa: E402
from fertrain.cli import add_recipe_arguments, add_run_arguments  # noqa: E402
from fertrain.checkpoint import checkpoint_weights, save_weights  # noqa: E402
from fertrain.augment import augment_batch, mix_batch  # noqa: E402
from fertrain.data import load_train_val  # noqa: E402
from fertrain.depthwise import choose_weight_grad  # noqa: E402
from fertrain.metrics import classification_metrics, predict_probs  # noqa: E402
from fertrain.model import efficientnet_b3  # noqa: E402


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--data", required=True, help="directory with {train,val}-images.u8.xz and -labels.u8")
    p.add_argument("--out", required=True, help="run directory (checkpoints last.pt / best.pt, log.jsonl)")
    p.add_argument("--size", type=int, default=96, help="input size: 48x48 faces are upscaled to size x size")
    p.add_argument("--channels", type=int, default=1, choices=[1, 3])
    p.add_argument("--epochs", type=int, default=120)
    p.add_argument("--batch-size", type=int, default=128)
    p.add_argument("--mixup", type=float, default=0.2, help="mixup alpha (0 = off)")
    p.add_argument("--cutmix", type=float, default=1.0, help="cutmix alpha (0 = off)")
    p.add_argument("--mix-prob", type=float, default=0.5, help="probability that a batch is mixed")
    p.add_argument("--class-balance", choices=["none", "loss", "sampler"], default="loss",
                   help="loss: class weights (n_max/n_c)^power; sampler: draw images with those weights")
    p.add_argument("--ema-decay", type=float, default=0.999, help="0 = no EMA")
    p.add_argument("--amp", choices=["auto", "off", "bf16", "fp16"], default="auto", help="mixed precision on CUDA")
    p.add_argument("--resume", action="store_true", help="continue from <out>/last.pt")
    p.add_argument("--time-budget-minutes", type=float, default=0,
                   help="save and stop (resumable, mid-epoch if needed) before this much wall time has passed")
    p.add_argument("--eval-batch", type=int, default=256)
    p.add_argument("--steps-per-epoch", type=int, default=0,
                   help="0 = one pass over the training set; N = evaluate/checkpoint every N steps (short CPU budgets)")
    p.add_argument("--eval-weights", choices=["both", "ema", "raw"], default="both",
                   help="which weights to validate each epoch (the better one becomes best.pt)")
    p.add_argument("--init-from", default="",
                   help="warm start: load weights (a weights file, best.pt or last.pt's EMA) into a fresh run "
                        "(new optimiser, new schedule); they are validated first and best.pt only replaces them "
                        "when better")
    p.add_argument("--schedule", choices=["steps", "time"], default="steps",
                   help="steps: cosine over --epochs; time: cosine over the wall-clock --time-budget-minutes "
                        "(one full cycle whatever the machine's speed; --epochs is then an upper bound)")
    add_recipe_arguments(p)
    add_run_arguments(p)
    return p.parse_args(argv)


def class_weights(labels: torch.Tensor, power: float) -> torch.Tensor:
    counts = torch.bincount(labels, minlength=len(LABELS)).float().clamp(min=1)
    w = (counts.max() / counts) ** power
    return w / (w * counts).sum() * counts.sum()  # mean weight over the data set = 1


class Ema:
    """Exponential moving average of weights and BN buffers, with the usual warm-up of the decay.
    One foreach multiply-add over all floating tensors per step (a Python loop over ~500 tensors cost ~20 ms)."""

    def __init__(self, model: torch.nn.Module, decay: float):
        self.decay = decay
        self.model = efficientnet_b3(len(LABELS), model.features[0][0].in_channels).to(next(model.parameters()).device)
        self.model.load_state_dict(model.state_dict())
        self.model.to(memory_format=torch.channels_last)
        self.model.eval()
        for p in self.model.parameters():
            p.requires_grad_(False)
        self._pair(model)

    def _pair(self, model: torch.nn.Module):
        own, src = self.model.state_dict(keep_vars=True), model.state_dict(keep_vars=True)
        self._float_dst = [own[k].data for k in own if own[k].dtype.is_floating_point]
        self._float_src = [src[k].data for k in own if own[k].dtype.is_floating_point]
        self._other = [(own[k].data, src[k].data) for k in own if not own[k].dtype.is_floating_point]

    @torch.no_grad()
    def update(self, model: torch.nn.Module, step: int):
        d = min(self.decay, (1 + step) / (10 + step))
        torch._foreach_mul_(self._float_dst, d)
        torch._foreach_add_(self._float_dst, self._float_src, alpha=1 - d)
        for e, m in self._other:
            e.copy_(m)


def lr_at(step: int, total: int, warmup: int, peak: float, min_ratio: float) -> float:
    if step < warmup:
        return peak * (step + 1) / warmup
    t = (step - warmup) / max(1, total - warmup)
    return peak * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, t))))


def lr_at_time(step: int, warmup: int, progress: float, peak: float, min_ratio: float) -> float:
    """--schedule time: linear warm-up over the first steps, times a cosine over the fraction of the
    wall-clock budget spent, so that the cycle completes inside the budget however fast the machine is."""
    warm = min(1.0, (step + 1) / warmup) if warmup > 0 else 1.0
    return peak * warm * (min_ratio + (1 - min_ratio) * 0.5 * (1 + math.cos(math.pi * min(1.0, progress))))


def save_atomic(obj, path):
    tmp = path + ".tmp"
    torch.save(obj, tmp)
    os.replace(tmp, path)


def main(argv=None):
    args = parse_args(argv)
    started = time.time()
    os.makedirs(args.out, exist_ok=True)
    last_path, best_path = os.path.join(args.out, "last.pt"), os.path.join(args.out, "best.pt")
    log_path = os.path.join(args.out, "log.jsonl")
    state = None
    if args.resume and os.path.exists(last_path):
        state = load_checkpoint(last_path)
        saved = state["config"]
        # the recipe comes from the checkpoint; only run-control flags may change on resume
        for k in ("device", "threads", "time_budget_minutes", "resume", "eval_batch", "data", "out", "amp"):
            saved[k] = getattr(args, k)
        if "--epochs" in (argv if argv is not None else sys.argv):
            saved["epochs"] = args.epochs  # deliberately lengthens/shortens the cosine schedule
        saved.setdefault("schedule", "steps")
        saved.setdefault("init_from", "")
        args = argparse.Namespace(**saved)
        print(f"resuming {last_path} at epoch {state['epoch']} step {state['step_in_epoch']}", flush=True)
    elif args.resume:
        print(f"no {last_path} yet: starting a new run", flush=True)

    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    use_amp = device == "cuda" and args.amp != "off"
    amp_dtype = torch.float16 if args.amp == "fp16" else torch.bfloat16
    if device == "cuda":
        torch.backends.cudnn.benchmark = True

    train, val = load_train_val(args.data, args.seed, args.limit_train, args.limit_val)
    train_images, train_labels = train.images.to(device), train.labels.to(device)
    n = len(train)
    steps_per_epoch = max(1, n // args.batch_size)
    if getattr(args, "steps_per_epoch", 0):
        steps_per_epoch = args.steps_per_epoch
    total_steps = steps_per_epoch * args.epochs
    warmup = int(args.warmup_epochs * steps_per_epoch)
    weights = class_weights(train.labels, args.balance_power)
    loss_weights = (weights if args.class_balance == "loss" else torch.ones(len(LABELS))).to(device)

    torch.manual_seed(args.seed)
    model = efficientnet_b3(len(LABELS), args.channels, dropout=args.dropout, drop_path=args.drop_path).to(device)
    if args.init_from and state is None:
        init = load_checkpoint(args.init_from)
        model.load_state_dict(checkpoint_weights(init))
        print(f"initialised from {args.init_from} (epoch {init.get('epoch')}, "
              f"val {init.get('metrics', {}).get('accuracy')})", flush=True)
    # channels_last everywhere: on the CPU it makes the convolutions and the depthwise weight gradient
    # (fertrain/depthwise.py) contiguous over channels; on CUDA it is what cuDNN's fastest kernels want
    model = model.to(memory_format=torch.channels_last)
    if device == "cpu":
        example = torch.zeros(args.batch_size, args.channels, args.size, args.size).contiguous(
            memory_format=torch.channels_last)
        rows = choose_weight_grad(model, example)
        saved_ms = sum(n - min(n, sh) for _, n, sh in rows)
        print(f"depthwise weight gradient: shifted products on {sum(sh < n for _, n, sh in rows)} of {len(rows)} "
              f"layers (native {sum(n for _, n, _ in rows):.0f} ms -> {sum(min(n, sh) for _, n, sh in rows):.0f} ms "
              f"per step, {saved_ms:.0f} ms saved)", flush=True)
    decay, no_decay = [], []
    for p_ in model.parameters():
        (no_decay if p_.ndim <= 1 else decay).append(p_)
    fused = device == "cuda" and "fused" in torch.optim.AdamW.__init__.__code__.co_varnames
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr,
                            **({"fused": True} if fused else {"foreach": True}))
    scaler = torch.cuda.amp.GradScaler(enabled=use_amp and amp_dtype == torch.float16)
    ema = Ema(model, args.ema_decay) if args.ema_decay > 0 else None
    epoch, step_in_epoch, best_acc, history = 0, 0, -1.0, []
    if state is not None:
        model.load_state_dict(state["model"])
        opt.load_state_dict(state["optimizer"])
        if ema is not None and state.get("ema") is not None:
            ema.model.load_state_dict(state["ema"])
        if state.get("scaler"):
            scaler.load_state_dict(state["scaler"])
        epoch, step_in_epoch = state["epoch"], state["step_in_epoch"]
        best_acc, history = state["best_accuracy"], state["history"]

    def checkpoint(ep, st):
        save_atomic({"config": vars(args), "model": model.state_dict(), "optimizer": opt.state_dict(),
                     "ema": ema.model.state_dict() if ema else None, "scaler": scaler.state_dict(),
                     "epoch": ep, "step_in_epoch": st, "best_accuracy": best_acc, "history": history}, last_path)

    budget_s = args.time_budget_minutes * 60 if args.time_budget_minutes > 0 else float("inf")
    eval_estimate_s = 60.0 if device == "cpu" else 10.0
    step_times = []

    def validate(models: dict):
        results, probs = {}, {}
        for name, m in models.items():
            probs[name] = predict_probs(m, val.images, args.size, args.channels, args.eval_batch, device)
            results[name] = classification_metrics(probs[name], val.labels.numpy())
        return results, probs

    if args.init_from and state is None:
        # the starting point is the first candidate: best.pt only ever replaces it with something better
        t_eval = time.time()
        results, _ = validate({"init": model})
        eval_estimate_s = (time.time() - t_eval) * 1.2
        best_acc = results["init"]["accuracy"]
        print(f"starting point: val accuracy {best_acc:.4f} macro recall {results['init']['macroRecall']:.4f}",
              flush=True)
        history.append({"epoch": -1, "init_accuracy": best_acc, "init_macro_recall": results["init"]["macroRecall"]})
    if args.schedule == "time":
        if budget_s == float("inf"):
            raise SystemExit("--schedule time needs --time-budget-minutes")
        # the cosine must reach its end with time left for the last validation and checkpoint
        schedule_start = time.time()
        schedule_s = budget_s - (schedule_start - started) - 2 * eval_estimate_s - 10
        if schedule_s <= 0:
            raise SystemExit(f"the time budget leaves no time to train ({schedule_s:.0f} s)")
    schedule_done = False
    print(f"device {device}, {n} train / {len(val)} val images, size {args.size}, {steps_per_epoch} steps/epoch, "
          f"epochs {args.epochs}, loss class weights {[round(float(w), 2) for w in weights]}", flush=True)
    while epoch < args.epochs:
        model.train()
        g = torch.Generator().manual_seed(args.seed * 1_000_003 + epoch)
        if args.class_balance == "sampler":
            order = torch.multinomial(weights[train.labels], n, replacement=True, generator=g)
        else:
            order = torch.randperm(n, generator=g)
        epoch_loss, epoch_start = 0.0, time.time()
        steps_done = 0
        for step in range(step_in_epoch, steps_per_epoch):
            t0 = time.time()
            gstep = epoch * steps_per_epoch + step
            if args.schedule == "time":
                progress = (t0 - schedule_start) / schedule_s
                if progress >= 1.0:
                    schedule_done = True  # the cycle is complete: validate this (partial) epoch and stop
                    break
                lr = lr_at_time(gstep, warmup, progress, args.lr, args.min_lr_ratio)
            else:
                mean_step = sum(step_times[-20:]) / max(1, len(step_times[-20:]))
                if time.time() - started + mean_step + eval_estimate_s > budget_s:
                    checkpoint(epoch, step)
                    print(f"time budget reached at epoch {epoch} step {step}: saved {last_path}; "
                          f"run again with --resume", flush=True)
                    return 0
                lr = lr_at(gstep, total_steps, warmup, args.lr, args.min_lr_ratio)
            for group in opt.param_groups:
                group["lr"] = lr
            start_i = (step * args.batch_size) % max(1, n - args.batch_size + 1)
            idx = order[start_i:start_i + args.batch_size].to(device)
            ga = torch.Generator().manual_seed(args.seed * 7_919 + gstep)
            x = augment_batch(train_images[idx], args.size, ga, max_rotation_deg=args.rotation, erasing_prob=args.erasing)
            if args.channels == 3:
                x = x.expand(-1, 3, -1, -1)
            y = train_labels[idx]
            target = F.one_hot(y, len(LABELS)).float() * (1 - args.label_smoothing) + args.label_smoothing / len(LABELS)
            x, target = mix_batch(x, target, ga, args.mixup, args.cutmix, args.mix_prob)
            x = x.contiguous(memory_format=torch.channels_last)
            if use_amp:
                with torch.autocast(device_type="cuda", dtype=amp_dtype):
                    logits = model(x)
            else:
                logits = model(x)
            logp = F.log_softmax(logits.float(), 1)
            loss = -(target * logp * loss_weights).sum(1).mean()
            opt.zero_grad(set_to_none=True)
            scaler.scale(loss).backward()
            scaler.unscale_(opt)
            torch.nn.utils.clip_grad_norm_(model.parameters(), 5.0)
            scaler.step(opt)
            scaler.update()
            if ema is not None:
                ema.update(model, gstep)
            epoch_loss += float(loss)
            steps_done += 1
            step_times.append(time.time() - t0)
            if step % 50 == 0:
                recent = step_times[-50:]
                print(f"epoch {epoch} step {step}/{steps_per_epoch} loss {float(loss):.4f} "
                      f"lr {opt.param_groups[0]['lr']:.2e} {sum(recent) / len(recent):.3f} s/step", flush=True)
        step_in_epoch = 0
        if steps_done == 0:
            break
        t_eval = time.time()
        candidates = {}
        if ema is not None and args.eval_weights in ("both", "ema"):
            candidates["ema"] = ema.model
        if ema is None or args.eval_weights in ("both", "raw"):
            candidates["raw"] = model
        results, val_probs = validate(candidates)
        eval_estimate_s = (time.time() - t_eval) * 1.2
        pick = max(results, key=lambda k: results[k]["accuracy"])
        epoch_steps = step_times[-steps_done:]
        rec = {"epoch": epoch, "steps": steps_done, "steps_per_epoch": steps_per_epoch,
               "train_loss": epoch_loss / steps_done, "cpu_s": round(time.process_time(), 1),
               "epoch_s": round(time.time() - epoch_start, 1), "s_per_step": round(sum(epoch_steps) / steps_done, 4),
               "lr_end": opt.param_groups[0]["lr"],
               **{f"{k}_accuracy": r["accuracy"] for k, r in results.items()},
               **{f"{k}_macro_recall": r["macroRecall"] for k, r in results.items()}}
        history.append(rec)
        with open(log_path, "a") as f:
            f.write(json.dumps(rec) + "\n")
        print(json.dumps(rec), flush=True)
        if results[pick]["accuracy"] > best_acc:
            best_acc = results[pick]["accuracy"]
            save_atomic({"config": vars(args), "model": candidates[pick].state_dict(), "weights": pick,
                         "epoch": epoch, "metrics": results[pick], "history": history}, best_path)
            # the probabilities behind best.pt's metrics (export.py --val-probs reuses them on slow machines)
            val_probs[pick].astype("<f4").tofile(os.path.join(args.out, "best-val-probs.f32"))
            print(f"new best ({pick}) val accuracy {best_acc:.4f} macro recall {results[pick]['macroRecall']:.4f}",
                  flush=True)
        epoch += 1
        checkpoint(epoch, 0)
        if schedule_done:
            break
    if not os.path.exists(best_path) and args.init_from:
        print(f"done: no epoch beat the starting point ({best_acc:.4f}); no best.pt", flush=True)
        return 0
    print(f"done: best val accuracy {best_acc:.4f}, {best_path}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
