#!/usr/bin/env python3
"""Train EfficientNet-B3 on FER2013 in ONE call of the lent GPU machine (a wall-clock target, default 8 minutes).

  python3 models/training/train_gpu.py --data models/training/data            # on the GPU machine; --out $OUT
  /usr/bin/python3 models/training/train_gpu.py --join DIR models/training/runs/gpu/best.pt   # here, afterwards

Everything stays on the device: the training images as one uint8 tensor, the index permutation of each epoch
(torch.randperm on a CUDA torch.Generator), the augmentation (fertrain.augment.augment_batch with that generator:
crop + flip + rotation + upscale in one affine resample, brightness/contrast, random erasing), the loss sum.
The step loop never waits for the GPU: no .item(), no host<->device copy; the host reads the loss and the
clock at the evaluations only. bf16 autocast, channels_last, fused AdamW, EMA of weights and BN buffers
(train.Ema), label smoothing, class-weighted loss (train.class_weights), gradient clipping.

The schedule is sized by a throughput probe: the first --probe-steps steps (warm-up steps of the real schedule,
they count towards it) are timed, the validation pass is timed, and the number of epochs is the largest for
which the rest of the warm-up + cosine schedule and every evaluation (each --eval-every epochs and at the end)
end inside --minutes from the start. If fewer than --min-epochs fit at --size, the input size drops to
--fallback-size (probed again, those steps counted too). A guard stops at an epoch boundary and saves if the
run ever gets near --hard-minutes.

Output in --out (default $OUT): the best-validation EMA weights in the weights format of fertrain.checkpoint
(fp16, "affectune-warmstart-1", ~21 MB) cut into best.pt.part-00, -01, ... of at most --part-mib MiB each
(what the device tool brings back), log.jsonl (one line per evaluation), summary.json (sizes and sha256 of the
parts and of the whole file, metrics, the recipe). --join DIR OUTFILE puts the file together again and checks it.
The same script runs on the CPU (no autocast, foreach AdamW) for the tests. See models/training/README.md."""
import argparse
import contextlib
import glob
import hashlib
import inspect
import json
import math
import os
import sys
import tempfile
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from fertrain import LABELS, load_checkpoint  # noqa: E402
from fertrain.augment import augment_batch  # noqa: E402
from fertrain.cli import add_recipe_arguments, add_run_arguments  # noqa: E402
from fertrain.checkpoint import WEIGHTS_FORMAT, checkpoint_weights, save_weights  # noqa: E402
from fertrain.data import load_train_val  # noqa: E402
from fertrain.depthwise import choose_weight_grad  # noqa: E402
from fertrain.metrics import classification_metrics, predict_probs  # noqa: E402
from fertrain.model import efficientnet_b3  # noqa: E402
from train import Ema, class_weights, lr_at  # noqa: E402

WEIGHTS_NAME = "best.pt"
MiB = 1 << 20


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--join", nargs=2, metavar=("DIR", "OUTFILE"),
                   help="only put DIR/best.pt.part-* together into OUTFILE (checked against DIR/summary.json)")
    p.add_argument("--data", default=os.path.join(HERE, "data"),
                   help="directory with {train,val}-labels.u8 and {train,val}-images.u8.xz, or the images' pieces "
                        "{train,val}-images.part-* (joined in memory)")
    p.add_argument("--out", default=os.environ.get("OUT", ""), help="output directory (default: $OUT)")
    p.add_argument("--minutes", type=float, default=8.0,
                   help="wall-clock target from the start: schedule + evaluations + saving end inside it")
    p.add_argument("--hard-minutes", type=float, default=0,
                   help="stop at the next epoch boundary, evaluate and save once past this (default: --minutes + 1)")
    p.add_argument("--reserve-s", type=float, default=15.0, help="seconds of --minutes kept free for the final save")
    p.add_argument("--size", type=int, default=112, help="input size: the 48x48 faces are upscaled to size x size")
    p.add_argument("--fallback-size", type=int, default=96, help="size to fall back to (0 = never)")
    p.add_argument("--min-epochs", type=int, default=30,
                   help="fall back to --fallback-size if the probe says fewer epochs fit at --size")
    p.add_argument("--max-epochs", type=int, default=300, help="upper bound of the probe's epoch count")
    p.add_argument("--epochs", type=int, default=0, help="fixed epoch count instead of the probe's (0 = probe)")
    p.add_argument("--probe-steps", type=int, default=50,
                   help="steps timed at the start (the first steps of the warm-up: counted in the schedule)")
    p.add_argument("--eval-every", type=int, default=5, help="evaluate the EMA weights every N epochs (and at the end)")
    p.add_argument("--batch-size", type=int, default=512)
    p.add_argument("--eval-batch", type=int, default=1024)
    p.add_argument("--ema-decay", type=float, default=0,
                   help="EMA decay (0 = auto: a time constant of 10%% of the schedule's steps)")
    p.add_argument("--clip", type=float, default=5.0, help="gradient-norm clipping")
    p.add_argument("--init-from", default="", help="warm start from a weights file / best.pt / last.pt (any size)")
    p.add_argument("--amp", choices=["auto", "off"], default="auto", help="bf16 autocast on CUDA")
    p.add_argument("--part-mib", type=float, default=16.0, help="largest piece of the weights file, MiB")
    p.add_argument("--sync-debug", choices=["warn", "off"], default="warn",
                   help="CUDA: torch.cuda.set_sync_debug_mode during the probe's timed steps, so that any "
                        "host synchronisation inside a step is reported (warnings in the output)")
    p.add_argument("--save-every-s", type=float, default=60.0,
                   help="write a new best to --out at most this often while training (always at the end)")
    add_recipe_arguments(p)
    add_run_arguments(p)
    return p.parse_args(argv)


# ---------------------------------------------------------------------------------------------- pieces
def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def split_file(path: str, out_dir: str, name: str = WEIGHTS_NAME, part_bytes: int = 16 * MiB) -> list:
    """Cuts `path` into out_dir/name.part-00, -01, ... of at most part_bytes each (stale higher parts removed).
    Returns [{"file", "bytes", "sha256"}] in order."""
    parts = []
    with open(path, "rb") as f:
        while True:
            chunk = f.read(part_bytes)
            if not chunk and parts:
                break
            part = f"{name}.part-{len(parts):02d}"
            tmp = os.path.join(out_dir, part + ".tmp")
            with open(tmp, "wb") as g:
                g.write(chunk)
            os.replace(tmp, os.path.join(out_dir, part))
            parts.append({"file": part, "bytes": len(chunk), "sha256": hashlib.sha256(chunk).hexdigest()})
            if len(chunk) < part_bytes:
                break
    keep = {p["file"] for p in parts}
    for stale in glob.glob(os.path.join(glob.escape(out_dir), f"{name}.part-*")):
        if os.path.basename(stale) not in keep:
            os.remove(stale)
    return parts


def join_parts(src_dir: str, out_file: str, name: str = WEIGHTS_NAME) -> dict:
    """Puts src_dir/name.part-* back together into out_file (atomically). Where src_dir/summary.json lists the
    pieces (train_gpu.py writes it), their number, sizes and sha256 and the whole file's are checked: a
    missing, truncated or stale piece raises ValueError and nothing is written. Returns {"bytes", "sha256"}."""
    parts = sorted(glob.glob(os.path.join(glob.escape(src_dir), f"{name}.part-*")))
    parts = [p for p in parts if not p.endswith(".tmp")]
    if not parts:
        raise FileNotFoundError(f"no {name}.part-* in {src_dir}")
    expected = None
    summary_path = os.path.join(src_dir, "summary.json")
    if os.path.exists(summary_path):
        with open(summary_path) as f:
            expected = json.load(f).get("weights")
    if expected:
        names = [os.path.basename(p) for p in parts]
        want = [p["file"] for p in expected["parts"]]
        if names != want:
            raise ValueError(f"{src_dir}: pieces {names}, summary.json lists {want}")
    h, total = hashlib.sha256(), 0
    os.makedirs(os.path.dirname(os.path.abspath(out_file)), exist_ok=True)
    tmp = out_file + ".tmp"
    try:
        with open(tmp, "wb") as out:
            for i, p in enumerate(parts):
                with open(p, "rb") as f:
                    data = f.read()
                if expected:
                    e = expected["parts"][i]
                    if len(data) != e["bytes"] or hashlib.sha256(data).hexdigest() != e["sha256"]:
                        raise ValueError(f"{p}: {len(data)} bytes, not the {e['bytes']} bytes / sha256 of summary.json")
                out.write(data)
                h.update(data)
                total += len(data)
        if expected and (total != expected["bytes"] or h.hexdigest() != expected["sha256"]):
            raise ValueError(f"{out_file}: {total} bytes sha256 {h.hexdigest()}, summary.json says "
                             f"{expected['bytes']} bytes sha256 {expected['sha256']}")
        os.replace(tmp, out_file)
    finally:
        if os.path.exists(tmp):
            os.remove(tmp)
    return {"bytes": total, "sha256": h.hexdigest(), "parts": len(parts), "checked": bool(expected)}


# ---------------------------------------------------------------------------------------------- training
def weighted_smoothed_loss(logits: torch.Tensor, y: torch.Tensor, class_w: torch.Tensor, smoothing: float):
    """train.py's loss, -(target * log_softmax * class_w).sum(1).mean() with target = one-hot * (1 - s) + s / K,
    written with gather instead of one_hot (which checks its input range on the host: a sync on CUDA)."""
    logp = F.log_softmax(logits.float(), 1)
    k = logp.shape[1]
    nll = -logp.gather(1, y.unsqueeze(1)).squeeze(1) * class_w[y]
    smooth = -(logp * class_w).sum(1) / k
    return ((1.0 - smoothing) * nll + smoothing * smooth).mean()


def plan_epochs(time_left_s: float, steps_done: int, steps_per_epoch: int, s_per_step: float, eval_s: float,
                eval_every: int, max_epochs: int) -> int:
    """The most epochs E (<= max_epochs) whose remaining steps E * steps_per_epoch - steps_done at s_per_step,
    plus the evaluations still to come (every eval_every epochs, and one at the end), take at most time_left_s;
    0 if none fits."""
    eval_steps = eval_every * steps_per_epoch
    for e in range(max_epochs, 0, -1):
        steps = e * steps_per_epoch - steps_done
        if steps < 0:
            break
        evals = max(0, (e * steps_per_epoch - 1) // eval_steps - steps_done // eval_steps) + 1
        if steps * s_per_step + evals * eval_s <= time_left_s:
            return e
    return 0


def main(argv=None):
    args = parse_args(argv)
    if args.join:
        src, dst = args.join
        info = join_parts(src, dst)
        ck = load_checkpoint(dst)
        if ck.get("format") != WEIGHTS_FORMAT:
            raise SystemExit(f"{dst}: not a {WEIGHTS_FORMAT} weights file")
        print(f"joined {info['parts']} pieces into {dst}: {info['bytes']} bytes, sha256 {info['sha256']} "
              f"({'checked against summary.json' if info['checked'] else 'NOT checked: no summary.json'}); "
              f"epoch {ck.get('epoch')}, size {ck['config'].get('size')}, val accuracy "
              f"{ck.get('metrics', {}).get('accuracy')}")
        return 0

    t_start = time.time()
    if args.probe_steps < 1:
        raise SystemExit("--probe-steps must be at least 1")
    if not args.out:
        raise SystemExit("--out is required where $OUT is not set")
    os.makedirs(args.out, exist_ok=True)
    log_path, summary_path = os.path.join(args.out, "log.jsonl"), os.path.join(args.out, "summary.json")
    if os.path.exists(log_path):
        os.remove(log_path)
    target_s = args.minutes * 60
    hard_s = (args.hard_minutes if args.hard_minutes > 0 else args.minutes + 1.0) * 60
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    device = ("cuda" if torch.cuda.is_available() else "cpu") if args.device == "auto" else args.device
    cuda = device.startswith("cuda")
    use_amp = cuda and args.amp != "off"
    if cuda:
        torch.backends.cudnn.benchmark = True

    def sync():
        if cuda:
            torch.cuda.synchronize()

    # ---- data: everything on the device once
    train, val = load_train_val(args.data, args.seed, args.limit_train, args.limit_val)
    n = len(train)
    batch = min(args.batch_size, n)
    steps_per_epoch = n // batch  # the last partial batch is dropped: one shape, one cuDNN plan
    train_images, train_labels = train.images.to(device), train.labels.to(device)
    val_images, val_labels = val.images.to(device), val.labels.numpy()
    class_w = class_weights(train.labels, args.balance_power).to(device)
    data_s = time.time() - t_start

    # ---- model, optimiser, EMA
    torch.manual_seed(args.seed)
    if cuda:
        torch.cuda.manual_seed_all(args.seed)
    model = efficientnet_b3(len(LABELS), 1, dropout=args.dropout, drop_path=args.drop_path).to(device)
    if args.init_from:
        init = load_checkpoint(args.init_from)
        model.load_state_dict(checkpoint_weights(init))
        print(f"initialised from {args.init_from} (epoch {init.get('epoch')}, size "
              f"{init.get('config', {}).get('size')}, val {init.get('metrics', {}).get('accuracy')})", flush=True)
    model = model.to(memory_format=torch.channels_last)
    if not cuda:
        # torch's CPU weight gradient of depthwise convolutions is pathologically slow at some shapes (tests)
        choose_weight_grad(model, torch.zeros(batch, 1, args.size, args.size).contiguous(
            memory_format=torch.channels_last))
    decay, no_decay = [], []
    for p_ in model.parameters():
        (no_decay if p_.ndim <= 1 else decay).append(p_)
    fused = cuda and "fused" in inspect.signature(torch.optim.AdamW).parameters
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": args.weight_decay},
                             {"params": no_decay, "weight_decay": 0.0}], lr=args.lr,
                            **({"fused": True} if fused else {"foreach": True}))
    ema = Ema(model, args.ema_decay or 0.999)  # the decay is set once the schedule's length is known
    gen = torch.Generator(device=device).manual_seed(args.seed)
    autocast = (lambda: torch.autocast(device_type="cuda", dtype=torch.bfloat16)) if use_amp \
        else contextlib.nullcontext
    device_name = torch.cuda.get_device_name() if cuda else f"cpu ({torch.get_num_threads()} threads)"
    print(f"device {device_name}, torch {torch.__version__}, {n} train / {len(val)} val images, batch {batch}, "
          f"{steps_per_epoch} steps/epoch, AdamW {'fused' if fused else 'foreach'}, "
          f"{'bf16 autocast' if use_amp else 'fp32'}, data loaded in {data_s:.1f} s, "
          f"class weights {[round(float(w), 2) for w in class_w]}", flush=True)

    # ---- the step loop: no host synchronisation inside
    size = args.size
    warmup = max(1, int(args.warmup_epochs * steps_per_epoch))
    total = 1 << 40  # unknown until the probe: the warm-up does not depend on it, the cosine is flat at its start
    state = {"step": 0, "order": None, "loss_sum": torch.zeros((), device=device)}

    def run_steps(stop: int, deadline_s: float = float("inf")) -> bool:
        """Trains from state["step"] up to `stop`; False if it stopped early at an epoch boundary for the deadline."""
        model.train()
        while state["step"] < stop:
            step = state["step"]
            within = step % steps_per_epoch
            if within == 0:
                if step > 0 and time.time() - t_start > deadline_s:
                    return False
                state["order"] = torch.randperm(n, generator=gen, device=device)
            idx = state["order"][within * batch:(within + 1) * batch]
            for group in opt.param_groups:
                group["lr"] = lr_at(step, total, warmup, args.lr, args.min_lr_ratio)
            x = augment_batch(train_images[idx], size, gen, max_rotation_deg=args.rotation, erasing_prob=args.erasing)
            x = x.contiguous(memory_format=torch.channels_last)
            with autocast():
                logits = model(x)
            loss = weighted_smoothed_loss(logits, train_labels[idx], class_w, args.label_smoothing)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if args.clip > 0:
                torch.nn.utils.clip_grad_norm_(model.parameters(), args.clip)
            opt.step()
            ema.update(model, step)
            state["loss_sum"] += loss.detach()
            state["step"] = step + 1
        return True

    def evaluate(warm: bool = True):
        """Metrics of the EMA weights on the validation split, and the seconds it took (timed on a second pass
        where warm is False: the first one at a new size pays cuDNN's autotuning)."""
        for _ in range(1 if warm else 2):
            sync()
            t0 = time.time()
            probs = predict_probs(ema.model, val_images, size, 1, args.eval_batch, device)
            took = time.time() - t0
        return classification_metrics(probs, val_labels), took

    def probe(steps: int):
        """Times `steps` training steps at the current size (the first few untimed: cuDNN autotuning)."""
        untimed = min(5, steps // 2)
        run_steps(state["step"] + untimed)
        sync()
        t0 = time.time()
        if cuda and args.sync_debug == "warn":
            torch.cuda.set_sync_debug_mode("warn")  # a step that waits for the GPU says so (after cuDNN's autotuning)
        try:
            run_steps(state["step"] + steps - untimed)
        finally:
            if cuda:
                torch.cuda.set_sync_debug_mode(0)
        sync()
        return (time.time() - t0) / max(1, steps - untimed)

    # ---- probe -> epochs (-> fallback size)
    probes = []
    s_step = probe(args.probe_steps)
    metrics, eval_s = evaluate(warm=False)  # times the validation pass (and is the first candidate)
    probes.append({"size": size, "steps": args.probe_steps, "s_per_step": round(s_step, 4), "eval_s": round(eval_s, 2)})
    time_left = target_s - args.reserve_s - (time.time() - t_start)
    epochs = args.epochs or plan_epochs(time_left, state["step"], steps_per_epoch, s_step, eval_s,
                                        args.eval_every, args.max_epochs)
    probes[-1]["epochs_fit"] = epochs
    print(f"probe: size {size}, {s_step:.4f} s/step ({args.probe_steps} steps), eval {eval_s:.1f} s, "
          f"{time_left:.0f} s left -> {epochs} epochs", flush=True)
    if not args.epochs and epochs < args.min_epochs and 0 < args.fallback_size < size:
        size = args.fallback_size
        s_step = probe(args.probe_steps)
        metrics, eval_s = evaluate(warm=False)
        time_left = target_s - args.reserve_s - (time.time() - t_start)
        epochs = plan_epochs(time_left, state["step"], steps_per_epoch, s_step, eval_s, args.eval_every,
                             args.max_epochs)
        probes.append({"size": size, "steps": args.probe_steps, "s_per_step": round(s_step, 4),
                       "eval_s": round(eval_s, 2), "epochs_fit": epochs})
        print(f"fallback: fewer than {args.min_epochs} epochs fit at size {args.size}: size {size}, "
              f"{s_step:.4f} s/step, eval {eval_s:.1f} s -> {epochs} epochs", flush=True)
    epochs = max(epochs, -(-state["step"] // steps_per_epoch), 1)
    total = epochs * steps_per_epoch
    warmup = min(warmup, max(state["step"], total // 4))
    ema.decay = args.ema_decay or min(0.9998, 1.0 - 1.0 / max(10.0, 0.1 * total))
    print(f"schedule: {epochs} epochs = {total} steps at size {size} (probe steps {state['step']} counted), "
          f"warm-up {warmup} steps, EMA decay {ema.decay:.5f}, evaluation every {args.eval_every} epochs", flush=True)

    # ---- train, evaluate, keep the best
    config = {k: v for k, v in vars(args).items() if k not in ("join",)}
    config.update({"size": size, "channels": 1, "epochs": epochs, "steps_per_epoch": steps_per_epoch,
                   "batch_size": batch, "ema_decay": ema.decay, "schedule": "probe", "class_balance": "loss",
                   "mix_prob": 0.0, "time_budget_minutes": args.minutes, "trainer": "train_gpu.py"})
    history, best, replans = [], {"accuracy": -1.0, "version": 0}, []
    saved = {"at": time.time(), "version": 0, "weights": None}
    work = tempfile.mkdtemp(prefix="train_gpu-")

    def write_best():
        if best.get("state") is None or saved["version"] == best["version"]:
            return
        whole = os.path.join(work, WEIGHTS_NAME)
        # "epoch" as in train.py's checkpoints: the 0-based index of the last epoch trained (promote.py, export.py
        # count epoch + 1); log.jsonl's and summary.json's "epoch" count the epochs done (5.0 after five)
        save_weights(whole, best["state"], weights_kind="ema", config=config,
                     epoch=max(0, math.ceil(best["epoch"]) - 1), metrics=best["metrics"], history=history,
                     extra={"trainer": "train_gpu.py", "device": device_name, "epochs_done": best["epoch"]})
        parts = split_file(whole, args.out, WEIGHTS_NAME, int(args.part_mib * MiB))
        saved.update(at=time.time(), version=best["version"],
                     weights={"file": WEIGHTS_NAME, "format": WEIGHTS_FORMAT, "bytes": os.path.getsize(whole),
                              "sha256": sha256_file(whole), "parts": parts, "epoch": best["epoch"]})
        os.remove(whole)
        write_summary(False)

    def write_summary(done: bool):
        summary = {"done": done, "trainer": "train_gpu.py", "device": device_name, "torch": torch.__version__,
                   "wall_s": round(time.time() - t_start, 1), "minutes_target": args.minutes,
                   "size": size, "epochs_planned": epochs, "epochs_trained": round(state["step"] / steps_per_epoch, 3),
                   "steps": state["step"], "steps_per_epoch": steps_per_epoch, "batch_size": batch,
                   "probe": probes, "probe_counted": True, "stopped_early": state.get("stopped_early", False),
                   "replans": replans,
                   "best": {k: best.get(k) for k in ("epoch", "accuracy", "macroRecall")},
                   "best_metrics": best.get("metrics"), "weights": saved["weights"],
                   "join": f"/usr/bin/python3 models/training/train_gpu.py --join DIR OUTFILE",
                   "config": config}
        tmp = summary_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(summary, f, indent=1)
        os.replace(tmp, summary_path)

    def record(phase: str, metrics: dict, eval_s: float, seg_steps: int, seg_s: float):
        loss = float(state["loss_sum"]) / max(1, seg_steps)  # the only read of the loss: after a sync anyway
        state["loss_sum"].zero_()
        epoch = state["step"] / steps_per_epoch
        s_per_step = seg_s / seg_steps if seg_steps else history[-1]["s_per_step"]
        if not seg_steps:
            loss = history[-1]["train_loss"]
        rec = {"phase": phase, "epoch": round(epoch, 3), "step": state["step"], "size": size,
               "s_per_step": round(s_per_step, 4), "train_loss": round(loss, 4),
               "lr": opt.param_groups[0]["lr"], "accuracy": metrics["accuracy"], "macro_recall": metrics["macroRecall"],
               "eval_s": round(eval_s, 2), "elapsed_s": round(time.time() - t_start, 1)}
        history.append(rec)
        with open(log_path, "a") as f:
            f.write(json.dumps(rec) + "\n")
        new_best = metrics["accuracy"] > best["accuracy"]
        if new_best:
            best.update(accuracy=metrics["accuracy"], macroRecall=metrics["macroRecall"], metrics=metrics,
                        epoch=round(epoch, 3), version=best["version"] + 1,
                        state={k: v.detach().clone() for k, v in ema.model.state_dict().items()})
        print(f"{phase} epoch {epoch:.2f}/{epochs} step {state['step']} size {size} loss {loss:.4f} "
              f"lr {rec['lr']:.2e} {rec['s_per_step']:.4f} s/step | val accuracy {metrics['accuracy']:.4f} "
              f"macro recall {metrics['macroRecall']:.4f}{' *' if new_best else ''} | best {best['accuracy']:.4f} "
              f"@ {best['epoch']} | {rec['elapsed_s']:.0f} s", flush=True)
        if new_best and (phase == "final" or time.time() - saved["at"] >= args.save_every_s):
            write_best()

    probe_steps_done = state["step"]
    record("probe", metrics, eval_s, probe_steps_done, s_step * probe_steps_done)
    write_best()  # something to bring back whatever happens next
    eval_steps = args.eval_every * steps_per_epoch
    stopped_early, phase = False, "probe"
    while phase != "final":  # also when the probe's steps already were the whole schedule (tiny runs)
        sync()
        t_seg, seg_start = time.time(), state["step"]
        stop = min(total, (state["step"] // eval_steps + 1) * eval_steps)
        deadline = hard_s - 1.5 * eval_s - args.reserve_s
        finished = run_steps(stop, deadline)
        sync()
        seg_s = time.time() - t_seg
        stopped_early = state["stopped_early"] = not finished
        phase = "final" if state["step"] >= total or stopped_early else "eval"
        if state["step"] > seg_start:
            metrics, eval_s = evaluate()
            record(phase, metrics, eval_s, state["step"] - seg_start, seg_s)
        elif phase == "final":  # nothing trained since the last evaluation: its metrics are the final ones
            record(phase, metrics, 0.0, 0, 0.0)
        if phase == "eval" and not args.epochs and state["step"] > seg_start:
            # re-plan: if this segment ran slower than the probe said, by more than half of --reserve-s over the
            # rest of the run, shorten the cosine so that it ends in time
            s_seg = seg_s / (state["step"] - seg_start)
            time_left = target_s - args.reserve_s - (time.time() - t_start)
            fit = epochs
            if plan_epochs(time_left + 0.5 * args.reserve_s, state["step"], steps_per_epoch, s_seg, eval_s,
                           args.eval_every, epochs) < epochs:
                fit = plan_epochs(time_left, state["step"], steps_per_epoch, s_seg, eval_s, args.eval_every, epochs)
                fit = max(fit, state["step"] // steps_per_epoch)
            if fit < epochs:
                print(f"re-plan: {s_seg:.4f} s/step over the last {state['step'] - seg_start} steps: "
                      f"{epochs} -> {fit} epochs to end inside {args.minutes} minutes", flush=True)
                replans.append({"epoch": state["step"] / steps_per_epoch, "s_per_step": round(s_seg, 4),
                                "epochs": [epochs, fit]})
                epochs, total = fit, fit * steps_per_epoch
                config["epochs"] = epochs
        if stopped_early:
            print(f"stopped at epoch {state['step'] / steps_per_epoch:.2f} of {epochs}: past the hard limit of "
                  f"{hard_s / 60:.1f} minutes", flush=True)
            break
    write_best()
    write_summary(True)
    parts = saved["weights"]["parts"]
    print(f"done: best val accuracy {best['accuracy']:.4f} macro recall {best['macroRecall']:.4f} at epoch "
          f"{best['epoch']} of {epochs} (size {size}); {WEIGHTS_NAME} {saved['weights']['bytes']} bytes in "
          f"{len(parts)} pieces {[p['file'] for p in parts]} + log.jsonl + summary.json in {args.out}; "
          f"{time.time() - t_start:.0f} s{' (stopped early)' if stopped_early else ''}", flush=True)
    try:
        os.rmdir(work)
    except OSError:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
